"""SPICE (spiceypy) for the launch tests, set up as in tests/ephemeris (same kernels, an LSK
written from the official leap-second list), and the synthetic polar DEM helper."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "ephemeris"))
sys.path.insert(0, str(HERE.parent / "illumination"))


@pytest.fixture(scope="session")
def spice(tmp_path_factory):
    from _ephem_spice import DATA, kernel_files, write_lsk

    sp = pytest.importorskip("spiceypy")
    lsk = write_lsk(DATA / "leap-seconds.list", tmp_path_factory.mktemp("spice") / "leap.tls")
    sp.kclear()
    sp.furnsh(str(lsk))
    for p in kernel_files().values():
        sp.furnsh(str(p))
    yield sp
    sp.kclear()
