"""Write maps as Cloud-Optimized GeoTIFF, atomically, with CRS, units and provenance tags."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from lupex.io.atomic import atomic_path


def write_geotiff(da: xr.DataArray, path: str | os.PathLike[str], *,
                  provenance: dict[str, Any] | None = None, nodata: float | None = None) -> Path:
    """Write a ``(y, x)`` map to a Cloud-Optimized GeoTIFF (deflate, tiled, overviews).

    The write is atomic: a temporary file beside ``path`` is renamed onto it when complete.
    ``units``, ``long_name`` and the provenance record are stored as GDAL metadata tags
    (``LUPEX_PROVENANCE`` holds the JSON).

    Parameters
    ----------
    da : DataArray
        Map with a CRS written by rioxarray.
    path : path-like
        Output file name (``.tif``).
    provenance : dict, optional
        Record from :func:`lupex.io.provenance`.
    nodata : float, optional
        Nodata value; NaN for float maps by default.
    """
    out = da
    if out.dtype == bool:
        out = out.astype("uint8")
    if nodata is None and np.issubdtype(out.dtype, np.floating):
        nodata = float("nan")
    if nodata is not None:
        out = out.rio.write_nodata(nodata, encoded=False)
    tags: dict[str, str] = {}
    for key in ("units", "long_name"):
        if key in da.attrs:
            tags[key] = str(da.attrs[key])
    if provenance is not None:
        tags["LUPEX_PROVENANCE"] = json.dumps(provenance, default=str)
    clean = out.copy()
    clean.attrs = {k: v for k, v in out.attrs.items() if isinstance(v, (str, int, float))}
    clean.attrs.update(tags)
    with atomic_path(path) as tmp:
        clean.rio.to_raster(tmp, driver="COG", compress="DEFLATE", tags=tags)
    return Path(path)
