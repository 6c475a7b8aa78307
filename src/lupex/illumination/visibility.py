"""Per-epoch visibility for other layers (thermal, traverse) and point time series.

``visibility_frames`` yields one frame per epoch: the visible disc fraction of the Sun and the
Earth on every pixel plus the Sun's local elevation and azimuth (for incidence on slopes and
solar arrays). ``point_timeseries`` gives the same quantities at chosen points as a table.
Both are pure functions of (DEM, horizons, times) and use the same kernels as the maps.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import xarray as xr

from lupex.errors import ParameterError
from lupex.illumination.frames import pixel_geometry
from lupex.illumination.maps import check_horizons, horizons_pixel_major
from lupex.illumination.stream import frame_arrays, horizon_band
from lupex.illumination.track import body_track


@dataclass(frozen=True)
class VisibilityFrame:
    """One epoch of visibility on a map (arrays ``(y, x)``; ``None`` for a body not asked for).

    Attributes
    ----------
    time : numpy.datetime64
        UTC epoch.
    sun_fraction, earth_fraction : ndarray float32
        Visible fraction of the disc [1], 0..1 (0 = hidden).
    sun_elevation_deg, sun_azimuth_deg : ndarray float32
        The Sun centre's elevation above the local horizontal plane [deg] and azimuth clockwise
        from local geographic north [deg] (the convention of ``terrain.slope_aspect``'s aspect),
        for incidence on tilted facets.
    sun_azimuth_grid_deg : ndarray float32
        The same azimuth clockwise from grid north [deg] (the horizons' convention).
    sun_distance_m : float
        Distance of the Sun from the map's reference point [m] (flux scales as (AU/d)^2).
    earth_elevation_deg, earth_azimuth_deg : ndarray float32
        The Earth centre's elevation and geographic azimuth [deg].
    """

    time: np.datetime64
    sun_fraction: np.ndarray | None
    sun_elevation_deg: np.ndarray | None
    sun_azimuth_deg: np.ndarray | None
    sun_azimuth_grid_deg: np.ndarray | None
    sun_distance_m: float | None
    earth_fraction: np.ndarray | None
    earth_elevation_deg: np.ndarray | None
    earth_azimuth_deg: np.ndarray | None


def visibility_frames(dem: xr.DataArray, horizons, times, *,
                      bodies: Sequence[str] = ("sun", "earth"),
                      observer_height_m: float = 0.0) -> Iterator[VisibilityFrame]:
    """Yield a :class:`VisibilityFrame` per epoch (never a ``(time, y, x)`` cube).

    Parameters
    ----------
    dem : DataArray (y, x)
        Elevations [m] (map contract).
    horizons : DataArray or ndarray (azimuth, y, x)
        Horizons [deg] of the same grid, clockwise from grid north at ``k 360 / N``.
    times : array_like of datetime64 or ISO strings
        UTC epochs (e.g. ``lupex.ephemeris.time_grid(start, stop, step)``).
    bodies : sequence of {"sun", "earth"}
        Which bodies to compute.
    observer_height_m : float
        Observer height above the surface [m] (positions; the horizons carry their own).
    """
    bad = set(bodies) - {"sun", "earth"}
    if bad:
        raise ParameterError(f"visibility_frames: bodies {sorted(bad)} unknown; use 'sun', 'earth'.")
    check_horizons(horizons, dem)
    geom = pixel_geometry(dem, observer_height_m=observer_height_m)
    hor = horizons_pixel_major(horizons)
    band = horizon_band(hor)
    track = body_track(times, geom, earth="earth" in bodies)
    shape = dem.shape

    def as_map(a):
        return np.asarray(a, dtype=np.float32).reshape(shape)

    for i in range(len(track)):
        s = e = None
        if "sun" in bodies:
            s = frame_arrays(hor, geom.rot, geom.offset_m, geom.convergence_deg,
                             track.sun_ref[i], radius_deg=float(track.sun_radius_deg[i]),
                             far=True, band=band)
        if "earth" in bodies:
            e = frame_arrays(hor, geom.rot, geom.offset_m, geom.convergence_deg,
                             track.earth_ref_m[i], far=False, band=band)
        yield VisibilityFrame(
            time=track.times[i],
            sun_fraction=None if s is None else as_map(s["fraction"]),
            sun_elevation_deg=None if s is None else as_map(s["elevation_deg"]),
            sun_azimuth_deg=None if s is None else as_map(s["azimuth_deg"]),
            sun_azimuth_grid_deg=None if s is None else as_map(
                np.mod(s["azimuth_deg"] + geom.convergence_deg, 360.0)),
            sun_distance_m=None if s is None else float(track.sun_distance_m[i]),
            earth_fraction=None if e is None else as_map(e["fraction"]),
            earth_elevation_deg=None if e is None else as_map(e["elevation_deg"]),
            earth_azimuth_deg=None if e is None else as_map(e["azimuth_deg"]),
        )


def sun_fraction_map(dem: xr.DataArray, horizons, times, *, observer_height_m: float = 0.0
                     ) -> Iterator[tuple[np.datetime64, np.ndarray]]:
    """Yield ``(time, sun_fraction (y, x))`` per epoch (the Sun only)."""
    for f in visibility_frames(dem, horizons, times, bodies=("sun",),
                               observer_height_m=observer_height_m):
        yield f.time, f.sun_fraction


def _horizon_at(hor: np.ndarray, conv: float, az_geo) -> np.ndarray:
    """Horizon [deg] of one pixel (N,) at geographic azimuths, linear in grid azimuth."""
    n = hor.size
    u = np.mod(np.asarray(az_geo, dtype=float) + conv, 360.0) * n / 360.0
    k0 = np.floor(u).astype(int)
    w = u - k0
    k0 %= n
    return (1 - w) * hor[k0] + w * hor[(k0 + 1) % n]


POINT_COLUMNS = ("time_utc", "point", "lat_deg", "lon_deg", "sun_azimuth_deg",
                 "sun_elevation_deg", "horizon_deg_at_sun", "sun_fraction", "earth_azimuth_deg",
                 "earth_elevation_deg", "horizon_deg_at_earth", "earth_fraction")
"""Columns of :func:`point_timeseries` (azimuths clockwise from local geographic north)."""


def point_timeseries(dem: xr.DataArray, horizons, points: Sequence[tuple[float, float]], times,
                     *, observer_height_m: float = 0.0):
    """Sun and Earth visibility at chosen points over ``times`` as a pandas DataFrame.

    Each point ``(lat_deg, lon_deg)`` uses the DEM pixel that contains it (its horizon and its
    centre's frame), so the series agree exactly with the maps at that pixel.

    Returns
    -------
    pandas.DataFrame
        Long format, columns :data:`POINT_COLUMNS`; ``point`` is ``"lat,lon"`` as given,
        ``lat_deg``/``lon_deg`` the pixel centre's.
    """
    import pandas as pd

    from lupex.terrain.geometry import latlon_deg, nearest_pixel

    check_horizons(horizons, dem)
    rows = []
    for lat, lon in points:
        i, j = nearest_pixel(dem, lat, lon, what=f"--point {lat},{lon}")
        sub = dem.isel(y=slice(i, i + 1), x=slice(j, j + 1))
        hsub = (horizons.isel(y=slice(i, i + 1), x=slice(j, j + 1))
                if isinstance(horizons, xr.DataArray)
                else np.asarray(horizons)[:, i:i + 1, j:j + 1])
        clat, clon = latlon_deg(sub)
        frames = list(visibility_frames(sub, hsub, times, observer_height_m=observer_height_m))
        hor = horizons_pixel_major(hsub)[0]
        conv = pixel_geometry(sub).convergence_deg[0]

        sa = np.array([f.sun_azimuth_deg[0, 0] for f in frames])
        ea = np.array([f.earth_azimuth_deg[0, 0] for f in frames])
        df = pd.DataFrame({
            "time_utc": [str(np.datetime_as_string(f.time, unit="s")) + "Z" for f in frames],
            "point": f"{lat:g},{lon:g}",
            "lat_deg": float(clat.ravel()[0]),
            "lon_deg": float(clon.ravel()[0]),
            "sun_azimuth_deg": sa,
            "sun_elevation_deg": [f.sun_elevation_deg[0, 0] for f in frames],
            "horizon_deg_at_sun": _horizon_at(hor, conv, sa),
            "sun_fraction": [f.sun_fraction[0, 0] for f in frames],
            "earth_azimuth_deg": ea,
            "earth_elevation_deg": [f.earth_elevation_deg[0, 0] for f in frames],
            "horizon_deg_at_earth": _horizon_at(hor, conv, ea),
            "earth_fraction": [f.earth_fraction[0, 0] for f in frames],
        })
        rows.append(df)
    return pd.concat(rows, ignore_index=True)[list(POINT_COLUMNS)]
