"""Write the site ranking: CSV table, GeoJSON points, score GeoTIFF and a PNG map.

GeoJSON coordinates are ``[x_m, y_m]`` in the DEM's projected lunar CRS (named in a top-level
``"crs"`` member); each point's properties hold the rank, score, lat/lon and the score broken
down by criterion (worst value in the ellipse, normalised value, weight, contribution).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from lupex.io.atomic import atomic_path, write_text_atomic


def _plain(v: Any) -> Any:
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        return None if not np.isfinite(v) else float(v)
    return v


def sites_geojson(result: Any) -> dict:
    """The candidates as RFC 7946 GeoJSON Points in planetocentric ``[lon, lat]`` degrees.

    The projected position stays in the properties (``x_m``, ``y_m``) with the map's CRS in
    the collection's ``projected_crs`` member.
    """
    from lupex.terrain import crs_label, geojson_lonlat

    cands = result.candidates
    crs = result.score.rio.crs
    coords = geojson_lonlat(cands["x_m"].to_numpy(), cands["y_m"].to_numpy(), crs) \
        if len(cands) else []
    feats = []
    for (_, r), c in zip(cands.iterrows(), coords, strict=True):
        props = {k: _plain(v) for k, v in r.items()}
        feats.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": c},
                      "properties": props})
    return {"type": "FeatureCollection", "features": feats, "notes": result.notes,
            "criteria": result.used,
            "projected_crs": crs_label(crs) if crs is not None else None}


def plot_sites(result: Any, path: str | os.PathLike[str], *, dem: Any = None) -> Path:
    """The score map over a hillshade with the ranked candidates and their ellipses."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from lupex.io.quicklook import hillshade

    sc = result.score
    x = sc["x"].values / 1e3
    y = sc["y"].values / 1e3
    d = abs(x[1] - x[0])
    ext = (x[0] - d / 2, x[-1] + d / 2, y[-1] - d / 2, y[0] + d / 2)
    fig, ax = plt.subplots(figsize=(7.5, 6.5), dpi=110)
    if dem is not None:
        ax.imshow(hillshade(np.asarray(dem.values, float), d * 1e3), cmap="gray", extent=ext)
    im = ax.imshow(sc.values, cmap="viridis", vmin=0, vmax=1, extent=ext, alpha=0.75,
                   interpolation="nearest")
    fig.colorbar(im, ax=ax, label="site score [1] (blank: a hard constraint fails)", shrink=0.85)
    r_km = float(sc.attrs.get("ellipse_radius_m", 0)) / 1e3
    for _, c in result.candidates.iterrows():
        ax.add_patch(plt.Circle((c.x_m / 1e3, c.y_m / 1e3), r_km, fill=False, color="red", lw=1))
        ax.annotate(str(int(c["rank"])), (c.x_m / 1e3, c.y_m / 1e3), color="white", fontsize=9,
                    ha="center", va="center", weight="bold")
    ax.set_xlabel("x [km]")
    ax.set_ylabel("y [km]")
    ax.set_title("Landing-site score (worst value in the landing ellipse)")
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png")
    plt.close(fig)
    return Path(path)


def write_site_outputs(result: Any, run_dir: str | os.PathLike[str], *, dem: Any = None,
                       provenance: dict | None = None) -> dict[str, Path]:
    """Write ``tables/sites.csv``, ``plans/sites.geojson``, ``maps/site_score.tif`` and ``.png``."""
    from lupex.io.geotiff import write_geotiff

    run = Path(run_dir)
    paths = {
        "csv": write_text_atomic(run / "tables" / "sites.csv",
                                 result.candidates.to_csv(index=False, float_format="%.9g")),
        "geojson": write_text_atomic(run / "plans" / "sites.geojson",
                                     json.dumps(sites_geojson(result), indent=1) + "\n"),
        "tif": write_geotiff(result.score, run / "maps" / "site_score.tif", provenance=provenance),
    }
    paths["png"] = plot_sites(result, run / "maps" / "site_score.png", dem=dem)
    return paths
