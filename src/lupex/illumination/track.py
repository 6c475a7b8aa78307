"""The Sun and the Earth over a list of epochs, in a map's reference grid frame.

One ephemeris call per span (task A's vectorised ``lupex.ephemeris``): apparent (LT+S) vectors
in MOON_ME, seen from the reference point (the map centre), rotated into its grid frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lupex.constants import SUN_RADIUS_M
from lupex.illumination.frames import PixelGeometry


@dataclass(frozen=True)
class BodyTrack:
    """Sun (and Earth) per epoch in the reference grid frame.

    Attributes
    ----------
    times : ndarray (T,) datetime64[ns]
        UTC epochs.
    sun_ref : ndarray (T, 3)
        Unit vector reference point -> Sun.
    sun_distance_m, sun_radius_deg : ndarray (T,)
        Distance [m] and apparent radius [deg] of the Sun.
    earth_ref_m : ndarray (T, 3) or None
        Vector reference point -> Earth [m].
    """

    times: np.ndarray
    sun_ref: np.ndarray
    sun_distance_m: np.ndarray
    sun_radius_deg: np.ndarray
    earth_ref_m: np.ndarray | None

    def __len__(self) -> int:
        return int(self.times.shape[0])

    def slice(self, sl: slice) -> BodyTrack:
        return BodyTrack(self.times[sl], self.sun_ref[sl], self.sun_distance_m[sl],
                         self.sun_radius_deg[sl],
                         None if self.earth_ref_m is None else self.earth_ref_m[sl])


def track_from_vectors(times, sun_m, earth_m, geometry: PixelGeometry) -> BodyTrack:
    """Build a :class:`BodyTrack` from MOON_ME vectors seen from the reference point [m]."""
    sun_m = np.asarray(sun_m, dtype=float)
    dist = np.linalg.norm(sun_m, axis=-1)
    sun_ref = geometry.to_reference(sun_m / dist[:, None])
    rad = np.degrees(np.arcsin(SUN_RADIUS_M / dist))
    earth_ref = None if earth_m is None else geometry.to_reference(np.asarray(earth_m, float))
    return BodyTrack(np.asarray(times), np.ascontiguousarray(sun_ref), dist, rad,
                     None if earth_ref is None else np.ascontiguousarray(earth_ref))


def body_track(times, geometry: PixelGeometry, *, earth: bool = True) -> BodyTrack:
    """Sun (and Earth) seen from the reference point of ``geometry`` at ``times`` (UTC).

    With ``earth=False`` the fast path ``sun_direction_me`` (from the Moon's centre) is used and
    the parallax to the reference point is applied exactly (``d_sun u - r_ref``).
    """
    from lupex import ephemeris

    t = ephemeris.check_times(times)
    if earth:
        vec = ephemeris.sun_earth_vectors_me(t, observer_me_m=geometry.ref_position_m)
        return track_from_vectors(t, vec["sun_m"], vec["earth_m"], geometry)
    unit, dist = ephemeris.sun_direction_me(t)
    sun_m = np.asarray(unit, float) * np.asarray(dist, float)[:, None] - geometry.ref_position_m
    return track_from_vectors(t, sun_m, None, geometry)
