"""Helpers for the ephemeris tests: a NAIF leap-second kernel written from the official list,
the kernel files, random epochs, SPICE ET and angular separations."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import numpy as np

DATA = Path(__file__).parent / "data"
ARCSEC = np.pi / (180 * 3600)

_MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]


def write_lsk(leap_list: Path, out: Path) -> Path:
    """Write a NAIF text leap-second kernel from an NTP-epoch ``leap-seconds.list``.

    The DELTET constants are those of every NAIF LSK (naif0012.tls): TT - TAI, and the
    TDB - TT series coefficients K, EB, M0, M1 (NAIF "Time Required Reading").
    """
    entries = []
    for line in leap_list.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        ntp_s, offset = line.split()[:2]
        d = dt.datetime(1900, 1, 1) + dt.timedelta(seconds=int(ntp_s))
        entries.append(f"{int(offset)}, @{d.year}-{_MONTHS[d.month - 1]}-{d.day}")
    text = ("KPL/LSK\n\n\\begindata\n\n"
            "DELTET/DELTA_T_A = 32.184\n"
            "DELTET/K = 1.657D-3\n"
            "DELTET/EB = 1.671D-2\n"
            "DELTET/M = ( 6.239996D0 1.99096871D-7 )\n"
            "DELTET/DELTA_AT = ( " + "\n                     ".join(entries) + " )\n\n"
            "\\begintext\n")
    out.write_text(text)
    return out


def kernel_files() -> dict[str, Path]:
    import lunarsky
    import skyfield_data

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sfd = Path(skyfield_data.get_skyfield_data_path())
    lun = Path(lunarsky.__file__).parent / "data"
    return {"de421": sfd / "de421.bsp",
            "bpc": lun / "pck" / "moon_pa_de421_1900-2050.bpc",
            "tf": lun / "fk" / "satellites" / "moon_080317.tf",
            "assoc": lun / "fk" / "satellites" / "moon_assoc_me.tf"}


def random_utc(n: int, seed: int, lo: str = "1950-01-01", hi: str = "2049-12-31") -> np.ndarray:
    """``n`` random UTC instants (ms resolution) between ``lo`` and ``hi``."""
    rng = np.random.default_rng(seed)
    a = np.datetime64(lo, "ms").astype(np.int64)
    b = np.datetime64(hi, "ms").astype(np.int64)
    return np.sort(rng.integers(a, b, n)).astype("datetime64[ms]").astype("datetime64[ns]")


def spice_et(sp, times: np.ndarray, *, scale: str = "UTC") -> np.ndarray:
    """SPICE ET for each time; ``scale="TDB"`` reads the same labels as TDB (a wrong input)."""
    labels = np.char.replace(np.datetime_as_string(times, unit="ms"), "T", " ")
    return np.array([sp.str2et(f"{s} {scale}") for s in labels])


def separation_arcsec(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Angle between vectors (..., 3) [arcsec], well conditioned at small angles."""
    cross = np.linalg.norm(np.cross(a, b), axis=-1)
    dot = np.sum(a * b, axis=-1)
    return np.arctan2(cross, dot) / ARCSEC
