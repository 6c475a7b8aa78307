"""State and helpers shared by the CLI verbs: consoles, progress bars, quiet/debug flags."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


@dataclass
class _State:
    quiet: bool = False
    debug: bool = False


STATE = _State()


def console() -> Console:
    """Console for normal output (silenced by ``--quiet``)."""
    return Console(quiet=STATE.quiet, highlight=False)


def err_console() -> Console:
    """Console on standard error (never silenced)."""
    return Console(stderr=True, highlight=False)


@contextlib.contextmanager
def progress() -> Iterator[Progress]:
    """A rich progress bar on stderr, hidden with ``--quiet``.

    Use ``task = p.add_task("horizons", total=n)`` and ``p.advance(task)``; library functions
    take a ``progress`` callback ``f(done, total)`` built by :func:`callback`.
    """
    p = Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(),
                 MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn(),
                 console=err_console(), disable=STATE.quiet, transient=False)
    with p:
        yield p


def callback(p: Progress, description: str):
    """Return ``f(done, total)`` that drives one task of progress bar ``p``."""
    task = p.add_task(description, total=None)

    def _cb(done: int, total: int) -> None:
        p.update(task, completed=done, total=total)

    return _cb
