"""One time convention at the API: UTC ``numpy.datetime64``, ISO strings accepted, durations.

Every public function of lupex takes times as UTC (``numpy.datetime64``, ``datetime`` or an ISO
8601 string such as ``"2028-09-01T00:00"``) and time steps as durations (``numpy.timedelta64``,
``datetime.timedelta`` or a string such as ``"30min"``, ``"2h"``, ``"1d"``). These helpers do
the conversions once, so no module writes its own ``* 3600``. TDB seconds (the ephemeris's
inner time scale) live in :mod:`lupex.ephemeris.timescales`.

This module imports only numpy (no numba), so the scenario schema can use it.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any

import numpy as np

from lupex.errors import ParameterError

SECONDS_PER_MINUTE = 60.0
SECONDS_PER_HOUR = 3600.0
SECONDS_PER_DAY = 86400.0
SECONDS_PER_JULIAN_YEAR = 365.25 * SECONDS_PER_DAY

_UNITS = {
    "ns": "ns", "us": "us", "ms": "ms",
    "s": "s", "sec": "s", "secs": "s", "second": "s", "seconds": "s",
    "min": "m", "mins": "m", "minute": "m", "minutes": "m",
    "h": "h", "hr": "h", "hrs": "h", "hour": "h", "hours": "h",
    "d": "D", "day": "D", "days": "D",
}
_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*([a-zA-Z]+)\s*$")


def parse_duration(value: Any, *, what: str = "step", allow_zero: bool = False) -> np.timedelta64:
    """A duration such as ``"10s"``, ``"30min"``, ``"2h"``, ``"1d"`` (or a timedelta).

    Parameters
    ----------
    value : str, datetime.timedelta or numpy.timedelta64
        The duration.
    what : str
        Name used in the error message (a field or option name).
    allow_zero : bool
        Accept a zero duration (steps must be positive; offsets may be zero).

    Returns
    -------
    numpy.timedelta64[ns]
    """
    if isinstance(value, str):
        m = _DURATION_RE.match(value)
        unit = _UNITS.get(m.group(2).lower()) if m else None
        if unit is None:
            raise ParameterError(f"{what} {value!r} is not understood; give a number and a unit, "
                                 "e.g. 10s, 30min, 1h, 1d (units: ns us ms s min h d).")
        ns_per = np.timedelta64(1, unit).astype("timedelta64[ns]").astype(np.int64)
        td = np.timedelta64(round(float(m.group(1)) * int(ns_per)), "ns")
    elif isinstance(value, _dt.timedelta):
        td = np.timedelta64(value).astype("timedelta64[ns]")
    elif isinstance(value, np.timedelta64) or hasattr(value, "to_timedelta64"):
        td = np.timedelta64(value).astype("timedelta64[ns]")
    else:
        raise ParameterError(f"{what} {value!r} is not a duration; give e.g. '1h' or a timedelta.")
    if td < np.timedelta64(0, "ns") or (td == np.timedelta64(0, "ns") and not allow_zero):
        raise ParameterError(f"{what} {value!r} must be positive (e.g. 1h).")
    return td


def to_utc(value: Any, *, what: str = "time") -> np.datetime64:
    """One UTC instant as ``numpy.datetime64[s]`` from an ISO string, datetime or datetime64.

    A timezone-aware ``datetime`` is converted to UTC; naive values are taken as UTC.
    """
    try:
        if isinstance(value, _dt.datetime) and value.tzinfo is not None:
            value = value.astimezone(_dt.UTC).replace(tzinfo=None)
        if isinstance(value, str):
            value = value.strip().removesuffix("Z").removesuffix("z")
        t = np.datetime64(value, "s")
    except (ValueError, TypeError):
        raise ParameterError(f"{what} {value!r} is not an ISO 8601 UTC time such as "
                             "2028-09-01T00:00.") from None
    if np.isnat(t):
        raise ParameterError(f"{what} {value!r} is not a time (NaT).")
    return t


def seconds(duration: Any) -> float:
    """A duration in seconds (float)."""
    return float(parse_duration(duration, allow_zero=True) / np.timedelta64(1, "ns")) * 1e-9


def hours(duration: Any) -> float:
    """A duration in hours (float)."""
    return seconds(duration) / SECONDS_PER_HOUR


def from_hours(h: float) -> np.timedelta64:
    """``numpy.timedelta64[s]`` of ``h`` hours (rounded to the second)."""
    return np.timedelta64(round(float(h) * SECONDS_PER_HOUR), "s")


def from_seconds(s: float) -> np.timedelta64:
    """``numpy.timedelta64[s]`` of ``s`` seconds (rounded to the second)."""
    return np.timedelta64(round(float(s)), "s")


def iso_utc(t: Any) -> str:
    """``"YYYY-MM-DDTHH:MM:SSZ"`` for one instant (or an array: a list of strings)."""
    a = np.asarray(t).astype("datetime64[s]")
    if a.ndim == 0:
        return str(a) + "Z"
    return [str(x) + "Z" for x in a.ravel()]


def time_range(start: Any, stop: Any) -> list[str]:
    """``[start, stop]`` as ISO UTC strings (the manifest's ``time_range``)."""
    return [iso_utc(to_utc(start)), iso_utc(to_utc(stop))]
