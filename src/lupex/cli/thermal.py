"""``lupex thermal ...``: regolith temperatures (Hayne et al. 2017 1-D conduction model)."""

from __future__ import annotations

from pathlib import Path

import typer

from lupex.cli._common import callback, console, err_console, progress, run_folder_group
from lupex.times import SECONDS_PER_HOUR

thermal_app = typer.Typer(
    cls=run_folder_group("thermal", "`lupex illumination` or `lupex demo`"),
    subcommand_metavar="COMMAND [ARGS]... | RUN [OPTIONS]",
    help="Regolith surface and subsurface temperatures (1-D conduction, Hayne et al. 2017).\n\n"
    "Example: `lupex thermal RUN` (RUN: a folder written by `lupex illumination` or "
    "`lupex demo`; uses its DEM, horizons and window, writes the maps beside them; an "
    "interrupted run resumes when rerun; the same as `lupex thermal maps RUN`).\n\n"
    "Example: `lupex thermal point --lat -89.45 --lon 222.7 --days 30 --depth-m 0.1`.",
    no_args_is_help=True,
)

CHECKPOINT = "cache/thermal_state.npz"
"""Where ``lupex thermal maps`` keeps its checkpoint inside the output folder."""


def _table_text(ds, columns: list[str]) -> str:
    import numpy as np

    times = np.datetime_as_string(ds["time"].values, unit="s")
    lines = [",".join(["time_utc", *columns])]
    for k, t in enumerate(times):
        vals = [f"{float(ds[c].values[k]):.3f}" if c != "local_time_h" else f"{float(ds[c].values[k]):.4f}"
                for c in columns]
        lines.append(",".join([t + "Z", *vals]))
    return "\n".join(lines) + "\n"


