"""The map contract shared by every layer.

A map is an :class:`xarray.DataArray` with dims ``(y, x)``, coordinates in metres of the DEM's
projected lunar CRS (pixel centres, ``y`` usually decreasing), the CRS written with rioxarray,
and ``attrs`` holding ``units``, ``long_name`` and the parameters and source that made it.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import rioxarray
import xarray as xr


def make_map(data: np.ndarray, like: xr.DataArray | None = None, *, x: np.ndarray | None = None,
             y: np.ndarray | None = None, crs: Any = None, name: str, units: str,
             long_name: str, **attrs: Any) -> xr.DataArray:
    """Wrap a ``(y, x)`` array as a lupex map.

    Parameters
    ----------
    data : ndarray, shape (ny, nx)
        The values.
    like : DataArray, optional
        A map whose coordinates and CRS to copy (usually the DEM).
    x, y : ndarray, optional
        Pixel-centre coordinates [m], when ``like`` is not given.
    crs : optional
        Anything pyproj understands, when ``like`` is not given.
    name, units, long_name : str
        Variable name, unit string (UDUNITS style, e.g. ``"K"``, ``"1"``, ``"h"``) and a
        human-readable description.
    **attrs
        Parameters and source; dicts and lists are stored as JSON strings so GeoTIFF/Zarr
        writers can keep them.
    """
    if like is not None:
        x = like["x"].values
        y = like["y"].values
        crs = like.rio.crs
    if x is None or y is None:
        raise ValueError("make_map needs either `like` or both `x` and `y`.")
    arr = np.asarray(data)
    if arr.shape != (len(y), len(x)):
        raise ValueError(f"make_map: data shape {arr.shape} != (len(y), len(x)) = {(len(y), len(x))}")
    out = xr.DataArray(arr, dims=("y", "x"), coords={"y": np.asarray(y, float), "x": np.asarray(x, float)},
                       name=name)
    out.attrs.update({"units": units, "long_name": long_name})
    for k, v in attrs.items():
        out.attrs[k] = json.dumps(v, default=str) if isinstance(v, (dict, list, tuple)) else v
    if crs is not None:
        out = out.rio.write_crs(crs)
    out["x"].attrs.update({"units": "m", "standard_name": "projection_x_coordinate"})
    out["y"].attrs.update({"units": "m", "standard_name": "projection_y_coordinate"})
    return out


def pixel_size_m(da: xr.DataArray) -> tuple[float, float]:
    """Return ``(dx, dy)`` pixel size [m] of a map (positive numbers)."""
    x = da["x"].values
    y = da["y"].values
    dx = float(abs(x[1] - x[0])) if x.size > 1 else float("nan")
    dy = float(abs(y[1] - y[0])) if y.size > 1 else dx
    return dx, dy


def read_map(path: Any, *, masked: bool = False) -> xr.DataArray:
    """Re-open a one-band GeoTIFF that lupex wrote as a ``(y, x)`` map (loaded, CRS kept).

    Raises :class:`~lupex.errors.InputFileError` naming the file when it is missing or
    unreadable.
    """
    from pathlib import Path

    from lupex.errors import InputFileError

    p = Path(path)
    if not p.exists():
        raise InputFileError(f"{p}: missing; rerun the stage that writes it (`lupex run`).")
    try:
        da = rioxarray.open_rasterio(p, masked=masked).squeeze("band", drop=True)
    except Exception as exc:
        raise InputFileError(f"{p}: cannot be read as a raster ({exc}); rerun the stage that "
                             "wrote it.") from exc
    da.name = p.stem
    return da.load()
