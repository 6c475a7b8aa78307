"""Geometry of a DEM grid: latitude/longitude, Moon-fixed positions, map scale and north.

Every function takes a map (an :class:`xarray.DataArray` with dims ``(y, x)``, coordinates in
metres of a projected lunar CRS written with rioxarray) and returns plain ``numpy`` arrays of shape
``(ny, nx)`` (or ``(ny, nx, 3)``), so kernels can use them directly.

Conventions
-----------
- Latitude/longitude are planetocentric, in degrees, longitude in ``(-180, 180]`` east-positive.
  On the IAU 2015 lunar sphere (the LOLA datum) planetocentric and "geodetic" coincide.
- Positions are in the Moon-fixed mean-Earth frame (MOON_ME): +x toward (0 N, 0 E), +z toward the
  north pole, in metres, on the 1737.4 km sphere plus the DEM elevation.
- Grid azimuths are clockwise from grid north (+y); geographic azimuths clockwise from local
  north. ``grid = geographic + convergence`` (the projection is conformal, so angles keep).

In the Moon's south polar stereographic CRS (IAU_2015:30135) ``x = rho sin(lon)``,
``y = rho cos(lon)``, ``rho = 2 R tan(pi/4 - |lat|/2)``; the point scale factor is
``k = 2 / (1 + |sin lat|) = 1 + rho^2 / (4 R^2)`` and the convergence equals ``lon``.

References
----------
.. [1] Snyder, J. P. (1987). Map Projections - A Working Manual. USGS Professional Paper 1395,
   pp. 154-163 (polar stereographic on the sphere: eqs. 21-1 to 21-4, 21-5 to 21-7, 20-14 to
   20-19).
.. [2] Archinal, B. A. et al. (2018). Report of the IAU WGCCRE: 2015. Celest. Mech. Dyn. Astr.
   130:22 (the 1737.4 km lunar sphere; IAU_2015 CRS codes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyproj
import xarray as xr

from lupex.constants import MOON_RADIUS_M

__all__ = [
    "body_fixed_xyz_m",
    "crs_label",
    "dem_crs",
    "geo_to_grid_azimuth",
    "grid_convergence_deg",
    "grid_to_geo_azimuth",
    "latlon_deg",
    "latlon_to_xy_m",
    "scale_factor",
    "xy_to_latlon_deg",
]


# ----------------------------------------------------------------------------------------------
# CRS helpers


def dem_crs(dem: xr.DataArray | Any) -> pyproj.CRS:
    """Return the :class:`pyproj.CRS` of a map (or of anything pyproj understands).

    Raises
    ------
    lupex.errors.CrsError
        If the map carries no CRS.
    """
    from lupex.errors import CrsError

    if isinstance(dem, xr.DataArray):
        crs = dem.rio.crs
        if crs is None:
            name = dem.attrs.get("source_file", dem.name or "map")
            raise CrsError(f"{name}: the map has no CRS; write one with "
                           "da.rio.write_crs('IAU_2015:30135') or read it with read_dem(path, crs=...).")
        return pyproj.CRS.from_user_input(crs.to_wkt())
    if isinstance(dem, pyproj.CRS):
        return dem
    return pyproj.CRS.from_user_input(dem)


@dataclass(frozen=True)
class _PolarStereo:
    """Parameters of a polar stereographic projection on a sphere (closed forms apply)."""

    south: bool
    radius_m: float
    k0: float
    lon0_deg: float
    false_easting_m: float
    false_northing_m: float


def _polar_stereo(crs: pyproj.CRS) -> _PolarStereo | None:
    """Closed-form parameters if ``crs`` is a polar stereographic projection of a sphere."""
    op = crs.coordinate_operation
    if not crs.is_projected or op is None or crs.ellipsoid is None:
        return None
    ell = crs.ellipsoid
    if abs(ell.semi_minor_metre - ell.semi_major_metre) > 1e-6:
        return None
    if crs.axis_info and any(abs(a.unit_conversion_factor - 1.0) > 0 for a in crs.axis_info[:2]):
        return None
    prm = {p.code: p.value for p in op.params}
    method = op.method_name
    if method == "Polar Stereographic (variant A)":
        lat0 = prm.get("8801")
        if lat0 is None or abs(abs(lat0) - 90.0) > 1e-12:
            return None
        south, k0, lon0 = lat0 < 0, float(prm.get("8805", 1.0)), float(prm.get("8802", 0.0))
    elif method == "Polar Stereographic (variant B)":
        lat_ts = prm.get("8832")
        if lat_ts is None:
            return None
        south, lon0 = lat_ts < 0, float(prm.get("8833", 0.0))
        k0 = (1.0 + abs(np.sin(np.radians(lat_ts)))) / 2.0  # Snyder 1987 eq. 21-7 on the sphere
    else:
        return None
    return _PolarStereo(south=bool(south), radius_m=float(ell.semi_major_metre), k0=k0,
                        lon0_deg=lon0, false_easting_m=float(prm.get("8806", 0.0)),
                        false_northing_m=float(prm.get("8807", 0.0)))


def crs_label(crs: Any) -> str:
    """Short name of a CRS: its authority code, else the IAU 2015 polar stereographic code it is
    equivalent to (GDAL's WKT1 drops the IAU code), else its name."""
    c = dem_crs(crs)
    auth = c.to_authority(min_confidence=70)
    if auth:
        return f"{auth[0]}:{auth[1]}"
    ps = _polar_stereo(c)
    if (ps is not None and abs(ps.radius_m - MOON_RADIUS_M) < 1e-6 and ps.k0 == 1.0
            and ps.lon0_deg == 0.0 and ps.false_easting_m == 0.0 and ps.false_northing_m == 0.0):
        return "IAU_2015:30135" if ps.south else "IAU_2015:30130"
    return c.name


def _grid_xy(dem: xr.DataArray) -> tuple[np.ndarray, np.ndarray]:
    """Pixel-centre coordinates broadcast to ``(ny, nx)`` [m]."""
    x = np.asarray(dem["x"].values, dtype=float)
    y = np.asarray(dem["y"].values, dtype=float)
    return np.broadcast_to(x[None, :], (y.size, x.size)), np.broadcast_to(y[:, None], (y.size, x.size))


def _planetocentric(lat_deg: np.ndarray, crs: pyproj.CRS) -> np.ndarray:
    """Planetocentric latitude from the CRS's geodetic latitude (identity on a sphere)."""
    ell = crs.ellipsoid
    if ell is None or ell.semi_minor_metre == ell.semi_major_metre:
        return lat_deg
    ratio2 = (ell.semi_minor_metre / ell.semi_major_metre) ** 2
    return np.degrees(np.arctan(ratio2 * np.tan(np.radians(lat_deg))))


# ----------------------------------------------------------------------------------------------
# lat/lon and positions


def geojson_lonlat(x_m: Any, y_m: Any, crs: Any) -> list[list[float]]:
    """``[[lon, lat], ...]`` [planetocentric deg] of projected points, RFC 7946 axis order.

    Longitudes in (-180, 180], 9 decimals (~0.03 mm on the Moon): the position GeoJSON plans
    carry (RFC 7946 sec. 3.1.1 and 4; a planetary body's geographic CRS in place of WGS 84).
    """
    lat, lon = xy_to_latlon_deg(np.atleast_1d(np.asarray(x_m, float)),
                                np.atleast_1d(np.asarray(y_m, float)), crs)
    lon = np.where(lon > 180.0, lon - 360.0, lon)
    return [[round(float(a), 9), round(float(b), 9)] for a, b in zip(lon, lat, strict=True)]


def xy_to_latlon_deg(x_m: np.ndarray, y_m: np.ndarray, crs: Any) -> tuple[np.ndarray, np.ndarray]:
    """Planetocentric latitude and longitude [deg] of projected coordinates [m] in ``crs``.

    Uses a :class:`pyproj.Transformer` from ``crs`` to its geodetic CRS (``crs.geodetic_crs``).
    """
    crs = dem_crs(crs)
    tr = pyproj.Transformer.from_crs(crs, crs.geodetic_crs, always_xy=True)
    lon, lat = tr.transform(np.asarray(x_m, float), np.asarray(y_m, float))
    lon = np.asarray(lon, float)
    lat = _planetocentric(np.asarray(lat, float), crs)
    return lat, np.where(lon <= -180.0, lon + 360.0, lon)


def latlon_to_xy_m(lat_deg: np.ndarray, lon_deg: np.ndarray, crs: Any) -> tuple[np.ndarray, np.ndarray]:
    """Projected coordinates [m] in ``crs`` of latitude/longitude [deg] on its geodetic CRS."""
    crs = dem_crs(crs)
    tr = pyproj.Transformer.from_crs(crs.geodetic_crs, crs, always_xy=True)
    x, y = tr.transform(np.asarray(lon_deg, float), np.asarray(lat_deg, float))
    return np.asarray(x, float), np.asarray(y, float)


def nearest_pixel(dem: xr.DataArray, lat_deg: float, lon_deg: float, *,
                  what: str = "point") -> tuple[int, int]:
    """Row and column of the DEM pixel nearest to a latitude/longitude [deg].

    A point more than one pixel beyond the map's outer pixel centres is refused with a
    :class:`~lupex.errors.ParameterError` that starts with ``what`` (e.g. ``"--point -89,0"``).
    A map one pixel wide accepts any point along that axis (its pixel size is unknown).
    """
    from lupex.errors import ParameterError

    px, py = latlon_to_xy_m(np.array([lat_deg]), np.array([lon_deg]), dem.rio.crs)
    x, y = dem["x"].values, dem["y"].values
    j = int(np.argmin(np.abs(x - px[0])))
    i = int(np.argmin(np.abs(y - py[0])))
    dx = abs(float(x[1] - x[0])) if x.size > 1 else np.inf
    dy = abs(float(y[1] - y[0])) if y.size > 1 else np.inf
    if abs(x[j] - px[0]) > dx or abs(y[i] - py[0]) > dy:
        raise ParameterError(f"{what}: outside the DEM (x = {px[0] / 1e3:.2f} km, "
                             f"y = {py[0] / 1e3:.2f} km); pick a point inside the map.")
    return i, j


def latlon_deg(dem: xr.DataArray) -> tuple[np.ndarray, np.ndarray]:
    """Latitude and longitude [deg] of every pixel centre.

    Parameters
    ----------
    dem : DataArray
        Map with dims ``(y, x)`` [m] and a projected lunar CRS.

    Returns
    -------
    lat, lon : ndarray, shape (ny, nx)
        Planetocentric latitude [deg] and east longitude in (-180, 180] [deg], from a
        :class:`pyproj.Transformer` to the CRS's geodetic CRS.
    """
    xx, yy = _grid_xy(dem)
    return xy_to_latlon_deg(xx, yy, dem_crs(dem))


def body_fixed_xyz_m(dem: xr.DataArray, *, height_m: float | np.ndarray | None = None,
                     radius_m: float = MOON_RADIUS_M) -> np.ndarray:
    """Moon-fixed (MOON_ME) position [m] of every pixel: sphere + elevation (+ observer height).

    Parameters
    ----------
    dem : DataArray
        Elevations [m] above the lunar reference sphere, dims ``(y, x)``.
    height_m : float or ndarray (ny, nx), optional
        Observer height above the surface [m] (e.g. a 2 m rover mast).
    radius_m : float
        Reference sphere radius [m]; the LOLA datum 1737.4 km by default.

    Returns
    -------
    ndarray, shape (ny, nx, 3)
        ``(r cos(lat) cos(lon), r cos(lat) sin(lon), r sin(lat))`` with
        ``r = radius_m + elevation + height_m`` [m]; NaN where the elevation is NaN.
    """
    lat, lon = latlon_deg(dem)
    r = radius_m + np.asarray(dem.values, dtype=float)
    if height_m is not None:
        r = r + np.asarray(height_m, dtype=float)
    la, lo = np.radians(lat), np.radians(lon)
    cl = np.cos(la)
    out = np.empty((*lat.shape, 3), dtype=float)
    out[..., 0] = r * cl * np.cos(lo)
    out[..., 1] = r * cl * np.sin(lo)
    out[..., 2] = r * np.sin(la)
    return out


# ----------------------------------------------------------------------------------------------
# scale factor and grid convergence


def scale_factor(dem: xr.DataArray) -> np.ndarray:
    """Point scale factor ``k`` of the projection at every pixel centre [1].

    ``ground distance = grid distance / k`` (for a conformal projection ``k`` is the same in every
    direction). For a polar stereographic projection of a sphere the closed form
    ``k = k0 (1 + rho^2 / (4 R^2 k0^2))`` (Snyder 1987 eqs. 21-4 and 21-1, equal to
    ``2 k0 / (1 + |sin lat|)``) is used; any other CRS goes through
    :meth:`pyproj.Proj.get_factors`.

    Returns
    -------
    ndarray, shape (ny, nx)

    Raises
    ------
    lupex.errors.DemError
        If the projection is not conformal over the DEM (meridional and parallel scales differ
        by more than 1e-6): then no single ``k`` exists and slopes would depend on direction.
    """
    crs = dem_crs(dem)
    ps = _polar_stereo(crs)
    if ps is not None:
        x = np.asarray(dem["x"].values, dtype=float) - ps.false_easting_m
        y = np.asarray(dem["y"].values, dtype=float) - ps.false_northing_m
        c = 1.0 / (4.0 * (ps.radius_m * ps.k0) ** 2)
        return ps.k0 * (1.0 + c * (y[:, None] ** 2 + x[None, :] ** 2))
    xx, yy = _grid_xy(dem)
    lon, lat = pyproj.Transformer.from_crs(crs, crs.geodetic_crs, always_xy=True).transform(xx, yy)
    f = pyproj.Proj(crs).get_factors(np.asarray(lon).ravel(), np.asarray(lat).ravel())
    h = np.asarray(f.meridional_scale).reshape(xx.shape)
    k = np.asarray(f.parallel_scale).reshape(xx.shape)
    aniso = float(np.nanmax(np.abs(h - k) / k)) if k.size else 0.0
    if aniso > 1e-6:
        from lupex.errors import DemError

        name = dem.attrs.get("source_file", dem.name or "DEM")
        raise DemError(f"{name}: CRS {crs_label(crs)} is not conformal over this DEM (meridional "
                       f"and parallel scales differ by up to {100 * aniso:.3g} %), so ground "
                       "distances and slopes would depend on direction; reproject with "
                       "gdalwarp -t_srs IAU_2015:30135 (south polar stereographic).")
    return k


def grid_convergence_deg(dem: xr.DataArray, *, method: str = "auto") -> np.ndarray:
    """Grid azimuth of local geographic north at every pixel [deg, clockwise from +y].

    In IAU_2015:30135 (``x = rho sin lon``, ``y = rho cos lon``) this equals the longitude; in the
    north polar IAU_2015:30130 it equals ``-lon``. (PROJ's ``meridian_convergence`` factor has the
    opposite sign.) At a pole itself north is undefined; the value there is the limit along the
    pixel's longitude as returned by the inverse projection.

    Parameters
    ----------
    dem : DataArray
        Map with a projected lunar CRS.
    method : {"auto", "numeric"}
        ``"auto"`` uses the closed form for a polar stereographic sphere and the numeric method
        otherwise; ``"numeric"`` always projects a small northward step (1e-6 deg of latitude,
        southward and reversed where that would pass the north pole) with pyproj and takes
        ``atan2(dx, dy)``.

    Returns
    -------
    ndarray, shape (ny, nx), values in (-180, 180]
    """
    if method not in ("auto", "numeric"):
        from lupex.errors import ParameterError

        raise ParameterError(f"method = {method!r}: use 'auto' or 'numeric'.")
    crs = dem_crs(dem)
    xx, yy = _grid_xy(dem)
    ps = _polar_stereo(crs) if method == "auto" else None
    if ps is not None:
        dx, dy = xx - ps.false_easting_m, yy - ps.false_northing_m
        # south: x = rho sin(dlon), y = rho cos(dlon); north: y = -rho cos(dlon)  (Snyder 21-5, 21-6)
        conv = np.degrees(np.arctan2(dx, dy)) if ps.south else -np.degrees(np.arctan2(dx, -dy))
    else:
        lon, lat_g = pyproj.Transformer.from_crs(crs, crs.geodetic_crs, always_xy=True).transform(xx, yy)
        lat_g = np.asarray(lat_g, float)
        step = 1e-6
        sign = np.where(lat_g + step > 90.0, -1.0, 1.0)
        x2, y2 = pyproj.Transformer.from_crs(crs.geodetic_crs, crs, always_xy=True).transform(
            lon, lat_g + sign * step)
        conv = np.degrees(np.arctan2(sign * (np.asarray(x2) - xx), sign * (np.asarray(y2) - yy)))
    return np.where(conv <= -180.0, conv + 360.0, conv)


def geo_to_grid_azimuth(az_geo_deg: np.ndarray | float, convergence_deg: np.ndarray | float
                        ) -> np.ndarray:
    """Grid azimuth [deg, clockwise from +y, in [0, 360)] of a geographic azimuth [deg].

    ``grid = geographic + convergence`` (angles are kept by a conformal projection).
    """
    return np.mod(np.asarray(az_geo_deg, float) + np.asarray(convergence_deg, float), 360.0)


def grid_to_geo_azimuth(az_grid_deg: np.ndarray | float, convergence_deg: np.ndarray | float
                        ) -> np.ndarray:
    """Geographic azimuth [deg, clockwise from local north, in [0, 360)] of a grid azimuth [deg]."""
    return np.mod(np.asarray(az_grid_deg, float) - np.asarray(convergence_deg, float), 360.0)
