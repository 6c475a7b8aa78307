"""``lupex illumination``: Sun/Earth visibility maps, PSR, longest darkness, point time series."""

from __future__ import annotations

from pathlib import Path

import typer

from lupex.cli._common import callback, console, progress

_EXAMPLE = (
    "Example: `lupex illumination dem.tif --start 2028-01-01 --stop 2029-01-01 --step 1h "
    "--out run1 --point -89.45,222.7 --psr-span cycle`"
)


def _parse_point(text: str) -> tuple[float, float]:
    from lupex.errors import ParameterError

    try:
        lat_s, lon_s = text.split(",")
        lat, lon = float(lat_s), float(lon_s)
    except ValueError:
        raise ParameterError(f"--point {text!r}: expected LAT,LON in degrees, e.g. "
                             "--point -89.45,222.7") from None
    if not -90.0 <= lat <= 90.0:
        raise ParameterError(f"--point {text!r}: latitude {lat} is outside [-90, 90] deg.")
    return lat, lon


def _parse_psr_span(text: str):
    if text in ("window", "cycle"):
        return text
    if "/" in text:
        a, b = text.split("/", 1)
        return (a, b)
    from lupex.errors import ParameterError

    raise ParameterError(f"--psr-span {text!r}: use 'window', 'cycle' or START/STOP "
                         "(e.g. 2028-01-01/2046-08-01).")


def register(app: typer.Typer) -> None:
    """Add ``lupex illumination`` to the app."""

    @app.command("illumination", help="Sun and Earth visibility maps, permanent shadow (PSR), "
                 "longest darkness and point time series over a period.\n\n" + _EXAMPLE)
    def illumination(
        dem_path: Path = typer.Argument(..., metavar="DEM", help="DEM GeoTIFF (lunar projected CRS)."),
        start: str = typer.Option(..., "--start", help="Window start, ISO UTC."),
        stop: str = typer.Option(..., "--stop", help="Window stop, ISO UTC."),
        step: str = typer.Option("1h", "--step", help="Planning step: 30min, 1h, 2h, 1d ..."),
        out: Path = typer.Option(..., "--out", "-o", help="Run folder (maps/, tables/, run.json)."),
        horizons: Path | None = typer.Option(None, "--horizons",
                                             help="Horizons store from `lupex horizon` "
                                             "(computed tile by tile here if absent)."),
        point: list[str] = typer.Option([], "--point", help="LAT,LON for a time series "
                                        "(repeatable)."),
        azimuths: int = typer.Option(720, "--azimuths", help="Horizon azimuths when computing them."),
        observer_height_m: float = typer.Option(0.0, "--observer-height-m",
                                                help="Observer height above ground [m]."),
        far_field: str = typer.Option("auto", "--far-field",
                                      help="auto, none or a far-field DEM FILE (when computing "
                                      "horizons)."),
        far_field_radius_km: float = typer.Option(300.0, "--far-field-radius-km",
                                                  help="Far-field radius [km]."),
        psr_span: str = typer.Option("window", "--psr-span",
                                     help="PSR over: window (default), cycle (18.61-yr lunar "
                                     "precession cycle, binned so cheap), or START/STOP."),
        psr_step: str | None = typer.Option(None, "--psr-step",
                                            help="Step of the PSR span (default: --step; 2h "
                                            "for cycle)."),
        oversample: int = typer.Option(1, "--oversample",
                                       help="Azimuth nodes per horizon azimuth in the binned "
                                       "statistics."),
        tile_px: int = typer.Option(256, "--tile-px", help="Tile side [px] (memory per tile)."),
        scheduler: str | None = typer.Option(None, "--scheduler",
                                             help="dask.distributed scheduler address."),
        units: str = typer.Option("m", "--units", help="DEM elevation units: m or km."),
    ) -> None:

        from lupex.illumination import illumination_maps, point_timeseries
        from lupex.illumination.maps import load_horizons
        from lupex.illumination.output import illumination_summary, write_illumination_outputs
        from lupex.io.atomic import write_json_atomic, write_text_atomic
        from lupex.io.provenance import provenance
        from lupex.terrain import read_dem

        pts = [_parse_point(p) for p in point]
        span = _parse_psr_span(psr_span)
        dem = read_dem(dem_path, units=units)
        hor = load_horizons(horizons) if horizons is not None else None
        ff = far_field
        if ff not in ("auto", "none"):
            ff = read_dem(ff)
        params = dict(dem=str(Path(dem_path).resolve()),
                      horizons=None if horizons is None else str(Path(horizons).resolve()),
                      start=start, stop=stop, step=step, points=point, azimuths=azimuths,
                      observer_height_m=observer_height_m, far_field=far_field,
                      far_field_radius_km=far_field_radius_km, psr_span=psr_span,
                      psr_step=psr_step, oversample=oversample, tile_px=tile_px,
                      scheduler=scheduler)
        prov = provenance("lupex illumination", **params)
        out.mkdir(parents=True, exist_ok=True)
        with progress() as p:
            ds = illumination_maps(dem, hor, start, stop, step, psr_span=span, psr_step=psr_step,
                                   n_azimuths=azimuths, observer_height_m=observer_height_m,
                                   far_field=ff, far_field_radius_km=far_field_radius_km,
                                   oversample=oversample, tile_px=tile_px,
                                   cache_dir=out / "cache" / "illumination", scheduler=scheduler,
                                   progress=callback(p, "illumination tiles"))
        outputs = write_illumination_outputs(ds, dem, out, provenance=prov,
                                             subtitle=f"{start} .. {stop}")
        if pts:
            from lupex.ephemeris import time_grid

            times = time_grid(start, stop, step)
            if hor is None:
                from lupex.horizon import horizon_map

                # only the pixels of the points are needed: a small window around each
                hor_pts = _point_horizons(dem, pts, azimuths, observer_height_m, ff,
                                          far_field_radius_km, horizon_map)
            else:
                hor_pts = None
            frames = []
            for lat, lon in pts:
                sub_dem, sub_hor = (dem, hor) if hor_pts is None else hor_pts[(lat, lon)]
                frames.append(point_timeseries(sub_dem, sub_hor, [(lat, lon)], times,
                                               observer_height_m=observer_height_m))
            import pandas as pd

            df = pd.concat(frames, ignore_index=True)
            write_text_atomic(out / "tables" / "points.csv",
                              df.to_csv(index=False, float_format="%.6f"))
            outputs.append("tables/points.csv")
        summary = illumination_summary(ds, dem)
        prov["summary"] = summary
        prov["outputs"] = outputs
        prov["attrs"] = {k: v for k, v in ds.attrs.items()}
        write_json_atomic(out / "run.json", prov)
        c = console()
        c.print(f"PSR area {summary['psr_area_km2']:.2f} km2 ({summary['psr_span']}); "
                f"max mean Sun fraction {summary['sun_fraction_mean_max']:.3f}")
        for o in outputs:
            c.print(str(out / o))
        c.print(str(out / "run.json"))


