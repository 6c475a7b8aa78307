"""``lupex report RUN``: write the run's self-contained report.html from its manifest."""

from __future__ import annotations

from pathlib import Path

import typer

from lupex.cli._common import console


def register(app: typer.Typer) -> None:
    """Add ``lupex report`` to the app."""

    @app.command("report", help="Write RUN/report.html: the mission told in order (answers, "
                 "site, traverse, mission, environment, provenance), self-contained (opens "
                 "offline).\n\nExample: `lupex report run1` then open run1/report.html")
    def report(
        run_dir: Path = typer.Argument(..., metavar="RUN", help="Run folder (with run.json)."),
        title: str | None = typer.Option(None, "--title", help="Page title (default: the "
                                         "scenario's name)."),
    ) -> None:
        from lupex.report import write_report

        out = write_report(run_dir, title=title)
        console().print(f"[green]report[/]: {out}")
