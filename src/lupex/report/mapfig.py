"""A map as the report draws it: hillshade, the layer with its colour bar and units, a scale bar,
the latitude/longitude graticule, grid north, the landing ellipse, the sites and the route."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lupex.io.runfolder import RunFolder
from lupex.report import products as P
from lupex.report.geo import graticule, landing
from lupex.report.route import rover_track
from lupex.report.style import map_style

MAX_PX = 700  # a figure ~6.5 in wide at 100 dpi shows no more than this


@dataclass
class Overlay:
    """What every map of one run shows on top: terrain shading, graticule, site, route."""

    crs: Any = None
    bounds: list[float] | None = None
    shade: np.ndarray | None = None
    shade_extent: tuple[float, float, float, float] | None = None
    grat: list[dict[str, Any]] = field(default_factory=list)
    site: dict[str, Any] | None = None
    sites: list[tuple[float, float, int]] = field(default_factory=list)
    route_xy: np.ndarray | None = None


def overlay(rf: RunFolder) -> Overlay:
    """Build the run's :class:`Overlay` from the manifest (terrain, sites table, route)."""
    import pandas as pd

    from lupex.io.quicklook import hillshade

    ov = Overlay()
    dem_p = P.dem_product(rf)
    if dem_p is not None:
        dem = P.read_map(rf, dem_p, max_px=MAX_PX)
        ov.crs = dem.rio.crs
        x, y = dem["x"].values, dem["y"].values
        d = abs(float(x[1] - x[0])) if x.size > 1 else 1.0
        ov.bounds = [float(x.min() - d / 2), float(y.min() - d / 2), float(x.max() + d / 2),
                     float(y.max() + d / 2)]
        ov.shade = hillshade(np.asarray(dem.values, float), d)
        ov.shade_extent = _km_extent(ov.bounds)
        ov.grat = graticule(ov.crs.to_wkt(), ov.bounds)
    ov.site = landing(rf)
    p = P.find(rf, kind="table", name="sites")
    if p is not None:
        try:
            df = pd.read_csv(rf.path / p["path"])
            if {"x_m", "y_m"} <= set(df.columns):
                ranks = df["rank"] if "rank" in df.columns else range(1, len(df) + 1)
                ov.sites = [(float(a), float(b), int(r)) for a, b, r in
                            zip(df["x_m"], df["y_m"], ranks, strict=True)]
        except pd.errors.EmptyDataError:
            pass
    tr = rover_track(rf, crs=ov.crs)
    if tr is not None and len(tr):
        ov.route_xy = tr[["x_m", "y_m"]].to_numpy(float)
    return ov


def zoom_overlay(rf: RunFolder, product: dict[str, Any], ov: Overlay) -> Overlay:
    """The run's overlay on the extent of another map (the mission's nested grid): its own
    hillshade, graticule and the sites inside it."""
    from dataclasses import replace

    from lupex.io.quicklook import hillshade

    da = P.read_map(rf, product, max_px=MAX_PX)
    x, y = da["x"].values, da["y"].values
    d = abs(float(x[1] - x[0])) if x.size > 1 else 1.0
    b = [float(x.min() - d / 2), float(y.min() - d / 2), float(x.max() + d / 2),
         float(y.max() + d / 2)]
    crs = da.rio.crs or ov.crs
    return replace(ov, crs=crs, bounds=b, shade=hillshade(np.asarray(da.values, float), d),
                   shade_extent=_km_extent(b),
                   grat=graticule(crs.to_wkt(), b) if crs is not None else [],
                   sites=[s for s in ov.sites if b[0] <= s[0] <= b[2] and b[1] <= s[1] <= b[3]])


def _km_extent(b: list[float]) -> tuple[float, float, float, float]:
    return (b[0] / 1e3, b[2] / 1e3, b[1] / 1e3, b[3] / 1e3)


def _nice_length_km(span_km: float) -> float:
    target = span_km / 4.0
    mag = 10 ** np.floor(np.log10(target))
    for m in (5, 2, 1):
        if m * mag <= target:
            return float(m * mag)
    return float(mag)


