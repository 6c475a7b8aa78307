"""Run folders and a live server for the viewer tests (run folders: tests/report/)."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "report"))
from lupex_test_runs import handmade_run, tiny_run


@pytest.fixture(scope="session")
def handmade(tmp_path_factory) -> Path:
    return handmade_run(tmp_path_factory.mktemp("view"))


@pytest.fixture(scope="session")
def tiny(tmp_path_factory) -> Path:
    return tiny_run(tmp_path_factory.getbasetemp().parent / "lupex_tiny_run")


@contextmanager
def live(run: Path) -> Iterator[str]:
    """Serve ``run`` with uvicorn on 127.0.0.1 in a thread; yield the base URL."""
    import uvicorn

    from lupex.view.app import create_app
    from lupex.view.serve import free_port

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(run), host="127.0.0.1", port=port,
                                           log_level="warning"))
    th = threading.Thread(target=server.run, daemon=True)
    th.start()
    t0 = time.monotonic()
    while not server.started:
        if time.monotonic() - t0 > 30 or not th.is_alive():
            raise RuntimeError("the viewer server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        th.join(10)


@pytest.fixture(scope="session")
def server(handmade) -> Iterator[str]:
    with live(handmade) as url:
        yield url