def register(app: typer.Typer) -> None:
    """Add ``lupex thermal`` and its sub-verbs to the app."""

    @thermal_app.command("point")
    def point(
        lat: float = typer.Option(..., "--lat", help="Latitude [deg], -90..90 (planetocentric)."),
        lon: float = typer.Option(..., "--lon", help="East longitude [deg]."),
        slope_deg: float = typer.Option(0.0, "--slope-deg", help="Facet slope [deg], 0..90."),
        aspect_deg: float = typer.Option(0.0, "--aspect-deg",
                                         help="Azimuth the downhill normal faces [deg, clockwise from north]."),
        albedo: float | None = typer.Option(None, "--albedo", help="Normal-incidence albedo A0 (default 0.12)."),
        start: str = typer.Option("2028-01-01T00:00", "--start", help="First output time, UTC (ISO 8601)."),
        days: float = typer.Option(30.0, "--days", help="Length of the output window [days]."),
        step_h: float = typer.Option(1.0, "--step-h", help="Time step and output interval [h]."),
        depth_m: list[float] = typer.Option([], "--depth-m", help="Extra output depth [m]; repeat for more."),
        spinup_days: float = typer.Option(365.25, "--spinup-days",
                                          help="Span before --start used as the periodic spin-up forcing [d]."),
        fmt: str = typer.Option("table", "--format", help="Output format: csv or table."),
        out: Path | None = typer.Option(None, "--out", help="Write CSV here (atomic) instead of stdout."),
    ) -> None:
        """Temperature of one flat or tilted facet under the real Sun (flat surroundings).

        Spins the regolith column up over the year before --start, then prints time_utc,
        local_time_h, t_surface_k and one t_<depth>m_k per --depth-m.

        Example: `lupex thermal point --lat -89.45 --lon 222.7 --slope-deg 10 --aspect-deg 0
        --start 2028-01-01T00:00 --days 30 --depth-m 0.1 --depth-m 0.5 --format csv`
        """
        from lupex.errors import ParameterError
        from lupex.thermal.point import depth_column_name, point_temperature

        if fmt not in ("csv", "table"):
            raise ParameterError(f"--format {fmt!r}: use 'csv' or 'table'.")
        ds = point_temperature(lat, lon, start=start, days=days, dt_s=step_h * SECONDS_PER_HOUR,
                               slope_deg=slope_deg, aspect_deg=aspect_deg, albedo=albedo,
                               depths_m=depth_m, spinup_days=spinup_days)
        cols = ["local_time_h", "t_surface_k"] + [depth_column_name(d) for d in depth_m if d != 0]
        text = _table_text(ds, cols)
        err_console().print(
            f"spin-up: {ds.attrs['spinup_cycles']} periods of {spinup_days:g} d, converged={bool(ds.attrs['spinup_converged'])}, "
            f"last correction {ds.attrs['spinup_last_correction_k']:.3f} K, bottom drift "
            f"{ds.attrs['spinup_bottom_drift_k_per_year']:.3f} K/yr; grid to {ds.attrs['grid_bottom_m']:.2f} m",
            highlight=False) if not out else None
        if out is not None:
            from lupex.io.atomic import write_text_atomic

            write_text_atomic(out, text)
            console().print(str(out))
            return
        if fmt == "csv":
            typer.echo(text, nl=False)
            return
        from rich.table import Table

        t = Table(show_header=True, header_style="bold")
        header = ["time_utc", *cols]
        for h in header:
            t.add_column(h, justify="right")
        for line in text.splitlines()[1:]:
            t.add_row(*line.split(","))
        console().print(t)

    @thermal_app.command("maps")
    def maps(
        dem_path: Path = typer.Argument(..., metavar="RUN|DEM", help="A run folder (its DEM: "
                                        "recorded in RUN/run.json or RUN/maps/dem.tif; its "
                                        "horizons: RUN/cache/horizons.zarr if present; its "
                                        "window: run.json; writes beside them) or a DEM GeoTIFF "
                                        "in a projected lunar CRS [m] (then give --out)."),
        start: str | None = typer.Option(None, "--start", help="Window start, UTC (ISO 8601); "
                                         "default: the run folder's."),
        stop: str | None = typer.Option(None, "--stop", help="Window stop, UTC (ISO 8601); "
                                        "default: the run folder's."),
        step: str | None = typer.Option(None, "--step", help="Model step, e.g. 1h, 2h, 6h "
                                        "(default: the run folder's, else 2h)."),
        out: Path | None = typer.Option(None, "--out", help="Run folder: writes maps/ and "
                                        "cache/thermal.zarr (default: the RUN folder given)."),
        horizons: str = typer.Option("compute", "--horizons",
                                     help="'compute' (lupex.horizon; a run folder's stored "
                                     "horizons when it has them), 'flat' (0 deg everywhere) or "
                                     "a horizons Zarr store written by lupex horizon."),
        n_azimuths: int | None = typer.Option(None, "--n-azimuths",
                                              help="Azimuths when computing horizons (default: "
                                              "the run folder's, else 360)."),
        decimate: int | None = typer.Option(None, "--decimate", help="On a run folder: model "
                                            "blocks of n x n pixels (1: every pixel; default: "
                                            "the scenario's [thermal] decimate)."),
        radiosity: str | None = typer.Option(None, "--radiosity",
                                      help="Scattered sunlight and terrain infrared: auto (all "
                                      "facet pairs up to 2500 facets, hierarchical beyond; the "
                                      "default), dense, hierarchical or none (PSRs then tens of "
                                      "K too cold)."),
        depth_m: list[float] = typer.Option([], "--depth-m", help="Output depth [m]; repeat for more."),
        spinup_days: float | None = typer.Option(None, "--spinup-days",
                                          help="Span before --start used for spin-up [d]; 0: the window "
                                          "(default 365.25)."),
        resume: bool = typer.Option(True, "--resume/--fresh",
                                    help="Continue an interrupted run from OUT/"
                                    f"{CHECKPOINT} (written every --checkpoint-min minutes and "
                                    "on Ctrl-C) when its inputs match; --fresh starts over."),
        point: list[str] = typer.Option([], "--point", help="LAT,LON [deg] of a pixel whose "
                                        "temperature series to write to OUT/tables/"
                                        "thermal_points.csv (repeatable)."),
        checkpoint_min: float = typer.Option(5.0, "--checkpoint-min",
                                             help="Minutes between checkpoints."),
        frame_cache_gb: float = typer.Option(1.0, "--frame-cache-gb",
                                             help="Memory for the spin-up span's absorbed-flux "
                                             "frames [GB] (4 bytes x pixels x epochs; when they "
                                             "fit, spin-up periods after the first skip the "
                                             "visibility computation)."),
    ) -> None:
        """Max / mean / min temperature maps of every DEM pixel over a window.

        Each pixel is a Hayne et al. (2017) regolith column under its own horizon-clipped Sun
        (lupex.illumination), on its own slope, plus terrain scattering and infrared (--radiosity).
        Writes OUT/maps/t_surface_max_k.tif ... and OUT/cache/thermal.zarr (all node maxima, for
        `lupex volatiles maps OUT`). Ctrl-C saves the state; the same command resumes it.

        Example: `lupex thermal RUN` (a folder from `lupex illumination` / `lupex demo`)

        Example: `lupex thermal maps dem.tif --start 2028-01-01 --stop 2029-01-01 --step 2h
        --out run1 --depth-m 0.1 --depth-m 0.5`
        """
        import numpy as np

        from lupex.cli._run_inputs import parse_latlon
        from lupex.errors import ParameterError, check_range
        from lupex.io.provenance import provenance
        from lupex.terrain.dem import read_dem
        from lupex.thermal.maps import (
            discard_checkpoint,
            thermal_maps,
            write_thermal_outputs,
            write_thermal_points,
        )

        check_range("--checkpoint-min", checkpoint_min, 0, None, unit="min")
        check_range("--frame-cache-gb", frame_cache_gb, 0, None, unit="GB")
        if dem_path.is_dir():
            _run_folder_thermal(dem_path, start=start, stop=stop, step=step, horizons=horizons,
                                n_azimuths=n_azimuths, radiosity=radiosity, depth_m=depth_m,
                                spinup_days=spinup_days, resume=resume, point=point,
                                decimate=decimate, checkpoint_min=checkpoint_min,
                                frame_cache_gb=frame_cache_gb)
            return
        far_field, far_field_radius_km = None, 300.0
        if out is None:
            raise ParameterError("lupex thermal maps: give --out RUN (or a run folder as the "
                                 "first argument).")
        if start is None or stop is None:
            raise ParameterError("lupex thermal maps DEM: give --start and --stop (UTC, ISO 8601).")
        step = step or "2h"
        dem = read_dem(dem_path)
        if horizons == "flat":
            hor = np.zeros((36, *dem.shape), np.float32)
        elif horizons == "compute":
            from lupex.horizon import horizon_map

            hor = horizon_map(dem, n_azimuths=n_azimuths or 360, far_field=far_field,
                              far_field_radius_km=far_field_radius_km)
        else:
            from lupex.horizon import open_horizons

            hor = open_horizons(horizons)
        from lupex.thermal.viewfactors import view_factors_for

        radiosity = radiosity or "auto"
        spinup_days = 365.25 if spinup_days is None else spinup_days
        F = view_factors_for(dem, radiosity)

        from lupex.terrain.geometry import nearest_pixel

        pts = [parse_latlon(t, "--point") for t in point]
        pix = [nearest_pixel(dem, la, lo, what=f"--point {t}")
               for t, (la, lo) in zip(point, pts, strict=True)]
        ckpt = Path(out) / CHECKPOINT
        try:
            with progress() as p:
                ds = thermal_maps(dem, hor, start, stop, step, depths_m=[0.0, *depth_m],
                                  view_factors=F, spinup_days=spinup_days,
                                  progress=callback(p, "thermal epochs"), checkpoint=ckpt,
                                  resume=resume, checkpoint_every_s=checkpoint_min * 60.0,
                                  cache_bytes=int(frame_cache_gb * 1e9),
                                  log=lambda m: p.console.print(m, highlight=False),
                                  series_pixels=pix)
        except KeyboardInterrupt:
            err_console().print("interrupted; rerun the same command to resume")
            raise typer.Exit(130) from None
        prov = provenance("lupex thermal maps", dem=str(dem_path), start=start, stop=stop, step=step,
                          horizons=horizons, n_azimuths=n_azimuths,
                          far_field=far_field if isinstance(far_field, str | None) else "DEM",
                          radiosity=radiosity, depths_m=list(depth_m),
                          spinup_days=spinup_days)
        from lupex.io.runfolder import RunFolder

        folder = RunFolder(out)
        for path in write_thermal_outputs(ds, out, provenance=prov):
            folder.add_map("thermal", path, ds[path.stem]) if path.suffix == ".tif" else \
                folder.add("thermal", path, kind="store" if path.suffix == ".zarr" else "plot",
                           long_name=path.stem.replace("_", " "))
            console().print(str(path))
        if pix:
            pp = write_thermal_points(ds, out, pts)
            folder.add_table("thermal", pp, long_name="temperature series at the points")
            console().print(str(pp))
        folder.save()
        discard_checkpoint(ckpt)

    app.add_typer(thermal_app, name="thermal")


