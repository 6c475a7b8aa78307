"""Write a :class:`~lupex.traverse.planner.TraversePlan`: CSV track, GeoJSON, PNG plot.

GeoJSON coordinates are ``[x_m, y_m]`` in the DEM's projected lunar CRS (RFC 7946 assumes
WGS 84 longitude/latitude, which has no meaning on the Moon); the CRS is named in a top-level
``"crs"`` member and every point also carries ``lat_deg``/``lon_deg`` where known.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from lupex.io.atomic import atomic_path, write_text_atomic
from lupex.times import SECONDS_PER_HOUR

TRACK_COLUMNS = ["time_utc", "elapsed_s", "x_m", "y_m", "lat_deg", "lon_deg", "action", "stage",
                 "leg", "soc_wh", "soc_fraction", "sun_fraction", "sunlit", "earth_visible",
                 "dark_h", "no_earth_h", "slope_deg", "step_m", "margin", "binding", "binding_leg"]


def write_track_csv(plan: Any, path: str | os.PathLike[str]) -> Path:
    """One row per move: time, position, action, SOC, Sun/Earth status, binding constraint."""
    cols = [c for c in TRACK_COLUMNS if c in plan.track.columns]
    return write_text_atomic(path, plan.track[cols].to_csv(index=False, float_format="%.6g"))


def _crs_name(crs: Any) -> str | None:
    if crs is None:
        return None
    from lupex.terrain import crs_label

    try:
        return crs_label(crs)
    except Exception:  # a CRS pyproj cannot parse: keep its text
        return str(crs)


def _plain(v: Any) -> Any:
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, (np.floating, float)):
        return None if not np.isfinite(v) else float(v)
    return v


def plan_geojson(plan: Any) -> dict:
    """The route as RFC 7946 GeoJSON in planetocentric ``[lon, lat]`` degrees: a LineString with
    ``times_utc`` (one ISO 8601 UTC time per vertex), the leg waypoints as Points and the
    static shortest route as a second LineString. Projected metres stay in the properties."""
    from lupex.terrain import geojson_lonlat

    tr = plan.track
    coords = geojson_lonlat(tr["x_m"].to_numpy(), tr["y_m"].to_numpy(), plan.crs)
    times = [str(t) if str(t).endswith("Z") else f"{t}Z" for t in tr["time_utc"]] \
        if "time_utc" in tr.columns else None
    feats = [{"type": "Feature", "geometry": {"type": "LineString", "coordinates": coords},
              "properties": {"name": "planned route", "times_utc": times,
                             **{k: _plain(v) for k, v in plan.summary.items()}}}]
    if len(plan.static_xy):
        feats.append({"type": "Feature",
                      "geometry": {"type": "LineString", "coordinates": geojson_lonlat(
                          plan.static_xy[:, 0], plan.static_xy[:, 1], plan.crs)},
                      "properties": {"name": "static shortest route",
                                     **{k: _plain(v) for k, v in plan.static.items()}}})
    # waypoints: the first and last row of every leg
    idx = sorted({0, len(tr) - 1, *tr.groupby("leg").head(1).index.tolist(),
                  *tr.groupby("leg").tail(1).index.tolist()})
    for i in idx:
        r = tr.loc[i]
        props = {k: _plain(r[k]) for k in tr.columns if k != "cell"}
        feats.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": coords[i]},
                      "properties": props})
    return {"type": "FeatureCollection", "features": feats,
            "projected_crs": _crs_name(plan.crs)}


def write_geojson(plan: Any, path: str | os.PathLike[str]) -> Path:
    """Write :func:`plan_geojson` atomically."""
    return write_text_atomic(path, json.dumps(plan_geojson(plan), indent=1) + "\n")


def plot_plan(plan: Any, path: str | os.PathLike[str], *, dem: Any = None) -> Path:
    """Map of the route (over a hillshade when ``dem`` is given) and SOC vs time with Sun and
    Earth status."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from lupex.io.quicklook import hillshade

    tr = plan.track
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(13, 5.5), dpi=100,
                                 gridspec_kw={"width_ratios": [1, 1.3]})
    if dem is not None:
        x = dem["x"].values / 1e3
        y = dem["y"].values / 1e3
        dx = abs(x[1] - x[0])
        ax.imshow(hillshade(np.asarray(dem.values, float), dx * 1e3), cmap="gray",
                  extent=(x[0] - dx / 2, x[-1] + dx / 2, y[-1] - dx / 2, y[0] + dx / 2), origin="upper")
    if len(plan.static_xy):
        ax.plot(plan.static_xy[:, 0] / 1e3, plan.static_xy[:, 1] / 1e3, "--", color="0.6", lw=1.2,
                label="static shortest")
    sc = ax.scatter(tr.x_m / 1e3, tr.y_m / 1e3, c=tr.soc_fraction, cmap="plasma", s=6, vmin=0, vmax=1,
                    zorder=3)
    ax.plot(tr.x_m / 1e3, tr.y_m / 1e3, "-", color="tab:cyan", lw=0.8, zorder=2, label="planned")
    sci = tr[tr.action == "science"]
    ax.plot(tr.x_m.iloc[0] / 1e3, tr.y_m.iloc[0] / 1e3, "g^", ms=10, label="start")
    ax.plot(sci.x_m / 1e3, sci.y_m / 1e3, "r*", ms=12, label="targets")
    ax.plot(tr.x_m.iloc[-1] / 1e3, tr.y_m.iloc[-1] / 1e3, "bs", ms=8, label="end")
    ax.set_xlabel("x [km]")
    ax.set_ylabel("y [km]")
    ax.set_aspect("equal")
    ax.legend(loc="best", fontsize=8)
    fig.colorbar(sc, ax=ax, label="state of charge [1]", shrink=0.8)
    th = tr.elapsed_s.to_numpy() / SECONDS_PER_HOUR
    th = th - th[0]
    bx.plot(th, tr.soc_fraction, "k-", label="state of charge")
    bx.fill_between(th, 0, 1, where=~tr.sunlit.to_numpy(bool), step="post", color="0.3", alpha=0.3,
                    label="in darkness")
    bx.fill_between(th, 0, 0.04, where=tr.earth_visible.to_numpy(bool), step="post", color="tab:blue",
                    alpha=0.6, label="Earth visible")
    for _, g in tr[tr.action == "wait"].groupby("leg"):
        bx.axvspan(th[g.index[0] - 1] if g.index[0] > 0 else th[g.index[0]], th[g.index[-1]],
                   color="tab:orange", alpha=0.25, lw=0)
    bx.set_ylim(0, 1.02)
    bx.set_xlabel("time since start [h] (orange: waiting)")
    bx.set_ylabel("state of charge [1]")
    bx.legend(loc="lower left", fontsize=8)
    s = plan.summary
    fig.suptitle(f"traverse: {s['duration_h']:.1f} h, {s['distance_m'] / 1e3:.2f} km, waiting "
                 f"{s['wait_h']:.1f} h; static shortest {plan.static['length_m'] / 1e3:.2f} km, "
                 f"{plan.static['time_h']:.1f} h")
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png")
    plt.close(fig)
    return Path(path)


