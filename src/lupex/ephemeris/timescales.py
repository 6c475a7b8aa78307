"""UTC times at the API, TDB seconds inside: parsing, grids, the UTC -> TDB conversion.

UTC -> TAI uses the leap-second table built into skyfield (``load.timescale(builtin=True)``,
no download). Before 1972-01-01, when UTC had no leap seconds, lupex follows the SPICE toolkit
(``DELTET``): TAI - UTC = 9 s, so results match SPICE there too (skyfield uses 10 s). Times
after the last tabulated leap second keep its offset (37 s since 2017-01-01).

TT = TAI + 32.184 s; TDB - TT is the Fairhead & Bretagnon series truncated as in [1]_
(eq. 2.6, error < 10 us 1600-2200; the Moon turns 2.7e-6 rad/s, so 10 us is 5e-6 arcsec).

``numpy.datetime64`` cannot name a leap second (23:59:60); such an instant is not accepted.

References
----------
.. [1] Kaplan, G. H. (2005). The IAU Resolutions on Astronomical Reference Systems, Time
   Scales, and Earth Rotation Models. USNO Circular 179, eq. 2.6.
"""

from __future__ import annotations

import datetime as _dt
import functools
import math
from typing import Any

import numba
import numpy as np

from lupex.ephemeris.kernels import load_kernels
from lupex.errors import EphemerisRangeError, ParameterError
from lupex.times import SECONDS_PER_DAY, parse_duration

NS = np.dtype("datetime64[ns]")
_J2000_LABEL_NS = np.datetime64("2000-01-01T12:00:00", "ns").astype(np.int64)
_TT_MINUS_TAI_S = 32.184
_PRE_1972_TAI_MINUS_UTC_S = 9.0  # SPICE DELTET convention (first table value minus 1 s)
_MAX_GRID_POINTS = 1_000_000_000


@functools.lru_cache(maxsize=1)
def _leap_table() -> tuple[np.ndarray, np.ndarray]:
    """(UTC ns of each step, TAI - UTC [s] from that instant), incl. the pre-1972 value."""
    from skyfield.api import load

    ts = load.timescale(builtin=True)
    jd = np.concatenate([[2441317.5], np.asarray(ts.leap_dates, dtype=float)])  # 1972-01-01
    off = np.concatenate([[10.0], np.asarray(ts.leap_offsets, dtype=float)])
    ns = np.round((jd - 2440587.5) * SECONDS_PER_DAY).astype(np.int64) * 1_000_000_000
    return ns, off


def leap_second_summary() -> str:
    """One line naming the leap-second table used (for ``lupex info``)."""
    from importlib.metadata import version

    ns, off = _leap_table()
    last = str(np.datetime64(int(ns[-1]), "ns").astype("datetime64[D]"))
    return (f"skyfield {version('skyfield')} builtin table: TAI-UTC = {off[-1]:.0f} s since "
            f"{last}; {_PRE_1972_TAI_MINUS_UTC_S:.0f} s before 1972 (SPICE convention)")


def tai_minus_utc_s(times_ns: np.ndarray) -> np.ndarray:
    """TAI - UTC [s] for UTC instants given as int64 ns since 1970 (or datetime64[ns])."""
    ns, off = _leap_table()
    t = np.asarray(times_ns).astype(np.int64, copy=False)
    i = np.searchsorted(ns, t, side="right") - 1
    return np.where(i >= 0, off[np.clip(i, 0, None)], _PRE_1972_TAI_MINUS_UTC_S)


@numba.njit(cache=True)
def _tdb_minus_tt(tt_s: float) -> float:
    """TDB - TT [s] at TT seconds past J2000 (USNO Circular 179 eq. 2.6)."""
    t = tt_s / (36525.0 * SECONDS_PER_DAY)
    return (0.001657 * math.sin(628.3076 * t + 6.2401)
            + 0.000022 * math.sin(575.3385 * t + 4.2970)
            + 0.000014 * math.sin(1256.6152 * t + 6.1969)
            + 0.000005 * math.sin(606.9777 * t + 4.0212)
            + 0.000005 * math.sin(52.9691 * t + 0.4444)
            + 0.000002 * math.sin(21.3299 * t + 5.5431)
            + 0.000010 * t * math.sin(628.3076 * t + 4.2490))


@numba.njit(parallel=True, cache=True)
def _utc_to_tdb(t_ns, j2000_ns, leap_ns, leap_off, pre_1972, tt_minus_tai, out):
    for i in numba.prange(t_ns.shape[0]):
        d = t_ns[i] - j2000_ns
        whole = d // 1_000_000_000  # floor division: the fraction below is in [0, 1) s
        frac = (d - whole * 1_000_000_000) * 1e-9
        k = np.searchsorted(leap_ns, t_ns[i], side="right") - 1
        dat = leap_off[k] if k >= 0 else pre_1972
        tt = float(whole) + (frac + (dat + tt_minus_tai))
        out[i] = tt + _tdb_minus_tt(tt)


