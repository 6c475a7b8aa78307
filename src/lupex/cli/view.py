"""``lupex view RUN``: the browser viewer of a run folder on http://127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import typer

from lupex.cli._common import console


def register(app: typer.Typer) -> None:
    """Add ``lupex view`` to the app."""

    @app.command("view", help="Open the run's maps in the browser: pan and zoom in the DEM's "
                 "polar stereographic CRS, layers with opacity, values under the cursor, a "
                 "time slider for the Sun's shadow and the rover, the sky at a clicked point. "
                 "Serves only files inside RUN, on 127.0.0.1 unless --host says otherwise."
                 "\n\nExample: `lupex view run1` (Ctrl-C stops; `--no-browser --port 8800` on a "
                 "remote machine, then `ssh -L 8800:127.0.0.1:8800 host`)")
    def view(
        run_dir: Path = typer.Argument(..., metavar="RUN", help="Run folder (with run.json)."),
        port: int = typer.Option(8765, "--port", help="TCP port (0: a free one)."),
        host: str = typer.Option("127.0.0.1", "--host", help="Address to bind; another than "
                                 "127.0.0.1 exposes the run folder to that network."),
        no_browser: bool = typer.Option(False, "--no-browser", help="Do not open a browser."),
    ) -> None:
        from lupex.view import serve

        c = console()
        if host not in ("127.0.0.1", "localhost", "::1"):
            c.print(f"[yellow]warning[/]: binding {host}: anyone who reaches it can read RUN.")
        serve(run_dir, host=host, port=port, open_browser=not no_browser,
              announce=lambda line: c.print(line, soft_wrap=True))
