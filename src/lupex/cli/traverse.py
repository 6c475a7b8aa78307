"""``lupex traverse``: plan a rover route in space and time from a run folder."""

from __future__ import annotations

from pathlib import Path

import typer

from lupex.cli._common import console, err_console

_EXAMPLE = ("Example: `lupex traverse run1 --start -89.45,222.7 --start-time 2028-01-05T00:00 "
            "--target -89.50,210.0 --target -89.40,230.0 --scenario scenario.toml`")


def register(app: typer.Typer) -> None:
    """Add ``lupex traverse`` to the app."""

    @app.command("traverse", help="Plan a rover route in space and time (battery, darkness, Earth "
                 "contact, slope) through ordered targets and back to a safe sunlit spot.\n\n"
                 + _EXAMPLE)
    def traverse(
        run_dir: Path = typer.Argument(..., metavar="RUN", help="Run folder from `lupex run` "
                                       "(without --start: its traverse stage; with --start: a "
                                       "route through your points on its DEM and horizons), or "
                                       "a folder holding maps/dem.tif [and cache/horizons.zarr]."),
        start: str | None = typer.Option(None, "--start", help="Start (landing site) LAT,LON "
                                         "[deg]; omit to run the traverse stage (best site to "
                                         "the nearest PSR edges)."),
        start_time: str | None = typer.Option(None, "--start-time", help="Start time, ISO UTC "
                                              "(default: the window start)."),
        target: list[str] = typer.Option([], "--target", help="Target LAT,LON (repeatable, in "
                                         "order)."),
        end: str | None = typer.Option(None, "--end", help="End LAT,LON (default: any cell sunlit "
                                       "at least traverse.safe_sun_fraction of the window)."),
        scenario: Path | None = typer.Option(None, "--scenario", "-s", help="Scenario TOML."),
        dem: Path | None = typer.Option(None, "--dem", help="DEM (default: the run's, or "
                                        "RUN/maps/dem.tif)."),
        horizons: Path | None = typer.Option(None, "--horizons", help="Horizons store (default: "
                                             "the run's, or RUN/cache/horizons.zarr; else computed)."),
    ) -> None:
        import numpy as np

        from lupex.cli._common import callback, progress
        from lupex.cli._run_inputs import (
            is_run_folder,
            parse_latlon,
            print_products,
            run_folder_scenario,
            run_stage,
        )
        from lupex.errors import ParameterError
        from lupex.io.provenance import provenance
        from lupex.io.runfolder import RunFolder
        from lupex.terrain import latlon_to_xy_m, read_dem
        from lupex.times import hours, to_utc
        from lupex.traverse import plan_traverse, visibility_stack
        from lupex.traverse.output import write_traverse_outputs

        run = is_run_folder(run_dir)
        if start is None:
            if not run:
                raise ParameterError(f"{run_dir}: give --start LAT,LON (and --start-time) for a "
                                     "folder that is not a lupex run folder.")
            res = run_stage(run_dir, "traverse", scenario=scenario)["traverse"]
            c = console()
            c.print(f"traverse: {res.status}" + (f" ({res.reason})" if res.reason else ""))
            print_products(run_dir, "traverse")
            return
        if run:
            sc = run_folder_scenario(run_dir, scenario)
        else:
            from lupex.scenario import Scenario

            sc = Scenario() if scenario is None else Scenario.load(scenario)
        opts = sc.traverse
        pts = [parse_latlon(start, "--start")] + [parse_latlon(t, "--target") for t in target]
        end_ll = parse_latlon(end, "--end") if end else None
        t0 = to_utc(start_time, what="--start-time") if start_time else sc.window.start_utc
        if run and dem is None and horizons is None:
            from lupex.run import run_scenario

            res = run_scenario(sc, run_dir, stages=("horizon",), report=False)
            dem_path, dem_da = run_dir / "maps" / "dem.tif", res["terrain"].dem
            hor = res["horizon"].horizons
        else:
            dem_path = dem or run_dir / "maps" / "dem.tif"
            dem_da = read_dem(dem_path)
            hor = _horizons(run_dir, horizons, dem_da, sc.horizon.n_azimuths)
        step = sc.window.step_td
        n = int(np.ceil(opts.window_h / hours(step)))
        times = t0 + np.arange(n) * step

        with progress() as p:
            stack = visibility_stack(dem_da, hor, times, progress=callback(p, "visibility frames"))
        lat = np.array([q[0] for q in pts])
        lon = np.array([q[1] for q in pts])
        xs, ys = latlon_to_xy_m(lat, lon, dem_da.rio.crs)
        end_xy = None
        if end_ll is not None:
            ex, ey = latlon_to_xy_m(np.array([end_ll[0]]), np.array([end_ll[1]]), dem_da.rio.crs)
            end_xy = (float(ex[0]), float(ey[0]))
        plan = plan_traverse(dem_da, stack, start_xy=(float(xs[0]), float(ys[0])), start_time=t0,
                             targets_xy=list(zip(xs[1:].tolist(), ys[1:].tolist(), strict=True)),
                             end_xy=end_xy, rover=sc.rover, **opts.planner_kwargs())
        prov = provenance("lupex traverse", run=str(run_dir), start=start, start_time=start_time,
                          targets=target, end=end, scenario=str(scenario), dem=str(dem_path))
        out = write_traverse_outputs(plan, run_dir, dem=dem_da, provenance=prov)
        folder = RunFolder(run_dir)
        folder.forget_stage("traverse")  # these files replace the stage's: it reruns next time
        for key, path in out.items():
            kind = {"csv": "table", "legs": "table", "geojson": "plan", "png": "plot",
                    "json": "document"}[key]
            folder.add("traverse", path, kind=kind, long_name=f"traverse through given points "
                       f"({key})", origin="lupex traverse --start")
        folder.save()
        c = console()
        s, st = plan.summary, plan.static
        c.print(f"planned: {s['distance_m'] / 1e3:.2f} km in {s['duration_h']:.1f} h (waiting "
                f"{s['wait_h']:.1f} h), min SOC {s['soc_min_fraction']:.2f}, ends {s['end_utc']}")
        c.print(f"static shortest: {st['length_m'] / 1e3:.2f} km, {st['time_h']:.1f} h, "
                f"{st['energy_wh']:.0f} Wh; driven without waiting: {st['violation'] or 'feasible'}")
        c.print(plan.legs[["leg", "action", "start_utc", "duration_h", "distance_m",
                           "soc_end_fraction", "binding"]].to_string(index=False))
        for p in out.values():
            c.print(str(p))


def _horizons(run_dir: Path, horizons: Path | None, dem, n_azimuths: int):
    """Horizons of a folder that is not a run: --horizons, cache/horizons.zarr, or computed."""
    from lupex.illumination.maps import load_horizons

    if horizons is not None:
        return load_horizons(horizons)
    for cand in (run_dir / "cache" / "horizons.zarr", run_dir / "horizons.zarr"):
        if cand.exists():
            return load_horizons(cand)
    from lupex.horizon import horizon_map

    err_console().print("no horizons store found: computing horizons (pass --horizons to reuse one)")
    return horizon_map(dem, n_azimuths=n_azimuths)
