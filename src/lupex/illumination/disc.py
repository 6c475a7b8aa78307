"""Visible fraction of a uniform disc (the Sun, the Earth) above a locally straight horizon.

The horizon is modelled as a straight line across the disc at the horizon elevation
interpolated at the body's azimuth. The disc has angular radius ``r``; its centre is at
``d = (elevation - horizon) / r`` radii above the line. The part of a uniform unit disc above
the line ``y = -d`` has area ``pi - (acos d - d sqrt(1 - d^2))`` (the disc minus the circular
segment below the line, segment area ``theta - sin(theta)`` over 2 with central angle
``theta = 2 acos d``), so the visible fraction is

    f(d) = 1 - (acos(d) - d sqrt(1 - d^2)) / pi,   -1 <= d <= 1,

``f = 0`` for ``d <= -1`` and ``f = 1`` for ``d >= 1``. ``f`` is continuous with a continuous
first derivative (``f'(d) = 2 sqrt(1 - d^2) / pi``), which keeps table interpolation accurate.

The small-angle (flat-sky) approximation of the disc is exact to ``O(r^2)`` in angle:
for the Sun (r ~ 0.27 deg = 4.7e-3 rad) the relative error is < 1e-5, for the Earth
(r ~ 0.95 deg) < 1e-4.

References
----------
.. [1] Weisstein, E. W. "Circular Segment." MathWorld. (segment area r^2 (theta - sin theta) / 2)
.. [2] Mazarico, E., Neumann, G. A., Smith, D. E., Zuber, M. T., Torrence, M. H. (2011).
   Illumination conditions of the lunar polar regions using LOLA topography. Icarus 211,
   1066-1081. (The Sun as an extended disc partially hidden by the horizon.)
"""

from __future__ import annotations

import math

import numba
import numpy as np

from lupex.constants import EARTH_RADIUS_M, SUN_RADIUS_M

__all__ = ["angular_radius_deg", "disc_fraction"]


@numba.njit(cache=True, inline="always")
def _segment_fraction(d: float) -> float:
    """Visible fraction of a unit disc whose centre is ``d`` radii above a straight line."""
    if d >= 1.0:
        return 1.0
    if d <= -1.0:
        return 0.0
    return 1.0 - (math.acos(d) - d * math.sqrt(1.0 - d * d)) / math.pi


@numba.vectorize(["float64(float64)"], cache=True)
def _segment_fraction_ufunc(d: float) -> float:
    return _segment_fraction(d)


def disc_fraction(elevation_deg, horizon_deg, radius_deg) -> np.ndarray:
    """Visible fraction [0, 1] of a uniform disc above a straight local horizon.

    Parameters
    ----------
    elevation_deg : array_like
        Elevation of the disc centre above the local horizontal [deg].
    horizon_deg : array_like
        Horizon elevation at the body's azimuth [deg] (broadcast with ``elevation_deg``).
    radius_deg : array_like
        Apparent angular radius of the disc [deg], > 0 (Sun ~0.2665, Earth ~0.95).

    Returns
    -------
    ndarray of float64
        Fraction of the disc's area above the horizon line [1].

    Notes
    -----
    ``f(d) = 1 - (acos d - d sqrt(1 - d^2)) / pi`` with ``d = (elevation - horizon) / radius``
    (circular-segment area; see the module docstring). The disc is uniform (no limb darkening).
    """
    el = np.asarray(elevation_deg, dtype=float)
    h = np.asarray(horizon_deg, dtype=float)
    r = np.asarray(radius_deg, dtype=float)
    if np.any(r <= 0):
        from lupex.errors import ParameterError

        raise ParameterError("disc_fraction: radius_deg must be > 0 (the body's apparent angular "
                             "radius, e.g. 0.2665 for the Sun).")
    return _segment_fraction_ufunc((el - h) / r)


def angular_radius_deg(distance_m, body: str = "sun") -> np.ndarray:
    """Apparent angular radius [deg] of the Sun or the Earth at ``distance_m`` [m].

    ``asin(R_body / distance)`` with the IAU 2015 nominal solar radius 695 700 km or the Earth's
    equatorial radius 6378.1366 km (:mod:`lupex.constants`).
    """
    radius = {"sun": SUN_RADIUS_M, "earth": EARTH_RADIUS_M}[body]
    return np.degrees(np.arcsin(radius / np.asarray(distance_m, dtype=float)))
