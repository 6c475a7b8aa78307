"""Shared fixtures: the path of the real LOLA crops in ../shared/data (skip when absent)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(os.environ.get("LUPEX_SHARED_DATA",
                                  Path(__file__).resolve().parents[1].parent / "shared" / "data"))


def shared_file(name: str) -> Path:
    """Return ``../shared/data/<name>`` or skip the test with a message if it is absent."""
    p = SHARED_DATA / name
    if not p.exists():
        pytest.skip(f"real-terrain data {p} not present (see ../shared/data/README.md)")
    return p


@pytest.fixture
def lola_shackleton() -> Path:
    return shared_file("lola/shackleton_200m.tif")


@pytest.fixture
def lola_ridge() -> Path:
    return shared_file("lola/connecting_ridge_40m.tif")


@pytest.fixture
def lola_haworth() -> Path:
    return shared_file("lola/haworth_shoemaker_300m.tif")
