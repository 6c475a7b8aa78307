"""``lupex illumination``: Sun/Earth visibility maps, PSR, longest darkness, point time series.

On a run folder it brings the run's ``illumination`` stage up to date; on a DEM it writes a new
run folder whose scenario is built from the options (terrain = the DEM), then runs the terrain,
horizon and illumination stages into it: the same stage either way.
"""

from __future__ import annotations

from pathlib import Path

import typer

from lupex.cli._common import console

_EXAMPLE = (
    "Example: `lupex illumination dem.tif --start 2028-01-01 --stop 2029-01-01 --step 1h "
    "--out run1 --point -89.45,222.7 --psr-span cycle`; on a run folder: "
    "`lupex illumination run1 --step 30min`"
)


def register(app: typer.Typer) -> None:
    """Add ``lupex illumination`` to the app."""

    @app.command("illumination", help="Sun and Earth visibility maps, permanent shadow (PSR), "
                 "longest darkness and point time series over a period.\n\n" + _EXAMPLE)
    def illumination(
        source: Path = typer.Argument(..., metavar="DEM|RUN", help="A DEM GeoTIFF (lunar "
                                      "projected CRS; then give --out, --start, --stop) or a run "
                                      "folder written by `lupex run`."),
        start: str | None = typer.Option(None, "--start", help="Window start, ISO UTC "
                                         "(default on a run folder: its scenario's)."),
        stop: str | None = typer.Option(None, "--stop", help="Window stop, ISO UTC."),
        step: str | None = typer.Option(None, "--step", help="Time step: 30min, 1h, 2h, 1d "
                                        "(default 1h on a DEM)."),
        out: Path | None = typer.Option(None, "--out", "-o", help="Run folder to write (DEM "
                                        "form)."),
        point: list[str] = typer.Option([], "--point", help="LAT,LON for a time series "
                                        "(repeatable)."),
        azimuths: int | None = typer.Option(None, "--azimuths", help="Horizon azimuths "
                                            "(default 720 on a DEM)."),
        observer_height_m: float | None = typer.Option(None, "--observer-height-m",
                                                       help="Observer height above ground [m]."),
        far_field: str | None = typer.Option(None, "--far-field", help="auto, none or a far-"
                                             "field DEM file (default auto)."),
        far_field_radius_km: float | None = typer.Option(None, "--far-field-radius-km",
                                                         help="Far-field radius [km]."),
        psr_span: str | None = typer.Option(None, "--psr-span", help="PSR over: window or "
                                            "cycle (18.61-yr lunar precession cycle)."),
        psr_step: str | None = typer.Option(None, "--psr-step", help="Step over the PSR span "
                                            "(default: --step; 2h for cycle)."),
        oversample: int | None = typer.Option(None, "--oversample", help="Azimuth nodes per "
                                              "horizon azimuth in the binned statistics."),
        tile_px: int | None = typer.Option(None, "--tile-px", help="Tile side [px]."),
        scheduler: str | None = typer.Option(None, "--scheduler",
                                             help="dask.distributed scheduler address."),
        units: str | None = typer.Option(None, "--units", help="DEM elevation units: m or km."),
    ) -> None:
        from lupex.cli._run_inputs import is_run_folder, parse_latlon, print_products, run_stage
        from lupex.errors import ParameterError
        from lupex.io.runfolder import RunFolder

        pts = [list(parse_latlon(p, "--point")) for p in point]
        overrides = {"window.start": start, "window.stop": stop, "window.step": step,
                     "horizon.n_azimuths": azimuths,
                     "horizon.observer_height_m": observer_height_m,
                     "horizon.far_field": far_field,
                     "horizon.far_field_radius_km": far_field_radius_km,
                     "illumination.psr_span": psr_span, "illumination.psr_step": psr_step,
                     "illumination.oversample": oversample, "illumination.tile_px": tile_px,
                     "illumination.points": pts or None}
        if source.is_dir():
            if not is_run_folder(source):
                raise ParameterError(f"{source}: a folder but not a lupex run folder (no "
                                     "scenario.toml); give a DEM file or a folder from `lupex "
                                     "run`.")
            run_dir = source
            run_stage(run_dir, "illumination", overrides=overrides, scheduler=scheduler)
        else:
            if out is None or start is None or stop is None:
                raise ParameterError("lupex illumination DEM: give --out RUN, --start and --stop "
                                     "(UTC, ISO 8601).")
            if not source.exists():
                raise ParameterError(f"{source}: no such DEM file.")
            from lupex.cli._runbar import run_with_progress
            from lupex.run import RunOptions
            from lupex.scenario import Scenario

            overrides.update({"name": f"lupex illumination {source.name}",
                              "terrain.source": "file", "terrain.dem": str(source.resolve()),
                              "terrain.units": units, "window.step": step or "1h",
                              "horizon.n_azimuths": azimuths or 720})
            sc = Scenario().updated({k: v for k, v in overrides.items() if v is not None},
                                    source="command-line options")
            run_dir = out
            run_with_progress(sc, run_dir, stages=("illumination",), title="lupex illumination",
                              options=RunOptions(scheduler=scheduler))
        s = RunFolder(run_dir).summary("illumination")
        console().print(f"PSR area {s.get('psr_area_km2', float('nan')):.2f} km2; max mean Sun "
                        f"fraction {s.get('best_mean_sun_fraction', float('nan')):.3f}")
        print_products(run_dir, "illumination")
