"""The Sun and the Earth seen from points on the lunar surface.

Local frame: the reference sphere of radius 1737.4 km (LOLA datum). At planetocentric
(lat, lon) the up axis is the radial direction, east and north are tangent to the sphere;
azimuth is measured clockwise from local north (0 = north, 90 = east), elevation above the
local horizontal plane. No refraction (no atmosphere). Terrain slopes and horizons are the
business of :mod:`lupex.horizon`; here only the observer's height changes.

Apparent angular radius of a body of radius R at (light-time corrected) distance d:
``asin(R / d)`` (Sun R = 695 700 km, Earth equatorial R = 6378.1366 km; :mod:`lupex.constants`).
Sub-solar and sub-Earth points: planetocentric latitude and east longitude of the apparent
(LT+S) direction of the body from the Moon's centre.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import xarray as xr

from lupex.constants import EARTH_RADIUS_M, MOON_RADIUS_M, SUN_RADIUS_M
from lupex.ephemeris.timescales import times_and_tdb
from lupex.ephemeris.vectors import vectors_grid
from lupex.errors import DemError, ParameterError


def _latlon(lat_deg: Any, lon_deg: Any) -> tuple[np.ndarray, np.ndarray]:
    lat = np.asarray(lat_deg, dtype=float)
    lon = np.asarray(lon_deg, dtype=float)
    if not (np.all(np.isfinite(lat)) and np.all(np.isfinite(lon))):
        raise ParameterError("latitude/longitude contain NaN or inf; give finite degrees.")
    if np.any(np.abs(lat) > 90.0):
        bad = lat[np.abs(lat) > 90.0].ravel()[0]
        raise ParameterError(f"latitude = {bad:g} deg is outside the allowed range [-90, 90] deg.")
    return lat, lon


def enu_basis(lat_deg: Any, lon_deg: Any) -> np.ndarray:
    """Local east, north, up unit vectors in MOON_ME at planetocentric (lat, lon).

    Parameters
    ----------
    lat_deg, lon_deg : float or array-like
        Planetocentric latitude and east longitude [deg]; broadcast together.

    Returns
    -------
    numpy.ndarray, shape (..., 3, 3)
        Rows are east, north, up; ``basis @ v`` gives a MOON_ME vector's local components.
    """
    lat, lon = _latlon(lat_deg, lon_deg)
    lat, lon = np.broadcast_arrays(np.deg2rad(lat), np.deg2rad(lon))
    sla, cla, slo, clo = np.sin(lat), np.cos(lat), np.sin(lon), np.cos(lon)
    zero = np.zeros_like(lat)
    east = np.stack([-slo, clo, zero], axis=-1)
    north = np.stack([-sla * clo, -sla * slo, cla], axis=-1)
    up = np.stack([cla * clo, cla * slo, sla], axis=-1)
    return np.stack([east, north, up], axis=-2)


def azel_from_vectors(vec_me: Any, lat_deg: Any, lon_deg: Any) -> tuple[np.ndarray, np.ndarray]:
    """Azimuth (clockwise from north) and elevation of MOON_ME vectors seen from (lat, lon).

    Parameters
    ----------
    vec_me : array-like, shape (..., 3)
        Observer-to-target vectors in MOON_ME (any length unit).
    lat_deg, lon_deg : float or array-like
        Observer's planetocentric latitude and east longitude [deg], broadcastable to
        ``vec_me[..., 0]``.

    Returns
    -------
    azimuth_deg : numpy.ndarray
        In [0, 360), 0 = north, 90 = east.
    elevation_deg : numpy.ndarray
        In [-90, 90], above the plane perpendicular to the local radial.
    """
    v = np.asarray(vec_me, dtype=float)
    b = enu_basis(lat_deg, lon_deg)
    enu = np.einsum("...ij,...j->...i", b, v)
    e, n, u = enu[..., 0], enu[..., 1], enu[..., 2]
    az = np.rad2deg(np.arctan2(e, n)) % 360.0
    el = np.rad2deg(np.arctan2(u, np.hypot(e, n)))
    return az, el


def body_fixed_m(lat_deg: Any, lon_deg: Any, height_m: Any = 0.0) -> np.ndarray:
    """MOON_ME position [m] of (lat, lon, height above the 1737.4 km sphere); shape (..., 3)."""
    lat, lon = _latlon(lat_deg, lon_deg)
    h = np.asarray(height_m, dtype=float)
    if not np.all(np.isfinite(h)) or np.any(h <= -MOON_RADIUS_M / 2):
        raise ParameterError("height_m must be finite metres above the 1737.4 km sphere.")
    lat, lon, h = np.broadcast_arrays(np.deg2rad(lat), np.deg2rad(lon), h)
    r = MOON_RADIUS_M + h
    return np.stack([r * np.cos(lat) * np.cos(lon), r * np.cos(lat) * np.sin(lon),
                     r * np.sin(lat)], axis=-1)


def subpoint_deg(vec_me: Any) -> tuple[np.ndarray, np.ndarray]:
    """Planetocentric latitude and east longitude in (-180, 180] of MOON_ME vectors [deg]."""
    v = np.asarray(vec_me, dtype=float)
    lat = np.rad2deg(np.arctan2(v[..., 2], np.hypot(v[..., 0], v[..., 1])))
    lon = np.rad2deg(np.arctan2(v[..., 1], v[..., 0]))
    return lat, lon


def dem_height_m(dem: xr.DataArray, lat_deg: Any, lon_deg: Any) -> np.ndarray:
    """Bilinear DEM height [m] at planetocentric (lat, lon), via the DEM's own lunar CRS.

    The DEM is a ``(y, x)`` DataArray with its CRS written by rioxarray and heights above the
    1737.4 km sphere (the LOLA convention). Points off the DEM or on NaN cells are refused.
    """
    import rioxarray  # noqa: F401  (registers the .rio accessor)

    from lupex.terrain.geometry import dem_crs, latlon_to_xy_m

    crs = dem_crs(dem)  # CrsError (a DemError) when the DEM has none
    a = crs.ellipsoid.semi_major_metre if crs.ellipsoid is not None else float("nan")
    if not abs(a - MOON_RADIUS_M) < 10_000.0:
        raise DemError(f"DEM CRS {crs.to_string()} is not a lunar CRS (semi-major axis {a:g} m); "
                       "reproject to e.g. IAU_2015:30135.")
    lat, lon = _latlon(lat_deg, lon_deg)
    x, y = latlon_to_xy_m(np.ravel(lat), np.ravel(lon), crs)
    h = dem.interp(x=xr.DataArray(np.atleast_1d(x), dims="point"),
                   y=xr.DataArray(np.atleast_1d(y), dims="point")).values.astype(float)
    if not np.all(np.isfinite(h)):
        i = int(np.flatnonzero(~np.isfinite(h))[0])
        raise ParameterError(f"point (lat {np.ravel(lat)[i]:g}, lon {np.ravel(lon)[i]:g}) lies "
                             "outside the DEM or on a NaN cell; choose a point on the DEM.")
    return h.reshape(np.shape(lat))


def topocentric(lat_deg: Any, lon_deg: Any, times: Any, *, height_m: Any = 0.0,
                dem: xr.DataArray | None = None) -> xr.Dataset:
    """Topocentric Sun and Earth geometry at surface points, for UTC times.

    Parameters
    ----------
    lat_deg, lon_deg : float or 1-D array-like
        Planetocentric latitude [deg] in [-90, 90] and east longitude [deg] (any range).
        Scalars give dims ``(time,)``; arrays (broadcast together) give ``(time, point)``.
    times : str, datetime64 or array-like
        UTC times (see :func:`lupex.ephemeris.check_times`).
    height_m : float or array-like, optional
        Observer height [m] above the 1737.4 km sphere, or above the DEM when ``dem`` is given
        (e.g. a mast height).
    dem : xarray.DataArray, optional
        DEM ``(y, x)`` in a lunar projected CRS, heights above the sphere [m]; the observer
        stands at the bilinearly interpolated DEM height plus ``height_m``.

    Returns
    -------
    xarray.Dataset
        Variables [deg unless noted]: ``sun_azimuth_deg``, ``sun_elevation_deg``,
        ``sun_radius_deg``, ``earth_azimuth_deg``, ``earth_elevation_deg``,
        ``earth_radius_deg``, ``subsolar_lat_deg``, ``subsolar_lon_deg``,
        ``subearth_lat_deg``, ``subearth_lon_deg`` (the sub-points depend on time only),
        ``sun_distance_m``, ``earth_distance_m`` [m].

    Examples
    --------
    >>> ds = topocentric(-89.45, 222.7, time_grid("2028-01-01", "2028-01-02", "1h"))
    >>> float(ds.sun_elevation_deg.max()) < 2.0  # doctest: +SKIP
    True
    """
    t, et = times_and_tdb(times)
    lat, lon = _latlon(lat_deg, lon_deg)
    scalar = lat.ndim == 0 and lon.ndim == 0 and np.ndim(height_m) == 0
    lat, lon, h = np.broadcast_arrays(np.atleast_1d(lat), np.atleast_1d(lon),
                                      np.atleast_1d(np.asarray(height_m, dtype=float)))
    if lat.ndim != 1:
        raise ParameterError(f"lat/lon must be scalars or 1-D arrays (got shape {lat.shape}).")
    if dem is not None:
        h = h + dem_height_m(dem, lat, lon)
    obs = body_fixed_m(lat, lon, h)
    sun, earth = vectors_grid(et, np.vstack([obs, np.zeros((1, 3))]))  # last: Moon centre
    s_lat, s_lon = subpoint_deg(sun[:, -1, :])
    e_lat, e_lon = subpoint_deg(earth[:, -1, :])
    sun, earth = sun[:, :-1, :], earth[:, :-1, :]
    s_az, s_el = azel_from_vectors(sun, lat, lon)
    e_az, e_el = azel_from_vectors(earth, lat, lon)
    s_d = np.sqrt(np.einsum("...i,...i->...", sun, sun))
    e_d = np.sqrt(np.einsum("...i,...i->...", earth, earth))

    dims: tuple[str, ...] = ("time", "point")
    per_point = {
        "sun_azimuth_deg": (s_az, "Sun centre azimuth, clockwise from local north", "deg"),
        "sun_elevation_deg": (s_el, "Sun centre elevation above the local horizontal", "deg"),
        "sun_radius_deg": (np.rad2deg(np.arcsin(SUN_RADIUS_M / s_d)),
                           "apparent angular radius of the Sun", "deg"),
        "earth_azimuth_deg": (e_az, "Earth centre azimuth, clockwise from local north", "deg"),
        "earth_elevation_deg": (e_el, "Earth centre elevation above the local horizontal",
                                "deg"),
        "earth_radius_deg": (np.rad2deg(np.arcsin(EARTH_RADIUS_M / e_d)),
                             "apparent angular radius of the Earth (equatorial)", "deg"),
    }
    per_time = {
        "subsolar_lat_deg": (s_lat, "planetocentric latitude of the sub-solar point", "deg"),
        "subsolar_lon_deg": (s_lon, "east longitude of the sub-solar point", "deg"),
        "subearth_lat_deg": (e_lat, "planetocentric latitude of the sub-Earth point", "deg"),
        "subearth_lon_deg": (e_lon, "east longitude of the sub-Earth point", "deg"),
    }
    distances = {
        "sun_distance_m": (s_d, "light-time corrected observer-Sun distance", "m"),
        "earth_distance_m": (e_d, "light-time corrected observer-Earth distance", "m"),
    }
    if scalar:
        dims = ("time",)
        per_point = {k: (v[0][:, 0], *v[1:]) for k, v in per_point.items()}
        distances = {k: (v[0][:, 0], *v[1:]) for k, v in distances.items()}
    data_vars = {}
    for name, (val, long_name, unit) in {**per_point, **per_time, **distances}.items():
        d = ("time",) if name in per_time else dims
        data_vars[name] = xr.Variable(d, val, {"long_name": long_name, "units": unit})
    coords: dict[str, Any] = {"time": ("time", t)}
    if scalar:
        coords.update(lat_deg=float(lat[0]), lon_deg=float(lon[0]), height_m=float(h[0]))
    else:
        coords.update(lat_deg=("point", lat), lon_deg=("point", lon), height_m=("point", h))
    from lupex.io.provenance import provenance

    attrs = {
        "frame": "MOON_ME (DE421 mean-Earth/polar axis), planetocentric on the "
                 f"{MOON_RADIUS_M / 1000:g} km sphere",
        "aberration_correction": "LT+S (light time and stellar aberration, as SPICE)",
        "time_scale": "UTC",
        "source": "JPL DE421 + moon_pa_de421_1900-2050.bpc + moon_080317.tf",
        "provenance": json.dumps(provenance("lupex.ephemeris.topocentric", n_times=int(t.size),
                                     n_points=int(lat.size))),
    }
    return xr.Dataset(data_vars, coords=coords, attrs=attrs)
