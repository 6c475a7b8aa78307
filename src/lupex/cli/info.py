"""``lupex info``: versions of lupex and its key dependencies, and where the data come from."""

from __future__ import annotations

import typer

from lupex.cli._common import console


def register(app: typer.Typer) -> None:
    @app.command("info")
    def info() -> None:
        """Print versions of lupex and its key dependencies, and the ephemeris data sources.

        Example: `lupex info`
        """
        from rich.table import Table

        from lupex.info import collect_info

        data = collect_info()
        c = console()
        t = Table(title="lupex and its dependencies")
        t.add_column("package")
        t.add_column("version")
        for k, v in data["versions"].items():
            t.add_row(k, v)
        c.print(t)
        t2 = Table(title="ephemeris and terrain data (nothing is downloaded at run time)")
        t2.add_column("item")
        t2.add_column("source")
        for k, v in data["data"].items():
            t2.add_row(k, v)
        c.print(t2)