def draw_overlay(ax: Any, ov: Overlay, *, route: bool = True, sites: bool = True) -> None:
    """Graticule, scale bar, grid north, ellipse, sites and route on a km-axes map."""
    import matplotlib.patches as mpatches
    import matplotlib.patheffects as pe

    halo = [pe.withStroke(linewidth=2.2, foreground="black")]
    for g in ov.grat:
        x = np.array([np.nan if v is None else v for v in g["x_m"]], float) / 1e3
        y = np.array([np.nan if v is None else v for v in g["y_m"]], float) / 1e3
        ax.plot(x, y, color="white", lw=0.6, ls=(0, (3, 3)), alpha=0.7, zorder=4)
        ok = np.flatnonzero(np.isfinite(x))
        if ok.size:
            k = ok[len(ok) // 2] if g["kind"] == "parallel" else ok[-1]
            ax.text(x[k], y[k], g["label"], color="white", fontsize=7, ha="center",
                    va="center", path_effects=halo, zorder=6, clip_on=True)
    if ov.route_xy is not None and route:
        ax.plot(ov.route_xy[:, 0] / 1e3, ov.route_xy[:, 1] / 1e3, "-", color="#00e5ff", lw=1.8,
                zorder=7, label="rover route")
    if sites:
        for sx, sy, r in ov.sites:
            ax.plot(sx / 1e3, sy / 1e3, "o", ms=5, color="#ffd60a", mec="black", mew=0.7, zorder=8)
            ax.text(sx / 1e3, sy / 1e3, f" {r}", color="white", fontsize=7, va="bottom",
                    path_effects=halo, zorder=8)
    s = ov.site
    if s is not None and "x_m" in s:
        r = s.get("ellipse_radius_m")
        if r and np.isfinite(r):
            ax.add_patch(mpatches.Circle((s["x_m"] / 1e3, s["y_m"] / 1e3), r / 1e3, fill=False,
                                         ec="#ff3b30", lw=1.6, zorder=9))
        ax.plot(s["x_m"] / 1e3, s["y_m"] / 1e3, "^", ms=8, color="#ff3b30", mec="white",
                mew=0.8, zorder=10, label="landing site")
    if ov.shade_extent is not None:
        x0, x1, y0, y1 = ov.shade_extent
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        length = _nice_length_km(x1 - x0)
        bx, by = x0 + 0.05 * (x1 - x0), y0 + 0.05 * (y1 - y0)
        ax.add_patch(mpatches.Rectangle((bx, by), length, 0.012 * (y1 - y0), color="white",
                                        ec="black", lw=0.6, zorder=11))
        ax.text(bx + length / 2, by + 0.025 * (y1 - y0), f"{length:g} km", color="white",
                ha="center", va="bottom", fontsize=8, path_effects=halo, zorder=11)
        nx, ny = x1 - 0.07 * (x1 - x0), y1 - 0.16 * (y1 - y0)
        ax.annotate("grid N", xy=(nx, ny + 0.1 * (y1 - y0)), xytext=(nx, ny), color="white",
                    ha="center", va="top", fontsize=7, path_effects=halo, zorder=11,
                    arrowprops={"arrowstyle": "-|>", "color": "white", "lw": 1.5})
    ax.set_xlabel("x [km] (polar stereographic)")
    ax.set_ylabel("y [km]")
    ax.set_aspect("equal")


def map_png(rf: RunFolder, product: dict[str, Any], ov: Overlay, *, title: str | None = None
            ) -> bytes:
    """PNG bytes of one registered map with the overlay, colour bar and units."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import BoundaryNorm, ListedColormap

    da = P.read_map(rf, product, max_px=MAX_PX)
    vals = np.asarray(da.values, float)
    style = map_style(product, vals, dtype=str(da.dtype))
    x, y = da["x"].values, da["y"].values
    d = abs(float(x[1] - x[0])) if x.size > 1 else 1.0
    ext = (float(x.min() - d / 2) / 1e3, float(x.max() + d / 2) / 1e3,
           float(y.min() - d / 2) / 1e3, float(y.max() + d / 2) / 1e3)
    fig, ax = plt.subplots(figsize=(6.6, 5.6), dpi=100)
    is_dem = product["path"] == (P.dem_product(rf) or {}).get("path")
    if ov.shade is not None:
        ax.imshow(ov.shade, cmap="gray", extent=ov.shade_extent, origin="upper",
                  interpolation="nearest", zorder=1)
    units = product.get("units") or ""
    unit_txt = "" if units in ("", "1") else f" [{units}]"
    name = product.get("long_name") or P.stem(product)
    cmap = matplotlib.colormaps[style["cmap"]]
    if style["kind"] == "mask":
        vals = np.where(vals >= 0.5, 1.0, np.where(np.isfinite(vals), 0.0, np.nan))
        cm2 = ListedColormap([(0, 0, 0, 0), cmap(0.85)])
        im = ax.imshow(vals, cmap=cm2, norm=BoundaryNorm([-0.5, 0.5, 1.5], 2), extent=ext,
                       origin="upper", interpolation="nearest", zorder=2, alpha=0.8)
        cb = fig.colorbar(im, ax=ax, shrink=0.8, ticks=[0, 1])
        cb.ax.set_yticklabels(["no", "yes"])
        cb.set_label(_wrap(name))
    else:
        im = ax.imshow(vals, cmap=cmap, vmin=style["vmin"], vmax=style["vmax"], extent=ext,
                       origin="upper", interpolation="nearest", zorder=2,
                       alpha=0.55 if is_dem else 0.8)
        cb = fig.colorbar(im, ax=ax, shrink=0.8)
        cb.set_label(_wrap(name) + unit_txt)
    draw_overlay(ax, ov)
    ax.set_xlim(ext[0], ext[1])
    ax.set_ylim(ext[2], ext[3])
    ax.set_title(title or name, fontsize=10)
    fig.tight_layout()
    return _png(fig)


def _wrap(s: str, n: int = 48) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(s, n)) or s


def _png(fig: Any) -> bytes:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()
