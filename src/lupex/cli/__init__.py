"""The ``lupex`` command line. It only parses arguments and calls the Python API.

Each verb lives in its own module (``cli/terrain.py``, ``cli/ephemeris.py``, ...) exposing
``register(app)``. Errors that lupex raises on purpose (:class:`lupex.errors.LupexError`) are
printed as one line and exit with status 2; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import sys

import typer

from lupex.cli import _common

app = typer.Typer(
    name="lupex",
    help=(
        "Plan and simulate a lunar south-pole ice-prospecting mission (Chandrayaan-5 / LUPEX).\n\n"
        "Start with `lupex demo` (runs the whole available chain on the embedded synthetic "
        "terrain), or `lupex terrain info DEM.tif` on your own LOLA GeoTIFF."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only errors and final paths."),
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks on errors."),
) -> None:
    _common.STATE.quiet = quiet
    _common.STATE.debug = debug


def _register_all() -> None:
    from lupex.cli import (
        demo,
        ephemeris,
        horizon,
        illumination,
        info,
        report,
        run,
        sites,
        terrain,
        thermal,
        transfer,
        traverse,
        view,
        volatiles,
        windows,
    )

    for mod in (info, run, demo, terrain, ephemeris, horizon, illumination, thermal, volatiles, sites,
                traverse, report, view, windows, transfer):
        mod.register(app)


_register_all()


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``lupex`` console script."""
    import warnings

    from lupex.errors import LupexError

    def _one_line(message, category, filename, lineno, line=None):
        return f"warning: {message}\n"

    warnings.formatwarning = _one_line  # --debug still shows tracebacks of errors
    try:
        # standalone mode: click prints usage errors itself (exit 2) and exits via SystemExit
        app(args=argv, standalone_mode=True)
    except LupexError as exc:
        if _common.STATE.debug:
            raise
        from rich.markup import escape

        # escaped: messages quote things like `pip install 'lupex[gpu]'` that are not markup
        _common.err_console().print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False,
                                    soft_wrap=True)
        sys.exit(2)
    except KeyboardInterrupt:
        _common.err_console().print("[yellow]interrupted; finished outputs are kept, rerun to resume[/]")
        sys.exit(130)
