"""``lupex windows``: landing windows at a site (DEM with its own horizon, or a run folder)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from lupex.cli._common import console

_EXAMPLE = ("Example: `lupex windows dem.tif --site -89.45,222.7 --from 2028-01-01 --to "
            "2029-12-31 --format json`; on a run folder: `lupex windows run1 --site ...`.")


def register(app: typer.Typer) -> None:
    """Add ``lupex windows`` to the app."""

    @app.command("windows", help="Landing windows: the site lit (real terrain horizon), the "
                 "Earth in view for the descent and the first days, a ground station at "
                 "touchdown, survivable darkness; ranked.\n\n" + _EXAMPLE)
    def windows(
        source: Path = typer.Argument(..., metavar="DEM_OR_RUN", help="DEM GeoTIFF or run folder."),
        site: str = typer.Option(..., "--site", help="LAT,LON of the site [deg]."),
        start: str = typer.Option(..., "--from", help="First touchdown considered (UTC)."),
        stop: str = typer.Option(..., "--to", help="Last touchdown considered (UTC)."),
        scenario: Path | None = typer.Option(None, "--scenario", "-s", help="Scenario TOML "
                                             "([launch.windows], lander darkness)."),
        step_h: float | None = typer.Option(None, "--step-h", help="Search step [h]."),
        fmt: str = typer.Option("table", "--format", help="table or json."),
        azimuths: int = typer.Option(720, "--azimuths", help="Horizon azimuths (DEM input)."),
        far_field: str = typer.Option("auto", "--far-field", help="auto, none or a far-field "
                                      "DEM FILE (DEM input)."),
        units: str = typer.Option("m", "--units", help="DEM elevation units: m or km."),
    ) -> None:
        from lupex.cli._run_inputs import is_run_folder, parse_latlon
        from lupex.errors import ParameterError
        from lupex.launch import landing_windows, site_horizon
        from lupex.scenario import Scenario

        if fmt not in ("table", "json"):
            raise ParameterError(f"--format {fmt!r}: use table or json.")
        lat, lon = parse_latlon(site, "--site")
        if is_run_folder(source):
            from lupex.horizon.store import open_horizons
            from lupex.io.runfolder import SCENARIO
            from lupex.terrain import read_dem
            from lupex.terrain.geometry import nearest_pixel

            sc = Scenario.load(scenario or source / SCENARIO)
            dem = read_dem(source / "maps" / "dem.tif")
            i, j = nearest_pixel(dem, lat, lon, what=f"--site {site}")
            sub = dem.isel(y=slice(i, i + 1), x=slice(j, j + 1))
            hor = open_horizons(source / "cache" / "horizons.zarr")
            hsub = hor.isel(y=slice(i, i + 1), x=slice(j, j + 1)).load()
        else:
            from lupex.terrain import read_dem

            sc = Scenario() if scenario is None else Scenario.load(scenario)
            dem = read_dem(source, units=units)
            ff = far_field if far_field in ("auto", "none") else read_dem(far_field)
            sub, hsub = site_horizon(dem, lat, lon, n_azimuths=azimuths,
                                     far_field=None if ff == "none" else ff)
        w = sc.launch.windows if step_h is None else sc.launch.windows.model_copy(
            update={"step_h": step_h})
        res = landing_windows(sub, hsub, lat, lon, start, stop, windows=w,
                              descent_h=sc.launch.descent.duration_h,
                              max_darkness_h=min(sc.lander.max_darkness_h,
                                                 sc.rover.max_darkness_h))
        if fmt == "json":
            typer.echo(json.dumps(res.windows.to_dict(orient="records"), indent=1))
            return
        c = console()
        for n in res.notes:
            c.print(f"note: {n}")
        if len(res.windows):
            c.print(res.windows.head(w.top).to_string(index=False,
                                                      float_format=lambda v: f"{v:.3f}"))
        else:
            c.print("no landing window in the span")
