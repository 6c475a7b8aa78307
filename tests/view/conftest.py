"""Run folders and a live server for the viewer tests (run folders: tests/report/)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "report"))
from lupex_test_runs import handmade_run, live, tiny_run


@pytest.fixture(scope="session")
def handmade(tmp_path_factory) -> Path:
    return handmade_run(tmp_path_factory.mktemp("view"))


@pytest.fixture(scope="session")
def tiny(tmp_path_factory) -> Path:
    return tiny_run(tmp_path_factory.getbasetemp().parent / "lupex_tiny_run")


@pytest.fixture(scope="session")
def server(handmade) -> Iterator[str]:
    with live(handmade) as url:
        yield url
