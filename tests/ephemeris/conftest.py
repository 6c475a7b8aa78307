"""SPICE (spiceypy) as the independent authority for the ephemeris tests.

The kernels are the same files lupex reads (DE421 from skyfield-data, the DE421 lunar
orientation PCK and frame kernels from lunarsky), located here without lupex's help. SPICE
needs a leap-second kernel for UTC -> ET; spiceypy ships none, so we write a NAIF LSK from
the official IERS/NIST list ``data/leap-seconds.list`` (a copy of the tz-database file
``leap-seconds.list``, which IERS Bulletin C feeds), independently of skyfield.
"""

from __future__ import annotations

import pytest
from _ephem_spice import DATA, kernel_files, write_lsk


@pytest.fixture(scope="session")
def spice(tmp_path_factory):
    """spiceypy with DE421, the lunar PCK/FKs, a fresh LSK and a 1737.4 km lunar sphere."""
    sp = pytest.importorskip("spiceypy")
    lsk = write_lsk(DATA / "leap-seconds.list", tmp_path_factory.mktemp("spice") / "leap.tls")
    sp.kclear()
    sp.furnsh(str(lsk))
    for p in kernel_files().values():
        sp.furnsh(str(p))
    sp.pdpool("BODY301_RADII", [1737.4, 1737.4, 1737.4])  # the LOLA reference sphere [km]
    yield sp
    sp.kclear()