def _point_horizons(dem, pts, azimuths, observer_height_m, far_field, radius_km, horizon_map):
    """Horizons of a small window around each point (the whole map is not needed)."""
    import numpy as np
    import xarray as xr

    from lupex.horizon import azimuths_deg, compute_horizon_tile, prepare_horizon
    from lupex.terrain.geometry import latlon_to_xy_m

    ff = None if (isinstance(far_field, str) and far_field == "none") else far_field
    prep = prepare_horizon(dem, far_field=ff, far_field_radius_km=radius_km)
    out = {}
    for lat, lon in pts:
        px, py = latlon_to_xy_m(np.array([lat]), np.array([lon]), dem.rio.crs)
        j = int(np.argmin(np.abs(dem.x.values - px[0])))
        i = int(np.argmin(np.abs(dem.y.values - py[0])))
        rows, cols = slice(i, i + 1), slice(j, j + 1)
        block = compute_horizon_tile(prep, azimuths_deg(azimuths), rows=rows, cols=cols,
                                     observer_height_m=observer_height_m)
        sub = dem.isel(y=rows, x=cols)
        hor = xr.DataArray(block, dims=("azimuth", "y", "x"),
                           coords={"azimuth": azimuths_deg(azimuths), "y": sub.y.values,
                                   "x": sub.x.values}, attrs={"azimuth_reference": "grid_north"})
        out[(lat, lon)] = (sub, hor)
    return out