def utc_to_tdb_seconds(times: np.ndarray) -> np.ndarray:
    """TDB seconds past J2000 (the SPICE "ET") for UTC ``datetime64[ns]`` times.

    The integer and fractional seconds are kept apart until the end, so the result keeps the
    full float64 resolution (0.2 us at 50 years from J2000).
    """
    t = np.ascontiguousarray(np.asarray(times, dtype=NS).astype(np.int64).ravel())
    ns, off = _leap_table()
    out = np.empty(t.shape, dtype=np.float64)
    _utc_to_tdb(t, np.int64(_J2000_LABEL_NS), ns, off, _PRE_1972_TAI_MINUS_UTC_S,
                _TT_MINUS_TAI_S, out)
    return out


def tdb_seconds_to_utc(tdb_s: float) -> np.datetime64:
    """Inverse of :func:`utc_to_tdb_seconds` for one instant, to the nanosecond."""
    guess = np.datetime64(int(_J2000_LABEL_NS + round(tdb_s * 1e9)), "ns")
    for _ in range(3):
        err = float(utc_to_tdb_seconds(np.array([guess]))[0]) - tdb_s
        guess = guess - np.timedelta64(round(err * 1e9), "ns")
    return guess


@functools.lru_cache(maxsize=1)
def _span_tdb_and_utc() -> tuple[float, float, np.datetime64, np.datetime64]:
    k = load_kernels()
    lo = tdb_seconds_to_utc(k.start_tdb_s)
    hi = tdb_seconds_to_utc(k.stop_tdb_s)
    one = np.timedelta64(1, "s")
    lo_s = lo.astype("datetime64[s]")
    lo_s = lo_s if lo_s >= lo else lo_s + one  # round inward to whole seconds
    hi_s = hi.astype("datetime64[s]")
    return k.start_tdb_s, k.stop_tdb_s, lo_s, hi_s


def usable_span_utc() -> tuple[str, str]:
    """First and last UTC second (ISO strings) inside every kernel's coverage."""
    _, _, lo, hi = _span_tdb_and_utc()
    return str(lo), str(hi)


def _span_message(bad: np.datetime64) -> str:
    lo, hi = usable_span_utc()
    return (f"{bad.astype('datetime64[s]')!s}: outside the ephemeris span {lo} .. {hi} UTC "
            "(DE421 + moon_pa_de421_1900-2050.bpc); choose times inside that span.")


# --------------------------------------------------------------------------------- parsing

