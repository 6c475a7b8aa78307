"""The Moon seen from Earth ground stations: elevation, azimuth, visibility windows.

Computed with skyfield ([1]_): a WGS84 station (``wgs84.latlon``), DE421, light time, aberration
and gravitational deflection (``observe().apparent()``), Earth orientation from skyfield's
built-in IERS tables (no download; UT1 is predicted beyond the table) with the IAU 2000B
nutation (1 mas). No refraction, which
matters only at very low elevations (~0.5 deg at the horizon, < 0.1 deg above 10 deg).

A lunar surface point is built on the 1737.4 km sphere in MOON_ME (skyfield's
``PlanetaryConstants`` reading the same bpc/tf kernels), so its elevation accounts for the
Moon's radius and libration (up to ~0.26 deg from the Moon centre's).

Station coordinates (geodetic, WGS84; east longitude; height above the ellipsoid):

- DSS-14 (Goldstone 70 m), DSS-43 (Canberra 70 m), DSS-63 (Madrid 70 m): ITRF positions of
  the DSN station-location table ([2]_, values as reprinted in [3]_, Table 1), converted to
  WGS84 geodetic coordinates here. Accurate to centimetres.
- IDSN-32 (ISRO Indian Deep Space Network 32 m, Byalalu): 12.901767 N, 77.36819 E ([4]_); the
  height (~750 m) is the terrain height of the site, approximate. A 100 m height error moves
  the Moon's elevation by < 0.0001 deg.
- UDSC-64 (JAXA Usuda Deep Space Center 64 m, Saku): 36.13306 N, 138.36222 E, 1456 m ([5]_).
- MDSS-54 (JAXA Misasa Deep Space Station, the 54 m "GREAT" antenna, Saku): APPROXIMATE - we
  found no citable antenna coordinates; it is placed at the Usuda coordinates at its published
  site altitude 1580 m ([5]_). The two sites are within ~10 km, i.e. < 0.1 deg in the Moon's
  elevation. Replace with the MDSS User's Guide values for link budgets.

References
----------
.. [1] Rhodes, B. (2019). Skyfield: High precision research-grade positions for planets and
   Earth satellites generator. ASCL 1907.024.
.. [2] JPL, DSN station coordinates (ITRF2005, epoch 2003.0), IAU Commission 4 ephemeris
   page "stations27oct2008"; DSN Telecommunications Link Design Handbook 810-005, module 301.
.. [3] Lee, W.-K. et al. (2023). J. Astron. Space Sci. 40(2), 79, Table 1 (DSN antennas
   allocated to KPLO).
.. [4] Indian Deep Space Network, coordinates 12 deg 54' 06" N, 77 deg 22' 05" E (ISTRAC;
   as listed by Wikipedia, "Indian Deep Space Network").
.. [5] Usuda Deep Space Center, 36 deg 07' 59" N, 138 deg 21' 44" E, altitude 1456 m; site
   altitudes 1456 m and 1580 m (Wikipedia "Usuda Deep Space Center", de/en); JAXA GREAT page.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from lupex.constants import MOON_RADIUS_M
from lupex.ephemeris.timescales import times_and_tdb
from lupex.errors import ParameterError, check_range
from lupex.times import SECONDS_PER_DAY

_WGS84_A = 6378137.0
_WGS84_F = 1.0 / 298.257223563
_CHUNK = 10_000  # epochs per skyfield call (its nutation series holds ~700 x chunk floats)


@dataclass(frozen=True)
class Station:
    """A ground station: geodetic WGS84 latitude/east longitude [deg], height [m]."""

    name: str
    lat_deg: float
    lon_deg: float
    height_m: float = 0.0
    source: str = "user"

    def __post_init__(self) -> None:
        check_range(f"station {self.name} latitude", self.lat_deg, -90, 90, unit="deg")
        check_range(f"station {self.name} longitude", self.lon_deg, -360, 360, unit="deg")
        check_range(f"station {self.name} height", self.height_m, -1000, 10000, unit="m")


def geodetic_from_itrf(x_m: float, y_m: float, z_m: float) -> tuple[float, float, float]:
    """WGS84 geodetic (lat [deg], east lon [deg], height [m]) of an Earth-fixed position."""
    e2 = _WGS84_F * (2 - _WGS84_F)
    p = math.hypot(x_m, y_m)
    lat = math.atan2(z_m, p * (1 - e2))
    for _ in range(10):  # fixed-point iteration; converges to < 1e-12 rad in a few steps
        n = _WGS84_A / math.sqrt(1 - e2 * math.sin(lat) ** 2)
        h = p * math.cos(lat) + z_m * math.sin(lat) - _WGS84_A ** 2 / n
        lat = math.atan2(z_m, p * (1 - e2 * n / (n + h)))
    n = _WGS84_A / math.sqrt(1 - e2 * math.sin(lat) ** 2)
    # this height formula stays well conditioned at the poles (unlike p / cos(lat) - n)
    h = p * math.cos(lat) + z_m * math.sin(lat) - _WGS84_A ** 2 / n
    return math.degrees(lat), math.degrees(math.atan2(y_m, x_m)), h


def _dsn(name: str, x: float, y: float, z: float, what: str) -> Station:
    lat, lon, h = geodetic_from_itrf(x, y, z)
    return Station(name, lat, lon, h, f"{what}; ITRF ({x}, {y}, {z}) m, DSN 810-005 / "
                   "JASS 40(2):79 Table 1")


STATIONS: dict[str, Station] = {
    s.name: s for s in (
        Station("IDSN-32", 12.901767, 77.36819, 750.0,
                "ISRO IDSN 32 m, Byalalu (ISTRAC); height approximate"),
        Station("UDSC-64", 36.13306, 138.36222, 1456.0, "JAXA Usuda Deep Space Center 64 m"),
        Station("MDSS-54", 36.13306, 138.36222, 1580.0,
                "JAXA Misasa DSS 54 m (GREAT); APPROXIMATE position (Usuda coordinates, "
                "site altitude), < 0.1 deg effect"),
        _dsn("DSS-14", -2353621.420, -4641341.472, 3677052.318, "NASA DSN Goldstone 70 m"),
        _dsn("DSS-43", -4460894.917, 2682361.507, -3674748.152, "NASA DSN Canberra 70 m"),
        _dsn("DSS-63", 4849092.518, -360180.348, 4115109.251, "NASA DSN Madrid 70 m"),
    )
}
"""Named ground stations (see the module docstring for sources and accuracy)."""


def resolve_stations(stations: Any = None) -> list[Station]:
    """Turn names, :class:`Station` objects or ``(name, lat, lon[, height_m])`` tuples (or a
    mapping name -> (lat, lon[, h])) into a list of stations; ``None`` means all of
    :data:`STATIONS`."""
    if stations is None:
        return list(STATIONS.values())
    if isinstance(stations, (str, Station)):
        stations = [stations]
    if isinstance(stations, Mapping):
        stations = [(k, *v) if isinstance(v, (tuple, list)) else v for k, v in stations.items()]
    out: list[Station] = []
    upper = {k.upper(): v for k, v in STATIONS.items()}
    for s in stations if isinstance(stations, Iterable) else [stations]:
        if isinstance(s, Station):
            out.append(s)
        elif isinstance(s, str):
            if s.upper() not in upper:
                raise ParameterError(f"station {s!r} is unknown; known stations: "
                                     f"{', '.join(STATIONS)} (or give name, lat, lon, height).")
            out.append(upper[s.upper()])
        elif isinstance(s, (tuple, list)) and len(s) in (3, 4):
            out.append(Station(str(s[0]), *(float(v) for v in s[1:])))
        else:
            raise ParameterError(f"station {s!r} is not a name, a Station or "
                                 "(name, lat_deg, lon_deg[, height_m]).")
    if not out:
        raise ParameterError("no stations given.")
    names = [s.name for s in out]
    if len(set(names)) != len(names):
        raise ParameterError(f"duplicate station names in {names}.")
    return out


@functools.lru_cache(maxsize=1)
def _skyfield() -> tuple[Any, Any, Any]:
    """(timescale, DE421 ephemeris, MOON_ME frame) from the packaged kernels, cached."""
    from skyfield.api import load, load_file
    from skyfield.planetarylib import PlanetaryConstants

    from lupex.ephemeris.kernels import kernel_paths

    paths = kernel_paths()
    ts = load.timescale(builtin=True)
    eph = load_file(str(paths["de421"]))
    pc = PlanetaryConstants()
    pc.read_text(open(paths["moon_tf"], "rb"))
    pc.read_binary(open(paths["moon_pa_bpc"], "rb"))
    pc.variables["BODY301_RADII"] = [MOON_RADIUS_M / 1000.0] * 3
    frame = pc.build_frame_named("MOON_ME_DE421")
    return ts, eph, (pc, frame)


def ground_station_visibility(times: Any, stations: Any = None, *,
                              min_elevation_deg: float = 10.0,
                              lunar_point: tuple[float, float] | tuple[float, float, float]
                              | None = None,
                              progress: Callable[[int, int], None] | None = None) -> xr.Dataset:
    """Elevation and azimuth of the Moon (and optionally a lunar surface point) from stations.

    Parameters
    ----------
    times : str, datetime64 or array-like
        UTC times.
    stations : optional
        Names from :data:`STATIONS`, :class:`Station` objects, ``(name, lat_deg, lon_deg,
        height_m)`` tuples, or a mapping; ``None`` = all named stations.
    min_elevation_deg : float
        Elevation mask [deg] for ``visible`` (default 10).
    lunar_point : (lat_deg, lon_deg[, height_m]), optional
        A lunar surface point (planetocentric, MOON_ME, height above the 1737.4 km sphere);
        when given, ``visible`` refers to it instead of the Moon's centre.
    progress : callable, optional
        ``progress(done, total)`` called after each chunk of epochs (e.g. a CLI progress bar).

    Returns
    -------
    xarray.Dataset
        Dims ``(time, station)``: ``moon_elevation_deg``, ``moon_azimuth_deg`` (clockwise from
        north), ``moon_distance_m``, [``point_elevation_deg``, ``point_azimuth_deg``],
        ``visible`` (bool); ``any_visible`` (time,).
    """
    t, et = times_and_tdb(times)
    sts = resolve_stations(stations)
    check_range("min_elevation_deg", min_elevation_deg, -90, 90, unit="deg")
    from skyfield.api import wgs84
    from skyfield.nutationlib import iau2000b_radians

    ts, eph, (pc, frame) = _skyfield()
    moon, earth = eph["moon"], eph["earth"]
    target = None
    if lunar_point is not None:
        lp = tuple(float(v) for v in lunar_point)
        if len(lp) not in (2, 3):
            raise ParameterError("lunar_point must be (lat_deg, lon_deg[, height_m]).")
        check_range("lunar_point latitude", lp[0], -90, 90, unit="deg")
        target = moon + pc.build_latlon_degrees(frame, lp[0], lp[1],
                                                lp[2] if len(lp) == 3 else 0.0)
    n, m = t.size, len(sts)
    out = {k: np.full((n, m), np.nan) for k in ("moon_elevation_deg", "moon_azimuth_deg",
                                                "moon_distance_m")}
    if target is not None:
        out.update(point_elevation_deg=np.full((n, m), np.nan),
                   point_azimuth_deg=np.full((n, m), np.nan))
    topos = [earth + wgs84.latlon(s.lat_deg, s.lon_deg, elevation_m=s.height_m) for s in sts]
    for a in range(0, n, _CHUNK):
        b = min(n, a + _CHUNK)
        tt = ts.tdb_jd(2451545.0, et[a:b] / SECONDS_PER_DAY)
        # IAU 2000B nutation (1 mas, McCarthy & Luzum 2003) instead of 2000A: 10x cheaper,
        # through the hook skyfield keeps for this purpose (timelib.Time._nutation_angles)
        tt._nutation_angles_radians = iau2000b_radians(tt)
        for j, obs in enumerate(topos):
            at = obs.at(tt)
            alt, az, dist = at.observe(moon).apparent().altaz()
            out["moon_elevation_deg"][a:b, j] = alt.degrees
            out["moon_azimuth_deg"][a:b, j] = az.degrees
            out["moon_distance_m"][a:b, j] = dist.m
            if target is not None:
                alt, az, _ = at.observe(target).apparent().altaz()
                out["point_elevation_deg"][a:b, j] = alt.degrees
                out["point_azimuth_deg"][a:b, j] = az.degrees
        if progress is not None:
            progress(b, n)
    el = out["point_elevation_deg" if target is not None else "moon_elevation_deg"]
    visible = el >= min_elevation_deg
    units = {"moon_distance_m": "m"}
    data = {k: (("time", "station"), v, {"units": units.get(k, "deg")}) for k, v in out.items()}
    data["visible"] = (("time", "station"), visible,
                       {"long_name": f"{'point' if target is not None else 'Moon centre'} "
                                     f"elevation >= {min_elevation_deg:g} deg"})
    data["any_visible"] = (("time",), visible.any(axis=1), {"long_name": "any station sees it"})
    return xr.Dataset(
        data,
        coords={"time": t, "station": [s.name for s in sts],
                "station_lat_deg": ("station", [s.lat_deg for s in sts]),
                "station_lon_deg": ("station", [s.lon_deg for s in sts]),
                "station_height_m": ("station", [s.height_m for s in sts])},
        attrs={"min_elevation_deg": float(min_elevation_deg),
               "lunar_point": json.dumps(list(lunar_point) if lunar_point else None),
               "method": "skyfield observe().apparent().altaz(), no refraction, DE421",
               "station_sources": json.dumps({s.name: s.source for s in sts})},
    )


def visibility_windows(ds: xr.Dataset, var: str = "visible") -> list[dict[str, Any]]:
    """Contiguous runs of ``ds[var]`` per station as a list of dicts.

    Each dict has ``station``, ``start_utc``, ``stop_utc`` (first and last visible sample),
    ``duration_h`` (stop - start) and ``max_elevation_deg``. Windows cut by the ends of the
    time range are reported as they are.
    """
    el_name = "point_elevation_deg" if "point_elevation_deg" in ds else "moon_elevation_deg"
    t = ds["time"].values
    rows: list[dict[str, Any]] = []
    for name in ds["station"].values:
        v = ds[var].sel(station=name).values.astype(np.int8)
        el = ds[el_name].sel(station=name).values
        edges = np.diff(np.concatenate([[0], v, [0]]))
        starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1
        for i0, i1 in zip(starts, stops, strict=True):
            rows.append({
                "station": str(name),
                "start_utc": str(t[i0].astype("datetime64[s]")),
                "stop_utc": str(t[i1].astype("datetime64[s]")),
                "duration_h": float((t[i1] - t[i0]) / np.timedelta64(1, "h")),
                "max_elevation_deg": float(np.max(el[i0:i1 + 1])),
            })
    rows.sort(key=lambda r: (r["start_utc"], r["station"]))
    return rows
