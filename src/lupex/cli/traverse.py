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
        run_dir: Path = typer.Argument(..., metavar="RUN", help="Run folder (DEM and horizons "
                                       "recorded in run.json by `lupex illumination`)."),
        start: str = typer.Option(..., "--start", help="Start (landing site) LAT,LON [deg]."),
        start_time: str = typer.Option(..., "--start-time", help="Start time, ISO UTC."),
        target: list[str] = typer.Option([], "--target", help="Target LAT,LON (repeatable, in "
                                         "order)."),
        end: str | None = typer.Option(None, "--end", help="End LAT,LON (default: any cell sunlit "
                                       "at least traverse.safe_sun_fraction of the window)."),
        scenario: Path | None = typer.Option(None, "--scenario", "-s", help="Scenario TOML."),
        dem: Path | None = typer.Option(None, "--dem", help="DEM (default: from run.json or "
                                        "RUN/maps/dem.tif)."),
        horizons: Path | None = typer.Option(None, "--horizons", help="Horizons store (default: "
                                             "from run.json; else computed)."),
    ) -> None:
        import numpy as np

        from lupex.cli._common import callback, progress
        from lupex.cli._run_inputs import find_dem, load_scenario, parse_latlon
        from lupex.io.provenance import provenance
        from lupex.terrain import latlon_to_xy_m, read_dem
        from lupex.traverse import plan_traverse, visibility_stack
        from lupex.traverse.output import write_traverse_outputs

        sc = load_scenario(scenario)
        opts = sc.traverse
        pts = [parse_latlon(start, "--start")] + [parse_latlon(t, "--target") for t in target]
        end_ll = parse_latlon(end, "--end") if end else None
        t0 = np.datetime64(start_time, "s") if _iso_ok(start_time) else _bad_time(start_time)
        dem_path = find_dem(run_dir, dem)
        dem_da = read_dem(dem_path)
        hor = _horizons(run_dir, horizons, dem_da)
        step = np.timedelta64(round(sc.window.step_h * 3600), "s")
        n = int(np.ceil(opts.window_h * 3600 / (step / np.timedelta64(1, "s"))))
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


def _iso_ok(text: str) -> bool:
    import numpy as np

    try:
        np.datetime64(text, "s")
        return True
    except ValueError:
        return False


def _bad_time(text: str):
    from lupex.errors import ParameterError

    raise ParameterError(f"--start-time {text!r} is not an ISO 8601 UTC time such as "
                         "2028-01-05T00:00.")


def _horizons(run_dir: Path, horizons: Path | None, dem):
    from lupex.cli._run_inputs import run_params
    from lupex.illumination.maps import load_horizons

    if horizons is not None:
        return load_horizons(horizons)
    params = run_params(run_dir)
    rec = params.get("horizons")
    for cand in [rec, run_dir / "cache" / "horizons.zarr", run_dir / "horizons.zarr"]:
        if cand and Path(cand).exists():
            return load_horizons(cand)
    from lupex.horizon import horizon_map

    err_console().print("no horizons store found: computing horizons (pass --horizons to reuse one)")
    n_az = int(params.get("azimuths", 360) or 360)
    return horizon_map(dem, n_azimuths=n_az,
                       observer_height_m=float(params.get("observer_height_m", 0.0) or 0.0))
