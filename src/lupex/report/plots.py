"""The report's plots that are not maps, drawn with matplotlib from the run's data products.

Each function takes plain data (a dict from :func:`lupex.report.sky.sky_at`, a DataFrame read
through the manifest) and returns PNG bytes; it raises nothing for a column it cannot find but
returns None, so a run without a product simply has no plot.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lupex.report.mapfig import _png

SUN, EARTH, HOR = "#f59e0b", "#1f6feb", "#6b5e50"


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _days(times: Any) -> tuple[np.ndarray, np.datetime64]:
    t = np.asarray(times, dtype="datetime64[s]")
    return (t - t[0]).astype(np.int64) / 86400.0, t[0]


def site_sky_png(sky: dict[str, Any], *, title: str) -> bytes:
    """Sun and Earth elevation at a site over the window against the site's terrain horizon
    (left), and the horizon profile with the Sun's and Earth's tracks (right)."""
    plt = _plt()
    times = np.array([s.rstrip("Z") for s in sky["times_utc"]], dtype="datetime64[s]")
    d, t0 = _days(times)
    fig, (a, b) = plt.subplots(1, 2, figsize=(12, 4.2), dpi=100,
                               gridspec_kw={"width_ratios": [1.35, 1]})
    se, sh = np.array(sky["sun_elevation_deg"]), np.array(sky["horizon_deg_at_sun"])
    ee, eh = np.array(sky["earth_elevation_deg"]), np.array(sky["horizon_deg_at_earth"])
    lit = np.array(sky["sun_fraction"]) > 0
    a.fill_between(d, -90, 90, where=lit, step="mid", color=SUN, alpha=0.12, lw=0,
                   label="Sun (part) above the terrain")
    a.plot(d, se, color=SUN, lw=1.4, label="Sun centre elevation")
    a.plot(d, sh, color=SUN, lw=1.0, ls="--", label="terrain horizon under the Sun")
    a.plot(d, ee, color=EARTH, lw=1.4, label="Earth centre elevation")
    a.plot(d, eh, color=EARTH, lw=1.0, ls="--", label="terrain horizon under the Earth")
    lo = min(np.nanmin(se), np.nanmin(sh), np.nanmin(ee), np.nanmin(eh)) - 1
    hi = max(np.nanmax(se), np.nanmax(sh), np.nanmax(ee), np.nanmax(eh)) + 1
    a.set_ylim(lo, hi)
    a.set_xlim(d[0], d[-1])
    a.set_xlabel(f"days since {str(t0).replace('T', ' ')[:16]} UTC")
    a.set_ylabel("elevation [deg]")
    a.legend(fontsize=7, loc="upper right", ncol=2)
    a.grid(alpha=0.3)
    az, hz = np.array(sky["azimuth_deg"]), np.array(sky["horizon_deg"])
    b.fill_between(np.r_[az, az[0] + 360], -90, np.r_[hz, hz[0]], color=HOR, alpha=0.55,
                   lw=0, label="terrain horizon")
    b.scatter(sky["sun_azimuth_deg"], se, s=4, color=SUN, label="Sun track", zorder=3)
    b.scatter(sky["earth_azimuth_deg"], ee, s=4, color=EARTH, label="Earth track", zorder=3)
    b.set_xlim(0, 360)
    b.set_xticks([0, 90, 180, 270, 360], ["N", "E", "S", "W", "N"])
    b.set_ylim(min(lo, np.nanmin(hz) - 1), max(hi, np.nanmax(hz) + 1))
    b.set_xlabel("azimuth (clockwise from local north)")
    b.set_ylabel("elevation [deg]")
    b.legend(fontsize=7, loc="upper right")
    b.grid(alpha=0.3)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return _png(fig)


def _bands(ax: Any, d: np.ndarray, mask: np.ndarray, y0: float, y1: float, colour: str,
           label: str) -> None:
    ax.fill_between(d, y0, y1, where=mask, step="post", color=colour, lw=0, label=label,
                    transform=ax.get_xaxis_transform())


def soc_png(track: Any, *, title: str) -> bytes | None:
    """State of charge of the rover over its route, with darkness, Earth visibility and the
    activity timeline as bands."""
    if "soc_fraction" not in track.columns:
        return None
    plt = _plt()
    d, t0 = _days(track["time_utc"].to_numpy())
    h = d * 24.0
    fig, ax = plt.subplots(figsize=(12, 3.6), dpi=100)
    ax.plot(h, 100 * track["soc_fraction"].to_numpy(float), color="black", lw=1.5,
            label="state of charge")
    if "sunlit" in track.columns:
        _bands(ax, h, ~track["sunlit"].astype(bool).to_numpy(), 0, 1, "0.35",
               "in darkness")
        ax.collections[-1].set_alpha(0.25)
    if "earth_visible" in track.columns:
        _bands(ax, h, track["earth_visible"].astype(bool).to_numpy(), 0, 0.04, EARTH,
               "Earth visible")
    act = "activity" if "activity" in track.columns else "action" if "action" in \
        track.columns else None
    if act:
        acts = [a for a in dict.fromkeys(track[act].astype(str)) if a != "nan"]
        cmap = plt.get_cmap("tab10")
        for k, a in enumerate(acts):
            _bands(ax, h, (track[act].astype(str) == a).to_numpy(), 0.96, 1.0, cmap(k % 10),
                   f"activity: {a}")
    ax.set_ylim(0, 102)
    ax.set_xlim(h[0], h[-1] if h[-1] > h[0] else h[0] + 1)
    ax.set_xlabel(f"hours since {str(t0).replace('T', ' ')[:16]} UTC")
    ax.set_ylabel("state of charge [%]")
    ax.legend(fontsize=7, loc="lower left", ncol=3)
    ax.grid(alpha=0.3)
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return _png(fig)


def _intervals(df: Any) -> tuple[Any, Any, str] | None:
    for a, b in (("start_utc", "end_utc"), ("start_utc", "stop_utc"), ("begin_utc", "end_utc")):
        if {a, b} <= set(df.columns):
            lab = next((c for c in ("activity", "station", "name", "kind", "state")
                        if c in df.columns), None)
            if lab:
                return (np.asarray(df[a].str.rstrip("Z"), "datetime64[s]"),
                        np.asarray(df[b].str.rstrip("Z"), "datetime64[s]"), lab)
    return None


def gantt_png(df: Any, *, title: str, what: str) -> bytes | None:
    """Intervals (``start_utc``/``end_utc`` and an activity/station column) as a timeline."""
    iv = _intervals(df)
    if iv is None or not len(df):
        return None
    start, end, lab = iv
    plt = _plt()
    t0 = start.min()
    names = list(dict.fromkeys(df[lab].astype(str)))
    fig, ax = plt.subplots(figsize=(12, 0.9 + 0.32 * len(names)), dpi=100)
    cmap = plt.get_cmap("tab10")
    for k, n in enumerate(names):
        m = (df[lab].astype(str) == n).to_numpy()
        s = (start[m] - t0).astype(np.int64) / 3600.0
        w = (end[m] - start[m]).astype(np.int64) / 3600.0
        ax.broken_barh(list(zip(s, w, strict=True)), (k - 0.4, 0.8), color=cmap(k % 10))
    ax.set_yticks(range(len(names)), names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(f"hours since {str(t0).replace('T', ' ')[:16]} UTC")
    ax.set_title(title, fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    ax.set_ylabel(what)
    fig.tight_layout()
    return _png(fig)


def profiles_png(df: Any, *, title: str) -> bytes | None:
    """Measured against true profiles at each drill site.

    Reads the mission's long table (one row per measurement: ``site``, ``instrument``,
    ``quantity``, ``value``, ``sigma``, ``truth``, ``unit``, ``top_m``, ``bottom_m``): for each
    drill site, the measured value (points with 1-sigma bars) and the truth (line) against the
    mid-depth of the sampled interval. One panel per site (at most 6).
    """
    need = {"site", "value", "truth", "top_m", "bottom_m"}
    if not need <= set(df.columns):
        return None
    d = df.dropna(subset=["site", "top_m", "bottom_m"])
    if "quantity" in d.columns and (d["quantity"] == "H2O").any():
        d = d[d["quantity"] == "H2O"]
    if not len(d):
        return None
    plt = _plt()
    groups = list(d.groupby("site"))[:6]
    unit = str(d["unit"].iloc[0]) if "unit" in d.columns else ""
    fig, axes = plt.subplots(1, len(groups), figsize=(min(12, 3.4 * len(groups) + 1), 4),
                             dpi=100, squeeze=False)
    for ax, (name, g) in zip(axes[0], groups, strict=True):
        g = g.sort_values("top_m")
        mid = 0.5 * (g["top_m"].to_numpy(float) + g["bottom_m"].to_numpy(float))
        ax.step(g["truth"].to_numpy(float), g["top_m"].to_numpy(float), where="post",
                color="black", lw=1.4, label="truth")
        sig = g["sigma"].to_numpy(float) if "sigma" in g.columns else None
        ax.errorbar(g["value"].to_numpy(float), mid, xerr=sig, fmt="o", color="#d62728",
                    ms=4, capsize=2, label="measured")
        ax.invert_yaxis()
        ax.set_xlabel(f"water [{unit}]")
        ax.set_ylabel("depth [m]")
        ax.set_title(f"drill site {name}", fontsize=9)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return _png(fig)


PREFERRED_MC = ("water_found_wt_pct", "water_max_found_wt_pct", "distance_driven_m",
                "data_returned_mb", "min_state_of_charge", "samples")
"""Monte Carlo quantities shown first (the rest follow in table order)."""


def distributions_png(df: Any, *, title: str, max_panels: int = 6) -> bytes | None:
    """Histograms of the numeric columns of a Monte Carlo table (one panel per quantity), one
    colour per drilling strategy when the table has a ``strategy`` column."""
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    numeric = [c for c in df.columns if is_numeric_dtype(df[c]) and not is_bool_dtype(df[c])
               and c not in ("draw", "seed", "run", "i", "truth_seed", "landing_x_m",
                             "landing_y_m") and df[c].nunique() > 1]
    cols = ([c for c in PREFERRED_MC if c in numeric]
            + [c for c in numeric if c not in PREFERRED_MC])[:max_panels]
    if not cols:
        return None
    from lupex.report.fmt import label, unit_of

    groups = (list(df.groupby("strategy", sort=True)) if "strategy" in df.columns
              else [("", df)])
    colours = ("#4c78a8", "#f58518", "#54a24b", "#b279a2")
    plt = _plt()
    fig, axes = plt.subplots(1, len(cols), figsize=(min(14, 3.0 * len(cols)), 3.4), dpi=100,
                             squeeze=False)
    for ax, c in zip(axes[0], cols, strict=True):
        allv = df[c].to_numpy(float)
        allv = allv[np.isfinite(allv)]
        bins = np.histogram_bin_edges(allv, bins=min(30, max(5, allv.size // 5)))
        for k, (name, g) in enumerate(groups):
            v = g[c].to_numpy(float)
            v = v[np.isfinite(v)]
            if not v.size:
                continue
            col = colours[k % len(colours)]
            ax.hist(v, bins=bins, color=col, alpha=0.55, label=str(name) or None)
            ax.axvline(np.median(v), color=col, lw=1.5)
        u = unit_of(c)
        ax.set_xlabel(label(c) + (f" [{u}]" if u else ""), fontsize=8)
        ax.set_ylabel("draws")
    if len(groups) > 1:
        axes[0][0].legend(fontsize=8, title="strategy", title_fontsize=8)
    fig.suptitle(title + " (lines: medians)", fontsize=10)
    fig.tight_layout()
    return _png(fig)
