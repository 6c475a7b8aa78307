"""What the viewer page needs to draw a run: its projection, layers, colours and time window.

Everything comes from the manifest (:mod:`lupex.report.products`); the page then reads the
Cloud-Optimized GeoTIFFs itself with geotiff.js through byte-range requests.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lupex.io.runfolder import RunFolder
from lupex.report import products as P
from lupex.report.style import colour_stops, map_style


def _header(path) -> dict[str, Any]:
    import rasterio

    with rasterio.open(path) as src:
        b = src.bounds
        # statistics from a decimated read (at most ~512 px a side; COG overviews serve it)
        s = max(1, int(np.ceil(max(src.width, src.height) / 512)))
        a = src.read(1, out_shape=(max(1, src.height // s), max(1, src.width // s)),
                     masked=True).astype(float).filled(np.nan)
        return {"bounds": [b.left, b.bottom, b.right, b.top], "width": src.width,
                "height": src.height, "dtype": src.dtypes[0], "nodata": src.nodata,
                "crs": src.crs, "sample": a}


def projection_info(crs: Any, extent: list[float]) -> dict[str, Any]:
    """The page's projection: code, extent in metres and, for a polar stereographic sphere,
    the constants of the closed-form inverse ``rho = 2 R k0 tan(colat / 2)`` the page uses to
    show latitude and longitude (Snyder 1987, eqs. 21-2 to 21-9)."""
    from lupex.terrain.geometry import _polar_stereo, crs_label, dem_crs

    c = dem_crs(crs)
    out: dict[str, Any] = {"code": crs_label(c), "extent": extent, "units": "m",
                           "wkt": c.to_wkt()}
    ps = _polar_stereo(c)
    if ps is not None:
        out["polar"] = {"south": ps.south, "two_r_k0_m": 2.0 * ps.radius_m * ps.k0,
                        "lon0_deg": ps.lon0_deg, "false_easting_m": ps.false_easting_m,
                        "false_northing_m": ps.false_northing_m}
    return out


def viewer_config(rf: RunFolder) -> dict[str, Any]:
    """The JSON the page starts from (``/api/config``)."""
    layers = []
    extent = None
    crs = None
    dem = P.dem_product(rf)
    for p in P.maps(rf):
        h = _header(rf.path / p["path"])
        style = map_style(p, h["sample"], dtype=h["dtype"])
        b = h["bounds"]
        extent = b if extent is None else [min(extent[0], b[0]), min(extent[1], b[1]),
                                           max(extent[2], b[2]), max(extent[3], b[3])]
        if crs is None or (dem is not None and p["path"] == dem["path"]):
            crs = h["crs"]
        layers.append({"id": P.stem(p), "url": "/run/" + p["path"], "stage": p["stage"],
                       "long_name": p.get("long_name") or P.stem(p),
                       "units": p.get("units") or "", "bounds": b, "width": h["width"],
                       "height": h["height"], "nodata": h["nodata"], **style,
                       "stops": colour_stops(style["cmap"])})
    plans = [{"id": P.stem(p), "url": "/run/" + p["path"], "long_name": p.get("long_name")}
             for p in rf.products(kind="plan") if (rf.path / p["path"]).exists()]
    w = P.window(rf)
    return {
        "title": rf.manifest.get("scenario_name") or rf.path.name,
        "projection": projection_info(crs, extent) if crs is not None else None,
        "layers": layers,
        "dem": P.stem(dem) if dem else None,
        "plans": plans,
        "window": None if w is None else [f"{np.datetime_as_string(t, unit='s')}Z" for t in w],
        "horizons": P.find(rf, kind="store", name="horizons") is not None,
    }
