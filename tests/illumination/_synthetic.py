"""Synthetic grids, horizons and Sun tracks for the illumination tests (no other layer needed)."""

from __future__ import annotations

import numpy as np
import xarray as xr

from lupex.constants import MOON_RADIUS_M, SOUTH_POLAR_CRS

R = MOON_RADIUS_M


def polar_latlon(n: int, pixel_m: float, *, x0: float = 0.0, y0: float = 0.0):
    """Pixel centres of an n x n south polar stereographic grid (closed-form inverse)."""
    c = (np.arange(n) - (n - 1) / 2) * pixel_m
    x, y = np.meshgrid(x0 + c, y0 - c)
    rho = np.hypot(x, y)
    lon = np.degrees(np.arctan2(x, y))
    lat = -(90.0 - 2.0 * np.degrees(np.arctan(rho / (2.0 * R))))
    return x, y, lat, lon


def dem_map(n: int, pixel_m: float, elev=None, *, x0: float = 0.0, y0: float = 0.0):
    """A (y, x) DEM DataArray in IAU_2015:30135 with pixel centres like :func:`polar_latlon`."""
    from lupex.io.maps import make_map

    c = (np.arange(n) - (n - 1) / 2) * pixel_m
    data = np.zeros((n, n)) if elev is None else np.asarray(elev, float)
    return make_map(data, x=x0 + c, y=y0 - c, crs=SOUTH_POLAR_CRS, name="elevation", units="m",
                    long_name="test DEM")


def horizons_da(hor_pm: np.ndarray, dem: xr.DataArray) -> xr.DataArray:
    """Wrap pixel-major horizons (P, N) as an (azimuth, y, x) DataArray on ``dem``'s grid."""
    ny, nx = dem.shape
    n = hor_pm.shape[1]
    arr = np.moveaxis(hor_pm.reshape(ny, nx, n), -1, 0).astype(np.float32)
    return xr.DataArray(arr, dims=("azimuth", "y", "x"),
                        coords={"azimuth": np.arange(n) * 360.0 / n, "y": dem.y.values,
                                "x": dem.x.values},
                        attrs={"units": "deg", "azimuth_reference": "grid_north"})


def smooth_random_horizons(n_pix: int, n_az: int, *, seed: int = 1, offset: float = 0.5,
                           amplitude: float = 1.0) -> np.ndarray:
    """Pixel-major horizons: a few random azimuthal harmonics per pixel [deg]."""
    rng = np.random.default_rng(seed)
    az = np.radians(np.arange(n_az) * 360.0 / n_az)
    hor = np.full((n_pix, n_az), offset)
    for m in range(1, 8):
        a = rng.normal(0, amplitude / m, (n_pix, 1))
        ph = rng.uniform(0, 2 * np.pi, (n_pix, 1))
        hor += a * np.cos(m * az + ph)
    return hor.astype(np.float32)


def synthetic_sun_me(n: int, hours: float = 1.0, phase: float = 0.3) -> np.ndarray:
    """Unit Sun vectors in a Moon-fixed frame: synodic rotation, +-1.54 deg seasonal latitude."""
    t = np.arange(n) * hours * 3600.0
    sublat = np.radians(1.54) * np.sin(2 * np.pi * t / (346.6 * 86400) + phase)
    sublon = 2 * np.pi * t / (29.53 * 86400)
    return np.stack([np.cos(sublat) * np.cos(sublon), np.cos(sublat) * np.sin(sublon),
                     np.sin(sublat)], -1)


def pit_horizons(x, y, *, rim_radius_m: float, rim_height_m: float, n_az: int) -> np.ndarray:
    """Closed-form horizons [deg] of a flat-floored circular pit (vertical wall) on the sphere.

    Inside the pit (floor at 0, rim ``rim_height_m`` above it at radius ``rim_radius_m``) the
    horizon along grid azimuth ``a`` is the rim top at the ray's exit distance ``s``:
    ``atan(H / s) - s / (2 R)`` (curvature drop, small-angle); outside the pit the terrain is
    the smooth sphere, horizon 0 (the rim is a zero-thickness wall and is ignored there).
    """
    az = np.radians(np.arange(n_az) * 360.0 / n_az)
    px = x.ravel()[:, None]
    py = y.ravel()[:, None]
    dx, dy = np.sin(az)[None, :], np.cos(az)[None, :]
    b = px * dx + py * dy
    c = px**2 + py**2 - rim_radius_m**2
    s = -b + np.sqrt(np.maximum(b * b - c, 0.0))
    h = np.degrees(np.arctan2(rim_height_m, s) - s / (2 * R))
    inside = (c < 0)
    return np.where(inside, h, 0.0).astype(np.float32)
