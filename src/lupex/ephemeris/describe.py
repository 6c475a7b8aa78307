"""A description of the ephemeris kernels for ``lupex info``: files, packages, coverage.

Kept apart from :mod:`lupex.ephemeris.kernels` (which loads them) and
:mod:`lupex.ephemeris.timescales` (which uses them) so neither imports the other in a cycle.
"""

from __future__ import annotations

from lupex.ephemeris.kernels import _pkg_version, _tdb_iso, kernel_paths, load_kernels
from lupex.ephemeris.timescales import leap_second_summary, usable_span_utc


def describe_kernels() -> dict[str, str]:
    """Describe each kernel: file path, the package and version that ship it, coverage.

    Returns
    -------
    dict of str to str
        Keys ``"DE421"``, ``"Moon orientation"``, ``"Moon frames"``, ``"leap seconds"``,
        ``"usable span"``; used by ``lupex info``.
    """
    paths = kernel_paths()
    k = load_kernels()
    sd, ls = _pkg_version("skyfield-data"), _pkg_version("lunarsky")
    lo, hi = usable_span_utc()
    return {
        "DE421": f"{paths['de421']} (skyfield-data {sd}); covers {_tdb_iso(k.sun.start_s)} .. "
                 f"{_tdb_iso(k.sun.stop_s)} TDB",
        "Moon orientation": f"{paths['moon_pa_bpc']} (lunarsky {ls}); MOON_PA_DE421, covers "
                            f"{_tdb_iso(k.moon_pa.start_s)} .. {_tdb_iso(k.moon_pa.stop_s)} TDB",
        "Moon frames": f"{paths['moon_tf']} + {paths['moon_assoc_tf'].name} (lunarsky {ls}); "
                       "MOON_ME = MOON_ME_DE421",
        "leap seconds": leap_second_summary(),
        "usable span": f"{lo} .. {hi} UTC (apparent Sun/Earth, LT+S, frame MOON_ME)",
    }