def _run_folder_thermal(run, *, start, stop, step, horizons, n_azimuths, radiosity, depth_m,
                        spinup_days, resume, point, decimate, checkpoint_min, frame_cache_gb):
    """`lupex thermal RUN`: the run's thermal stage, options overriding its [thermal] table."""
    from lupex.cli._run_inputs import is_run_folder, parse_latlon, print_products, run_stage
    from lupex.errors import InputFileError, ParameterError

    if not is_run_folder(run):
        raise InputFileError(
            f"{run}: not a lupex run folder (no scenario.toml). Give a folder written by "
            f"`lupex run` / `lupex demo` / `lupex illumination`, or a DEM: "
            f"`lupex thermal maps DEM.tif --out {run} --start ... --stop ...`.")
    if start or stop or horizons != "compute" or n_azimuths:
        raise ParameterError("on a run folder the window and horizons are the run's own: "
                             "--start/--stop/--horizons/--n-azimuths apply to a DEM only (edit "
                             "the scenario's [window] / [horizon] and `lupex run` it).")
    if not resume:  # --fresh: forget the checkpoint and the stage's record
        from lupex.io.runfolder import RunFolder

        (run / CHECKPOINT).unlink(missing_ok=True)
        folder = RunFolder(run)
        folder.forget_stage("thermal")
        folder.save()
    pts = [list(parse_latlon(t, "--point")) for t in point]
    run_stage(run, "thermal", overrides={
        "thermal.step": step, "thermal.radiosity": radiosity,
        "thermal.depths_m": list(depth_m) or None, "thermal.spinup_days": spinup_days,
        "thermal.decimate": decimate, "thermal.points": pts or None},
        extra={"thermal_checkpoint_every_s": checkpoint_min * 60.0,
               "thermal_cache_bytes": int(frame_cache_gb * 1e9)})
    print_products(run, "thermal")
