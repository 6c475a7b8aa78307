"""The mission's files: tables, the driven route as GeoJSON, summary.json and plots.

Every file is written atomically (:mod:`lupex.io.atomic`); the caller registers them in the run
manifest. The route is an RFC 7946 LineString in planetocentric longitude/latitude degrees
(longitude first) with ``times_utc``: one ISO 8601 UTC time per vertex.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from lupex.io.atomic import atomic_path, write_text_atomic

TIMELINE = "tables/timeline.csv"
MEASUREMENTS = "tables/measurements.csv"
DRILL_SITES = "tables/drill_sites.csv"
ROUTE = "plans/mission_route.geojson"
SUMMARY = "summary.json"
STATIONS = "tables/stations.csv"
PLOTS = {"soc": "plots/mission_soc.png", "data": "plots/mission_data.png",
         "activity": "plots/mission_activity.png", "profiles": "plots/mission_profiles.png"}
MONTE_CARLO = "tables/monte_carlo.csv"
MONTE_CARLO_PLOT = "plots/monte_carlo.png"


def plain(v: Any) -> Any:
    """JSON-able value (NaN -> None, numpy scalars -> Python)."""
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, (np.floating, float)):
        return None if not math.isfinite(float(v)) else float(v)
    return v


def _csv(df, path: Path) -> Path:
    with atomic_path(path) as tmp:
        df.to_csv(tmp, index=False)
    return path


def route_geojson(result, env) -> dict:
    """The driven route: one LineString feature (lon/lat degrees) with ``times_utc``."""
    r = result.route
    t = [str(v) + "Z" for v in env.utc(r[:, 0])] if len(r) else []
    if env.lat_deg is not None and len(r):
        ny, nx = env.shape
        j = np.clip(np.rint((r[:, 1] - env.x_m[0]) / (env.x_m[1] - env.x_m[0])), 0, nx - 1)
        i = np.clip(np.rint((r[:, 2] - env.y_m[0]) / (env.y_m[1] - env.y_m[0])), 0, ny - 1)
        ii, jj = i.astype(int), j.astype(int)
        coords = np.column_stack([env.lon_deg[ii, jj], env.lat_deg[ii, jj]])
        crs_note = "planetocentric longitude/latitude [deg] (RFC 7946 order)"
    else:
        coords = r[:, 1:3] if len(r) else np.zeros((0, 2))
        crs_note = "grid x/y [m] (no invertible CRS: lon/lat unavailable)"
    if len(coords) == 1:  # a LineString needs two positions
        coords = np.vstack([coords, coords])
        t = t + t
    feat = {"type": "Feature",
            "geometry": {"type": "LineString", "coordinates": np.round(coords, 8).tolist()},
            "properties": {"name": "driven route", "times_utc": t, "coordinates": crs_note,
                           "distance_driven_m": plain(result.summary["distance_driven_m"])}}
    return {"type": "FeatureCollection", "features": [feat]}


def write_tables(result, env, run_dir: Path) -> dict[str, Path]:
    """timeline, measurements, drill sites, the route and summary.json."""
    import pandas as pd

    run_dir = Path(run_dir)
    out = {"timeline": _csv(result.timeline, run_dir / TIMELINE),
           "measurements": _csv(result.measurements, run_dir / MEASUREMENTS),
           "drill_sites": _csv(pd.DataFrame(result.drill_sites,
                                            columns=["site", "x_m", "y_m", "time_s",
                                                     "depth_reached_m", "refused"]),
                               run_dir / DRILL_SITES)}
    out["route"] = write_text_atomic(run_dir / ROUTE,
                                     json.dumps(route_geojson(result, env), indent=1) + "\n")
    return out


def station_windows(env, cell: int):
    """Windows when a ground station sees the Moon AND the Earth is above the terrain horizon
    at ``cell``: one row per (station, window) with ``station``, ``start_utc``, ``end_utc``,
    ``duration_h`` (step resolution; the report draws them)."""
    import pandas as pd

    earth = env.earth_u8[:, int(cell)] > 0
    rows = []
    for s, name in enumerate(env.station_names):
        on = np.concatenate([[False], env.station_visible[:, s] & earth, [False]])
        edges = np.flatnonzero(np.diff(on.astype(np.int8)))
        for a, b in zip(edges[::2], edges[1::2], strict=True):
            rows.append({"station": name, "start_utc": str(env.utc(a * env.step_s)),
                         "end_utc": str(env.utc(b * env.step_s)),
                         "duration_h": (b - a) * env.step_s / 3600.0})
    return pd.DataFrame(rows, columns=["station", "start_utc", "end_utc", "duration_h"])


def write_stations(env, cell: int, run_dir: Path) -> Path:
    """``tables/stations.csv`` (:func:`station_windows`)."""
    return _csv(station_windows(env, cell), Path(run_dir) / STATIONS)


def write_summary(summary: dict, run_dir: Path) -> Path:
    return write_text_atomic(Path(run_dir) / SUMMARY,
                             json.dumps(plain(summary), indent=1, sort_keys=False) + "\n")


def _fig(path: Path, fig) -> Path:
    import matplotlib.pyplot as plt

    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png")
    plt.close(fig)
    return path


def write_plots(result, env, run_dir: Path, *, capacity_wh: float,
                lander_capacity_wh: float) -> dict[str, Path]:
    """State of charge, data volume, activity timeline, measured vs true profiles."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    run_dir = Path(run_dir)
    tr = result.traces
    days = np.arange(env.n_steps) * env.step_s / 86400.0
    end_day = result.summary["end_of_mission"]["day"]
    out = {}

    fig, ax = plt.subplots(figsize=(10, 3.6), dpi=100)
    ax.plot(days, tr["soc_wh"] / capacity_wh, "k-", lw=1, label="rover")
    ax.plot(days, tr["lander_soc_wh"] / lander_capacity_wh, "-", color="tab:orange", lw=0.8,
            label="lander")
    ax.axvline(end_day, color="r", ls="--", lw=0.8, label="end of mission")
    ax.set(xlabel="days from touchdown", ylabel="state of charge [1]", ylim=(-0.02, 1.02))
    ax.legend(loc="lower left", fontsize=8)
    out["soc"] = _fig(run_dir / PLOTS["soc"], fig)

    fig, ax = plt.subplots(figsize=(10, 3.6), dpi=100)
    ax.plot(days, np.cumsum(tr["sent_mb"] + tr["lander_sent_mb"]), "b-", label="returned")
    ax.plot(days, np.nan_to_num(tr["stored_mb"]), "g-", lw=0.8, label="rover storage")
    ax.set(xlabel="days from touchdown", ylabel="data [MB]")
    ax.legend(loc="upper left", fontsize=8)
    out["data"] = _fig(run_dir / PLOTS["data"], fig)

    tl = result.timeline
    fig, ax = plt.subplots(figsize=(10, 3.2), dpi=100)
    acts = [a for a in ("egress", "commissioning", "drive", "drill", "analyse", "recover",
                        "idle") if len(tl) and (tl["activity"] == a).any()]
    for row, a in enumerate(acts):
        g = tl[tl["activity"] == a]
        ax.broken_barh(list(zip(g["start_s"] / 86400, (g["end_s"] - g["start_s"]) / 86400,
                                strict=True)), (row - 0.4, 0.8))
    ax.set_yticks(range(len(acts)), acts)
    ax.set_xlabel("days from touchdown")
    out["activity"] = _fig(run_dir / PLOTS["activity"], fig)

    ms = result.measurements
    lt = ms[(ms["instrument"] == "LTGA") & (ms["quantity"] == "H2O")]
    sites = sorted(lt["site"].dropna().unique())
    n = max(len(sites), 1)
    fig, axes = plt.subplots(1, n, figsize=(min(3 * n, 16), 4), dpi=100, sharey=True,
                             squeeze=False)
    for ax, s in zip(axes[0], sites or [None], strict=False):
        if s is None:
            ax.text(0.5, 0.5, "no samples", ha="center", transform=ax.transAxes)
            continue
        g = lt[lt["site"] == s]
        mid = 0.5 * (g["top_m"] + g["bottom_m"])
        ax.errorbar(g["value"], mid, xerr=g["sigma"], fmt="o", ms=3, label="LTGA")
        ax.step(g["truth"], g["bottom_m"], "k-", where="pre", lw=1, label="truth")
        ax.set_title(f"site {int(s)}", fontsize=9)
        ax.set_xlabel("water [wt%]")
    axes[0][0].set_ylabel("depth [m]")
    axes[0][0].invert_yaxis()
    if sites:  # "no samples" has nothing to label
        axes[0][0].legend(fontsize=7)
    out["profiles"] = _fig(run_dir / PLOTS["profiles"], fig)
    return out