def _parse_one(value: Any) -> np.datetime64:
    """Parse one time: ISO string (optionally with Z or +hh:mm), datetime, datetime64."""
    if isinstance(value, np.datetime64):
        return _checked_ns(value, value)
    if isinstance(value, _dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(_dt.UTC).replace(tzinfo=None)
        return np.datetime64(value, "ns")
    if isinstance(value, _dt.date):
        return np.datetime64(value, "ns")
    if hasattr(value, "to_datetime64"):  # pandas Timestamp
        return _parse_one(value.to_pydatetime() if getattr(value, "tzinfo", None) else
                          value.to_datetime64())
    if isinstance(value, str):
        s = value.strip()
        if s.upper().endswith(" UTC"):
            s = s[:-4]
        try:
            d = _dt.datetime.fromisoformat(s.replace(" ", "T", 1) if "T" not in s else s)
        except ValueError:
            d = None
        if d is not None:
            return _parse_one(d)
        try:
            return _checked_ns(np.datetime64(s), value)
        except ValueError:
            pass
    shown = str(value) if isinstance(value, str) else value
    raise ParameterError(f"time {shown!r} is not a UTC time; give ISO 8601 like "
                         "'2028-01-01T00:00' (UTC), a datetime or numpy.datetime64.")


def _checked_ns(d: np.datetime64, original: Any) -> np.datetime64:
    if np.isnat(d):
        raise ParameterError(f"time {original!r} is NaT (not a time); give a UTC time.")
    lo, hi = np.datetime64("1678-01-01"), np.datetime64("2261-12-31")
    if not (lo <= d.astype("datetime64[D]") <= hi):
        raise EphemerisRangeError(_span_message(d.astype("datetime64[s]")))
    return d.astype(NS)


def _to_datetime64(times: Any) -> np.ndarray:
    """Any accepted time input -> 1-D ``datetime64[ns]`` (parsing only, no span check)."""
    if not isinstance(times, (str, np.ndarray)) and hasattr(times, "values") \
            and not callable(times.values):
        times = times.values  # xarray / pandas
    arr = np.asarray(times)
    if arr.size == 0:
        return np.empty(0, dtype=NS)
    if arr.dtype.kind == "M":
        flat = arr.ravel()
        if np.isnat(flat).any():
            raise ParameterError(f"times contain NaT at index {int(np.flatnonzero(np.isnat(flat))[0])}; "
                                 "remove or fill the missing times.")
        unit = np.datetime_data(arr.dtype)[0]
        if unit != "ns":
            coarse = flat.astype("datetime64[D]")
            out = (coarse < np.datetime64("1678-01-01")) | (coarse > np.datetime64("2261-12-31"))
            if out.any():
                raise EphemerisRangeError(_span_message(flat[out][0]))
        return flat.astype(NS)
    if arr.dtype.kind in "iufcb":
        raise ParameterError("times must be UTC times (ISO strings, datetime or datetime64), "
                             f"not numbers (got dtype {arr.dtype}).")
    flat = arr.ravel()
    if arr.dtype.kind == "U":
        try:  # fast path for plain ISO strings without zone
            s = np.char.strip(flat)
            s = np.where(np.char.endswith(s, "Z"), np.char.rstrip(s, "Z"), s)
            if not ((np.char.count(s, "+") > 0) | (np.char.count(s, "-") > 2)).any():
                return _to_datetime64(s.astype(NS))  # no zone offsets: numpy parses them
        except (ValueError, TypeError):
            pass
    return np.array([_parse_one(v) for v in flat], dtype=NS)


def times_and_tdb(times: Any) -> tuple[np.ndarray, np.ndarray]:
    """Parse and validate ``times``; return (``datetime64[ns]`` (n,), TDB s past J2000 (n,))."""
    t = _to_datetime64(times)
    et = utc_to_tdb_seconds(t)
    start, stop, _, _ = _span_tdb_and_utc()
    bad = ~((et >= start) & (et <= stop))
    if bad.any():
        raise EphemerisRangeError(_span_message(t[np.flatnonzero(bad)[0]]))
    return t, et


def check_times(times: Any) -> np.ndarray:
    """Parse UTC times and check they lie inside the ephemeris span.

    Parameters
    ----------
    times : str, datetime, numpy.datetime64, or array-like of these
        UTC times. Strings are ISO 8601 (``"2028-01-01T00:00"``; a trailing ``Z`` or a
        ``+hh:mm`` offset is honoured). Numbers are refused (ambiguous).

    Returns
    -------
    numpy.ndarray of datetime64[ns], shape (n,)
        The times, flattened to 1-D (a scalar becomes shape (1,)).

    Raises
    ------
    ParameterError
        A value is not a time (or NaT).
    EphemerisRangeError
        A time is outside the span covered by DE421 and the lunar orientation kernel; the
        message names the first such time and the span.
    """
    return times_and_tdb(times)[0]


def parse_step(step: Any) -> np.timedelta64:
    """Parse a time step like ``"10s"``, ``"30min"``, ``"1h"``, ``"1d"`` (or a timedelta).

    The same as :func:`lupex.times.parse_duration` (one convention for the whole API).

    Returns
    -------
    numpy.timedelta64[ns]
        The step, strictly positive.
    """
    return parse_duration(step)


def time_grid(start: Any, stop: Any, step: Any) -> np.ndarray:
    """Regular UTC grid ``start, start+step, ...`` up to and including ``stop`` if on the grid.

    Parameters
    ----------
    start, stop : str, datetime or numpy.datetime64
        UTC limits (ISO strings accepted); both must lie inside the ephemeris span.
    step : str or timedelta
        ``"10s"``, ``"30min"``, ``"1h"``, ``"1d"``... (see :func:`parse_step`).

    Returns
    -------
    numpy.ndarray of datetime64[ns], shape (n,)

    Examples
    --------
    >>> time_grid("2028-01-01", "2028-01-02", "6h").size
    5
    """
    t0 = check_times(start)
    t1 = check_times(stop)
    if t0.size != 1 or t1.size != 1:
        raise ParameterError("start and stop must be single times.")
    t0, t1 = t0[0], t1[0]
    dt = parse_step(step)
    if t1 < t0:
        raise ParameterError(f"stop {t1.astype('datetime64[s]')} is before start "
                             f"{t0.astype('datetime64[s]')}; swap them.")
    n = int((t1 - t0) // dt) + 1
    if n > _MAX_GRID_POINTS:
        raise ParameterError(f"the grid {t0} .. {t1} every {step} has {n:,} epochs "
                             f"(more than {_MAX_GRID_POINTS:,}); use a coarser step or stream "
                             "it in pieces.")
    return t0 + np.arange(n, dtype=np.int64) * dt
