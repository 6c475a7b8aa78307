"""One error hierarchy for everything lupex refuses to do.

Every message names the file or field, what was wrong, and the fix. The CLI prints the
message as one line and exits with status 2; ``--debug`` shows the traceback.
"""

from __future__ import annotations


class LupexError(Exception):
    """Base class of every error lupex raises on purpose (bad input, impossible request)."""


class InputFileError(LupexError):
    """A file is missing, unreadable, corrupt or truncated."""


class DemError(LupexError):
    """A DEM is unusable: bad CRS, all-NaN, holes too large, wrong units."""


class CrsError(DemError):
    """A raster's coordinate reference system is missing, terrestrial or geographic."""


class EphemerisRangeError(LupexError):
    """A time lies outside the span covered by the ephemeris and orientation kernels."""


class ParameterError(LupexError, ValueError):
    """A parameter is out of its allowed range (names the parameter, value and range)."""


class ScenarioError(LupexError):
    """A scenario file is invalid (names the field, the value and the allowed range)."""


class StageContractError(LupexError):
    """A run stage broke its contract: it read a scenario value or a stage it did not declare."""


class InfeasibleError(LupexError):
    """A request has no solution; the message names the binding constraint."""


def check_range(name: str, value: float, lo: float | None = None, hi: float | None = None,
                *, unit: str = "", lo_open: bool = False, hi_open: bool = False) -> float:
    """Return ``value`` or raise :class:`ParameterError` naming ``name`` and the allowed range.

    Parameters
    ----------
    name : str
        Name of the parameter as the user typed it (e.g. ``--pixel-m``).
    value : float
        Value to check; NaN is always refused.
    lo, hi : float, optional
        Bounds; ``None`` means unbounded.
    unit : str
        Unit shown in the message.
    lo_open, hi_open : bool
        Whether the bound itself is excluded.
    """
    import math

    v = float(value)
    bad = math.isnan(v)
    if lo is not None:
        bad |= v <= lo if lo_open else v < lo
    if hi is not None:
        bad |= v >= hi if hi_open else v > hi
    if bad:
        lo_s = "-inf" if lo is None else f"{lo:g}"
        hi_s = "+inf" if hi is None else f"{hi:g}"
        lb = "(" if lo_open or lo is None else "["
        rb = ")" if hi_open or hi is None else "]"
        u = f" {unit}" if unit else ""
        raise ParameterError(f"{name} = {value!r}{u} is outside the allowed range {lb}{lo_s}, {hi_s}{rb}{u}.")
    return v
