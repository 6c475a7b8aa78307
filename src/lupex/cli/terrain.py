"""``lupex terrain ...``: DEM inspection, synthetic terrain and regional far-field terrain."""

from __future__ import annotations

import typer

terrain_app = typer.Typer(
    help="Lunar DEMs: inspect a GeoTIFF, make the synthetic south-pole terrain, cut real "
    "regional LOLA terrain.\n\nExample: `lupex terrain synth --size-km 40 --pixel-m 40 --seed 7 "
    "--out dem.tif`, then `lupex terrain info dem.tif`.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add ``lupex terrain`` and its sub-verbs to the app."""
    from lupex.cli import _terrain_io, _terrain_synth

    _terrain_io.register(terrain_app)
    _terrain_synth.register(terrain_app)
    app.add_typer(terrain_app, name="terrain")
