"""One-look summary of a DEM (what ``lupex terrain info`` prints)."""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

__all__ = ["dem_summary"]


def dem_summary(dem: xr.DataArray) -> dict[str, Any]:
    """Size, pixel, extent, latitudes, elevations, slopes and nodata of a DEM.

    Parameters
    ----------
    dem : DataArray (y, x)
        Elevation map [m] from :func:`lupex.terrain.read_dem`.

    Returns
    -------
    dict
        JSON-serialisable: ``file``, ``crs``, ``crs_wkt_name``, ``size_px`` ``[ny, nx]``,
        ``pixel_m`` ``[dx, dy]``, ``extent_km`` (``x_min``, ``x_max``, ``y_min``, ``y_max`` of the
        pixel edges), ``latitude_deg`` (``min``, ``max``, ``centre``), ``longitude_deg_centre``,
        ``elevation_m`` (``min``, ``max``, ``mean``), ``slope_deg`` (``mean``, ``median``,
        ``p95``, ``max``, ``baseline_m``), ``scale_factor`` (``min``, ``max``), ``nodata_pixels``,
        ``filled_pixels``, ``filled_holes``.
    """
    from lupex.io.maps import pixel_size_m
    from lupex.terrain.geometry import (
        crs_label,
        dem_crs,
        latlon_deg,
        scale_factor,
        xy_to_latlon_deg,
    )
    from lupex.terrain.slope import slope_aspect

    crs = dem_crs(dem)
    x = dem["x"].values
    y = dem["y"].values
    dx, dy = pixel_size_m(dem)
    z = np.asarray(dem.values, dtype=float)
    finite = np.isfinite(z)
    lat, _ = latlon_deg(dem)
    k = scale_factor(dem)
    xc, yc = 0.5 * (x[0] + x[-1]), 0.5 * (y[0] + y[-1])
    latc, lonc = xy_to_latlon_deg(np.array([xc]), np.array([yc]), crs)
    out: dict[str, Any] = {
        "file": str(dem.attrs.get("source_file", "")),
        "crs": crs_label(crs),
        "crs_name": crs.name,
        "size_px": [int(dem.sizes["y"]), int(dem.sizes["x"])],
        "pixel_m": [float(dx), float(dy)],
        "extent_km": {
            "x_min": float((x.min() - dx / 2) / 1000.0), "x_max": float((x.max() + dx / 2) / 1000.0),
            "y_min": float((y.min() - dy / 2) / 1000.0), "y_max": float((y.max() + dy / 2) / 1000.0),
        },
        "latitude_deg": {"min": float(np.min(lat)), "max": float(np.max(lat)),
                         "centre": float(latc[0])},
        "longitude_deg_centre": float(lonc[0]),
        "scale_factor": {"min": float(np.min(k)), "max": float(np.max(k))},
        "elevation_m": {
            "min": float(np.min(z[finite])) if finite.any() else None,
            "max": float(np.max(z[finite])) if finite.any() else None,
            "mean": float(np.mean(z[finite])) if finite.any() else None,
        },
        "nodata_pixels": int(dem.attrs.get("nodata_pixels", int((~finite).sum()))),
        "filled_pixels": int(dem.attrs.get("filled_pixels", 0)),
        "filled_holes": int(dem.attrs.get("filled_holes", 0)),
    }
    if min(z.shape) >= 3:
        slope, _ = slope_aspect(dem)
        s = np.asarray(slope.values, dtype=float)
        s = s[np.isfinite(s)]
        out["slope_deg"] = {
            "mean": float(np.mean(s)), "median": float(np.median(s)),
            "p95": float(np.percentile(s, 95)), "max": float(np.max(s)),
            "baseline_m": float(slope.attrs["baseline_m"]),
        } if s.size else None
    return out
