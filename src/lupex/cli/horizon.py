"""``lupex horizon``: horizon elevation cube of a DEM into a resumable Zarr store + PNG quicklooks."""

from __future__ import annotations

from pathlib import Path

import typer

from lupex.cli._common import callback, console, progress

_EXAMPLE = ("Example: `lupex horizon shackleton_200m.tif --azimuths 720 --observer-height-m 2 "
            "--far-field auto --out horizons.zarr`")


def register(app: typer.Typer) -> None:
    """Add ``lupex horizon`` to the lupex app."""

    @app.command("horizon", help=f"Compute horizon elevation maps of a DEM.\n\n{_EXAMPLE}")
    def horizon(
        dem: Path = typer.Argument(..., metavar="DEM|RUN", help="DEM GeoTIFF in a projected "
                                   "lunar CRS, elevations [m] above the 1737.4 km sphere; or a "
                                   "run folder (then its horizon stage is brought up to date "
                                   "with its scenario, --azimuths/--observer-height-m/"
                                   "--far-field overriding it)."),
        azimuths: int | None = typer.Option(None, "--azimuths", help="Number of azimuths N (4..1440); bin "
                                     "centres k*360/N, clockwise from grid north; default 720 on a DEM)."),
        observer_height_m: float | None = typer.Option(None, "--observer-height-m",
                                                help="Observer height above the surface [m]."),
        far_field: str | None = typer.Option(None, "--far-field", help="Terrain beyond the DEM: auto "
                                      "(regional LOLA ring if lupex[lola] is installed), none, or a "
                                      "GeoTIFF path."),
        far_field_radius_km: float | None = typer.Option(None, "--far-field-radius-km",
                                                  help="Far-field radius around the DEM centre [km]."),
        out: Path = typer.Option(Path("horizons.zarr"), "--out", help="Output Zarr store; rerun "
                                 "the same command to resume an interrupted run."),
        tile_size: int = typer.Option(1024, "--tile-size", help="Spatial chunk edge [pixels] "
                                      "(bigger tiles waste less time on the halo around them)."),
        azimuth_block: int = typer.Option(48, "--azimuth-block", help="Azimuths per chunk."),
        scheduler: str | None = typer.Option(None, "--scheduler", help="dask.distributed scheduler "
                                             "address (tcp://host:8786); local threads by default."),
        workers: int = typer.Option(1, "--workers", help="Local dask threads (each chunk is "
                                    "already parallel)."),
        overwrite: bool = typer.Option(False, "--overwrite", help="Start again instead of resuming."),
        units: str = typer.Option("m", "--units", help="Units of the DEM's elevations: m or km."),
        crs: str | None = typer.Option(None, "--crs", help="CRS to assume if the DEM has none."),
        device: str = typer.Option("cpu", "--device", help="Engine: cpu, gpu (numba CUDA; needs "
                                   "lupex[gpu] and an NVIDIA GPU) or auto (the GPU when one is "
                                   "usable, else the CPU). Both compute the same horizons."),
    ) -> None:
        """Compute horizon elevation maps of a DEM."""
        if dem.is_dir():
            from lupex.cli._run_inputs import print_products, run_stage

            run_stage(dem, "horizon", device=device, overrides={
                "horizon.n_azimuths": azimuths, "horizon.observer_height_m": observer_height_m,
                "horizon.far_field": far_field,
                "horizon.far_field_radius_km": far_field_radius_km})
            print_products(dem, "horizon")
            return
        azimuths = 720 if azimuths is None else azimuths
        observer_height_m = 0.0 if observer_height_m is None else observer_height_m
        far_field = "auto" if far_field is None else far_field
        far_field_radius_km = 300.0 if far_field_radius_km is None else far_field_radius_km
        import xarray as xr

        from lupex.errors import InputFileError
        from lupex.horizon import HorizonSettings, prepare_horizon
        from lupex.horizon._gpu import resolve_device
        from lupex.horizon.store import horizon_summary_maps, open_horizons, write_horizons_zarr
        from lupex.io.quicklook import write_quicklook
        from lupex.terrain.dem import read_dem

        engine = resolve_device(device)  # fail fast, before reading anything
        da = read_dem(dem, units=units, crs=crs)
        ff: object
        if far_field.lower() in ("none", "auto"):
            ff = None if far_field.lower() == "none" else "auto"
        else:
            fpath = Path(far_field)
            if not fpath.exists():
                raise InputFileError(f"--far-field {far_field}: no such file; use auto, none or a "
                                     "GeoTIFF path.")
            ff = read_dem(fpath, units=units)
        prep = prepare_horizon(da, far_field=ff, far_field_radius_km=far_field_radius_km)
        for note in prep.notes:
            console().print(f"[yellow]note:[/] {note}")
        with progress() as p:
            cb = callback(p, f"horizons {dem.name}")
            write_horizons_zarr(prep, out, n_azimuths=azimuths, observer_height_m=observer_height_m,
                                far_field_radius_km=far_field_radius_km, tile_size=tile_size,
                                azimuth_block=azimuth_block, settings=HorizonSettings(),
                                scheduler=scheduler, num_workers=workers, progress=cb,
                                overwrite=overwrite, device=engine)
        h = open_horizons(out)
        hmax, svf = horizon_summary_maps(h)
        stem = out.with_suffix("")
        shade = da if isinstance(da, xr.DataArray) else None
        png1 = write_quicklook(hmax, f"{stem}_max.png", title=f"maximum horizon elevation, {dem.name}",
                               cmap="magma", shade=shade)
        png2 = write_quicklook(svf, f"{stem}_svf.png", title=f"sky-view factor, {dem.name}",
                               cmap="viridis", vmin=float(svf.min()), vmax=1.0, shade=shade)
        c = console()
        c.print(f"far field: {prep.far_field_desc}; engine: {engine}")
        c.print(f"wrote {out}  ({azimuths} azimuths x {da.shape[0]} x {da.shape[1]}, int16 0.01 deg)")
        c.print(f"wrote {png1}")
        c.print(f"wrote {png2}")
