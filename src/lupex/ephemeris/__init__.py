"""lupex.ephemeris: where the Sun and the Earth are, seen from the Moon, and where the Moon is,
seen from Earth ground stations.

- Apparent (light time + stellar aberration, SPICE ``'LT+S'``) vectors in the Moon mean-Earth
  frame MOON_ME of DE421: :func:`sun_earth_vectors_me`, the fast :func:`sun_direction_me`.
- Topocentric azimuth/elevation, angular radii and sub-points: :func:`topocentric`,
  helpers :func:`enu_basis`, :func:`azel_from_vectors`.
- Ground stations: :data:`STATIONS`, :func:`ground_station_visibility`,
  :func:`visibility_windows`.
- Times: UTC at the API (:func:`check_times`, :func:`time_grid`), TDB seconds inside.

Kernels (DE421, ``moon_pa_de421_1900-2050.bpc``, ``moon_080317.tf``) come from the
``skyfield-data`` and ``lunarsky`` packages; nothing is downloaded. See docs/ephemeris.md.
"""

from lupex.ephemeris.describe import describe_kernels
from lupex.ephemeris.stations import (
    STATIONS,
    Station,
    ground_station_visibility,
    visibility_windows,
)
from lupex.ephemeris.timescales import check_times, parse_step, time_grid, usable_span_utc
from lupex.ephemeris.topocentric import (
    azel_from_vectors,
    body_fixed_m,
    dem_height_m,
    enu_basis,
    subpoint_deg,
    topocentric,
)
from lupex.ephemeris.vectors import sun_direction_me, sun_earth_vectors_me

__all__ = [
    "STATIONS",
    "Station",
    "azel_from_vectors",
    "body_fixed_m",
    "check_times",
    "dem_height_m",
    "describe_kernels",
    "enu_basis",
    "ground_station_visibility",
    "parse_step",
    "subpoint_deg",
    "sun_direction_me",
    "sun_earth_vectors_me",
    "time_grid",
    "topocentric",
    "usable_span_utc",
    "visibility_windows",
]
