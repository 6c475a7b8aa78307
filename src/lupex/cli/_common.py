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


def run_folder_group(verb: str, writer: str):
    """A typer group class where ``lupex VERB DIR ...`` runs ``lupex VERB maps DIR ...``.

    A first argument that is not a sub-command but an existing folder is routed to ``maps``;
    anything else that is not a sub-command is a usage error naming both readings and
    ``writer``, the command that makes such a folder.
    """
    from pathlib import Path

    import typer
    from typer.core import TyperGroup

    class RunFolderGroup(TyperGroup):
        def parse_args(self, ctx, args):
            if args and not args[0].startswith("-") and args[0] not in self.commands:
                if not Path(args[0]).is_dir():
                    raise typer.BadParameter(
                        f"No such command or run folder: {args[0]!r} is neither a sub-command "
                        f"({', '.join(self.commands)}) nor an existing folder; give the folder "
                        f"{writer} wrote.",
                        ctx=ctx, param_hint="COMMAND or DIR")
                args = ["maps", *args]
            return super().parse_args(ctx, args)

    RunFolderGroup.__name__ = f"{verb.capitalize()}RunFolderGroup"
    return RunFolderGroup