def write_traverse_outputs(plan: Any, run_dir: str | os.PathLike[str], *, dem: Any = None,
                           provenance: dict | None = None) -> dict[str, Path]:
    """Write a plan into a run folder: track and legs CSV, GeoJSON, PNG map, JSON summary.

    Parameters
    ----------
    plan : TraversePlan
        The plan (:func:`lupex.traverse.plan_traverse`).
    run_dir : path-like
        Run folder; files go to ``tables/traverse.csv``, ``tables/traverse_legs.csv``,
        ``plans/traverse.geojson``, ``plans/traverse.png`` and ``plans/traverse.json``.
    dem : DataArray, optional
        Terrain for the map's background.
    provenance : dict, optional
        Provenance record; the plan's summary, static route and search statistics are added.

    Returns
    -------
    dict of str to Path
        The files written, keyed ``csv``, ``legs``, ``geojson``, ``png``, ``json``.
    """
    from lupex.io.atomic import write_json_atomic

    run = Path(run_dir)
    out = {
        "csv": plan.to_csv(run / "tables" / "traverse.csv"),
        "legs": write_text_atomic(run / "tables" / "traverse_legs.csv",
                                  plan.legs.to_csv(index=False, float_format="%.6g")),
        "geojson": plan.to_geojson(run / "plans" / "traverse.geojson"),
        "png": plan.plot(run / "plans" / "traverse.png", dem=dem),
    }
    prov = dict(provenance or {})
    prov.update(summary=plan.summary, static=plan.static, search=plan.search)
    out["json"] = write_json_atomic(run / "plans" / "traverse.json", prov)
    return out