def write_monte_carlo(table, stats: dict, run_dir: Path) -> dict[str, Path]:
    """The per-run table and one figure of the distributions per strategy."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    run_dir = Path(run_dir)
    out = {"table": _csv(table, run_dir / MONTE_CARLO)}
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), dpi=100)
    for strat, g in table.groupby("strategy"):
        axes[0].scatter(g["water_area_truth_wt_pct"], g["water_found_wt_pct"], s=10, label=strat)
        axes[1].hist(g["water_max_found_wt_pct"].dropna(), bins=20, alpha=0.5, label=strat)
        axes[2].hist(g["distance_driven_m"] / 1e3, bins=20, alpha=0.5, label=strat)
    lim = [0, max(float(np.nanmax(table[["water_area_truth_wt_pct", "water_found_wt_pct"]]
                                  .to_numpy(float), initial=1.0)), 1e-3)]
    axes[0].plot(lim, lim, "k--", lw=0.8)
    axes[0].set(xlabel="area mean truth [wt%]", ylabel="mean sampled water [wt%]")
    axes[1].set(xlabel="best sample water [wt%]", ylabel="runs")
    axes[2].set(xlabel="distance driven [km]", ylabel="runs")
    for ax in axes:
        ax.legend(fontsize=8)
    fig.suptitle(f"{stats.get('runs', len(table))} Monte Carlo runs per strategy", fontsize=10)
    out["plot"] = _fig(run_dir / MONTE_CARLO_PLOT, fig)
    return out
