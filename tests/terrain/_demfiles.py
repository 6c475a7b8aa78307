"""Helpers for the terrain tests: write small rasters with chosen CRS, geotransform and values,
and the independent closed forms of the spherical polar stereographic projection."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import rasterio
import xarray as xr
from rasterio.transform import Affine

from lupex.constants import MOON_RADIUS_M
from lupex.io.maps import make_map

R = MOON_RADIUS_M
SOUTH = "IAU_2015:30135"
NORTH = "IAU_2015:30130"


def from_origin(west: float, north: float, xsize: float, ysize: float) -> Affine:
    """North-up geotransform (rasterio's from_origin without its deprecated ``*``)."""
    return Affine(xsize, 0.0, west, 0.0, -ysize, north)


def write_raster(path: Path, data: np.ndarray, *, crs=SOUTH, transform: Affine | None = None,
                 nodata: float | None = None, dtype: str | None = None, units: str | None = None
                 ) -> Path:
    """Write ``data`` (ny, nx) as a one-band GeoTIFF; default 100 m pixels, top-left (0, 0)."""
    data = np.asarray(data)
    dtype = dtype or str(data.dtype)
    transform = transform if transform is not None else from_origin(0.0, 0.0, 100.0, 100.0)
    with rasterio.open(path, "w", driver="GTiff", width=data.shape[1], height=data.shape[0],
                       count=1, dtype=dtype, crs=crs, transform=transform, nodata=nodata) as ds:
        ds.write(data.astype(dtype), 1)
        if units is not None:
            ds.set_band_unit(1, units)
    return path


def grid_dem(values_fn, *, x0_m: float, y0_m: float, pixel_m: float, n: int, crs=SOUTH
             ) -> xr.DataArray:
    """A DEM map centred on (x0, y0) [m] with ``values_fn(X, Y)`` [m] on an n x n grid."""
    off = (np.arange(n) - (n - 1) / 2.0) * pixel_m
    x = x0_m + off
    y = y0_m - off  # north-up
    X, Y = np.meshgrid(x, y)
    return make_map(np.asarray(values_fn(X, Y), dtype=float), x=x, y=y, crs=crs,
                    name="elevation", units="m", long_name="test DEM")


def south_xy(lat_deg: float, lon_deg: float) -> tuple[float, float]:
    """Forward spherical south polar stereographic (Snyder 1987 eqs. 21-5, 21-6, 21-4 with k0=1)."""
    rho = 2.0 * R * np.tan(np.pi / 4.0 - abs(np.radians(lat_deg)) / 2.0)
    return rho * np.sin(np.radians(lon_deg)), rho * np.cos(np.radians(lon_deg))


def south_inverse(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inverse spherical south polar stereographic: rho = 2R tan(pi/4 - |lat|/2), lon = atan2(x, y)."""
    rho = np.hypot(x, y)
    lat = -(90.0 - 2.0 * np.degrees(np.arctan(rho / (2.0 * R))))
    lon = np.degrees(np.arctan2(x, y))
    return lat, lon


def north_inverse(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inverse spherical north polar stereographic: x = rho sin lon, y = -rho cos lon."""
    rho = np.hypot(x, y)
    lat = 90.0 - 2.0 * np.degrees(np.arctan(rho / (2.0 * R)))
    lon = np.degrees(np.arctan2(x, -y))
    return lat, lon
