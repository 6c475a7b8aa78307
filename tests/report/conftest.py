"""Run folders for the report tests (see lupex_test_runs.py)."""

from __future__ import annotations

import pytest
from lupex_test_runs import handmade_run, tiny_run


@pytest.fixture(scope="session")
def handmade(tmp_path_factory) -> object:
    return handmade_run(tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="session")
def tiny(tmp_path_factory) -> object:
    # one real run shared by the xdist workers: the parent of the per-worker base temp
    return tiny_run(tmp_path_factory.getbasetemp().parent / "lupex_tiny_run")
