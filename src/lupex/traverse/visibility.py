"""Time-varying Sun/Earth visibility the planner reads: the provider interface.

A *provider* is any iterable of frames, one per equally spaced time step. A frame is anything
with these attributes or mapping keys (the illumination layer's ``visibility_frames`` output
fits; so do plain dicts made in tests):

``time``              numpy.datetime64 / ISO string, UTC, start of the step
``sun_fraction``      (y, x) visible fraction of the Sun's disc [1], 0..1
``earth_fraction``    (y, x) visible fraction of Earth's disc [1] (Earth "visible" when > 0)
``sun_elevation_deg`` scalar or (y, x): the Sun's local elevation [deg] (array incidence)
``sun_azimuth_deg``   optional, scalar or (y, x): the Sun's grid azimuth [deg]

The planner packs the frames it needs into a :class:`VisibilityStack`: two ``uint8`` cubes
(fraction x 254, so 1/254 resolution; 0 stays exactly 0 = dark) and one array-incidence value
per step (the Sun direction at the grid centre: across a 30 km map at the pole the Sun's
elevation changes by < 1 deg, a < 0.02 % change of cos(i) for a vertical panel). A 1000 x 1000
grid over 720 steps is 2 x 0.72 GB; crop the grid to the region of interest for longer spans.
The stack is the planner's random-access working set (the route search visits time steps out of
order), the one place lupex holds a (time, y, x) array.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from lupex.errors import ParameterError
from lupex.times import SECONDS_PER_HOUR

_SCALE = 254.0


@dataclass(frozen=True)
class VisibilityFrame:
    """One time step of visibility (see the module docstring for the meaning of each field)."""

    time: np.datetime64
    sun_fraction: np.ndarray
    earth_fraction: np.ndarray
    sun_elevation_deg: Any = 0.0
    sun_azimuth_deg: Any = None


def _get(frame: Any, name: str, default: Any = ...) -> Any:
    if isinstance(frame, dict):
        if name in frame:
            return frame[name]
    elif hasattr(frame, name):
        return getattr(frame, name)
    if default is ...:
        raise ParameterError(f"visibility frame has no `{name}`; a frame needs time, sun_fraction, "
                             "earth_fraction and sun_elevation_deg (see lupex.traverse.visibility).")
    return default


def _centre(v: Any) -> float | None:
    if v is None:
        return None
    a = np.asarray(getattr(v, "values", v), dtype=float)
    if a.ndim == 0:
        return float(a)
    return float(a[a.shape[0] // 2, a.shape[1] // 2])


def _pack(a: Any, shape: tuple[int, int], name: str) -> np.ndarray:
    arr = np.asarray(getattr(a, "values", a), dtype=np.float32)
    if arr.shape != shape:
        raise ParameterError(f"visibility frame `{name}` has shape {arr.shape}, the grid is {shape}.")
    arr = np.nan_to_num(arr, nan=0.0)
    q = np.rint(np.clip(arr, 0.0, 1.0) * _SCALE).astype(np.uint8)
    q[(arr > 0) & (q == 0)] = 1  # a sliver of the disc stays "visible"
    return q


@dataclass
class VisibilityStack:
    """Packed visibility over the planning window (built by :meth:`from_frames`).

    Attributes
    ----------
    t0 : numpy.datetime64
        Start of the first step (UTC).
    step_s : float
        Step length [s].
    sun_u8, earth_u8 : ndarray, (n_steps, ny * nx) uint8
        Visible disc fractions x 254.
    sun_elevation_deg, sun_azimuth_deg : ndarray, (n_steps,)
        Sun direction at the grid centre [deg] (azimuth NaN when not given).
    """

    t0: np.datetime64
    step_s: float
    shape: tuple[int, int]
    sun_u8: np.ndarray
    earth_u8: np.ndarray
    sun_elevation_deg: np.ndarray
    sun_azimuth_deg: np.ndarray

    @property
    def n_steps(self) -> int:
        return int(self.sun_u8.shape[0])

    @property
    def times(self) -> np.ndarray:
        """Start of each step (UTC, datetime64[s])."""
        return self.t0 + (np.arange(self.n_steps) * self.step_s).astype("timedelta64[s]")

    @property
    def end(self) -> np.datetime64:
        return self.t0 + np.timedelta64(round(self.n_steps * self.step_s), "s")

    def seconds(self, t: Any) -> float:
        """Seconds from ``t0`` to UTC time ``t``."""
        return float((np.datetime64(t, "ms") - np.datetime64(self.t0, "ms")) / np.timedelta64(1, "ms")) / 1e3

    def utc(self, seconds: np.ndarray | float) -> np.ndarray:
        """UTC time of ``seconds`` after ``t0``."""
        ms = np.rint(np.asarray(seconds, float) * 1e3).astype("int64").astype("timedelta64[ms]")
        return np.datetime64(self.t0, "ms") + ms

    def sun_fraction(self, k: int) -> np.ndarray:
        return self.sun_u8[k].reshape(self.shape) / _SCALE

    def earth_fraction(self, k: int) -> np.ndarray:
        return self.earth_u8[k].reshape(self.shape) / _SCALE

    @classmethod
    def from_frames(cls, frames: Iterable[Any], shape: tuple[int, int], *, start: Any = None,
                    stop: Any = None) -> VisibilityStack:
        """Pack the frames of a provider whose step intersects ``[start, stop)``.

        Parameters
        ----------
        frames : iterable
            The provider (see module docstring); must be in time order, equally spaced.
        shape : (ny, nx)
            Grid shape every map must have.
        start, stop : datetime-like, optional
            Planning window (UTC); frames outside it are skipped without being packed.
        """
        t_start = None if start is None else np.datetime64(start, "s")
        t_stop = None if stop is None else np.datetime64(stop, "s")
        times: list[np.datetime64] = []
        sun: list[np.ndarray] = []
        earth: list[np.ndarray] = []
        elev: list[float] = []
        azim: list[float] = []
        prev = None
        step = None
        for fr in frames:
            t = np.datetime64(_get(fr, "time"), "s")
            if prev is not None:
                d = t - prev
                if step is None:
                    step = d
                if d != step or d <= np.timedelta64(0, "s"):
                    raise ParameterError(f"visibility frames must be equally spaced in time: step "
                                         f"{d} at {t} differs from {step}.")
            prev = t
            if t_stop is not None and t >= t_stop:
                break
            if t_start is not None and step is not None and t + step <= t_start:
                continue
            times.append(t)
            sun.append(_pack(_get(fr, "sun_fraction"), shape, "sun_fraction").ravel())
            earth.append(_pack(_get(fr, "earth_fraction"), shape, "earth_fraction").ravel())
            elev.append(_centre(_get(fr, "sun_elevation_deg", 0.0)))
            az = _centre(_get(fr, "sun_azimuth_deg", None))
            azim.append(np.nan if az is None else az)
        if not times:
            raise ParameterError(f"the visibility provider gave no time step inside the planning "
                                 f"window [{start}, {stop}).")
        # the first kept frame may have been read before the step was known
        if t_start is not None and len(times) > 1 and times[1] <= t_start:
            times, sun, earth, elev, azim = times[1:], sun[1:], earth[1:], elev[1:], azim[1:]
        if len(times) > 1:
            step_s = float((times[1] - times[0]) / np.timedelta64(1, "s"))
        elif step is not None:
            step_s = float(step / np.timedelta64(1, "s"))
        else:
            step_s = SECONDS_PER_HOUR
        return cls(t0=times[0], step_s=step_s, shape=tuple(shape), sun_u8=np.stack(sun),
                   earth_u8=np.stack(earth), sun_elevation_deg=np.asarray(elev, float),
                   sun_azimuth_deg=np.asarray(azim, float))


def frames_from_arrays(times: Any, sun_fraction: np.ndarray, earth_fraction: np.ndarray,
                       sun_elevation_deg: Any = 0.0, sun_azimuth_deg: Any = None):
    """A provider from arrays: ``sun_fraction``/``earth_fraction`` of shape (n, y, x) or (y, x)
    (then held fixed); the Sun's elevation/azimuth scalar or (n,). Yields :class:`VisibilityFrame`.
    """
    t = np.asarray(times, dtype="datetime64[s]")
    sun = np.asarray(sun_fraction)
    earth = np.asarray(earth_fraction)
    el = np.broadcast_to(np.asarray(sun_elevation_deg, float), t.shape)
    az = None if sun_azimuth_deg is None else np.broadcast_to(np.asarray(sun_azimuth_deg, float), t.shape)
    for i, ti in enumerate(t):
        yield VisibilityFrame(time=ti, sun_fraction=sun[i] if sun.ndim == 3 else sun,
                              earth_fraction=earth[i] if earth.ndim == 3 else earth,
                              sun_elevation_deg=float(el[i]),
                              sun_azimuth_deg=None if az is None else float(az[i]))


def visibility_stack(dem: Any, horizons: Any, times: Any, *, progress: Any = None) -> VisibilityStack:
    """Sun and Earth visibility of every DEM pixel at ``times``, packed for the planner.

    Parameters
    ----------
    dem : DataArray (y, x)
        Elevation [m], map contract.
    horizons : DataArray (azimuth, y, x)
        Horizon elevations [deg] (:func:`lupex.illumination.maps.load_horizons`).
    times : array of datetime64
        UTC epochs (evenly spaced: the planner's clock).
    progress : callable, optional
        ``progress(done, total)`` per frame.

    Returns
    -------
    VisibilityStack
        The visible Sun and Earth disc fractions per epoch and pixel
        (:func:`lupex.illumination.visibility_frames`).
    """
    from lupex.illumination import visibility_frames

    times = np.asarray(times)
    n = times.size

    def counted():
        for i, f in enumerate(visibility_frames(dem, horizons, times)):
            if progress is not None:
                progress(i + 1, n)
            yield f

    return VisibilityStack.from_frames(counted(), tuple(dem.shape))
