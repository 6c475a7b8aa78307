"""``lupex sites``: rank landing sites from a run folder's illumination maps."""

from __future__ import annotations

from pathlib import Path

import typer

from lupex.cli._common import console

_EXAMPLE = ("Example: `lupex sites run1 --scenario scenario.toml --top 10`; "
            "`lupex sites --template-config > scenario.toml` writes a default scenario.")


def register(app: typer.Typer) -> None:
    """Add ``lupex sites`` to the app."""

    @app.command("sites", help="Landing hazards and ranked landing sites (worst value inside the "
                 "landing ellipse), from RUN/maps written by `lupex illumination`.\n\n" + _EXAMPLE)
    def sites(
        run_dir: Path | None = typer.Argument(None, metavar="RUN", help="Run folder with maps/."),
        scenario: Path | None = typer.Option(None, "--scenario", "-s", help="Scenario TOML "
                                             "(defaults when absent)."),
        top: int | None = typer.Option(None, "--top", help="Number of candidates (default: the "
                                       "scenario's sites.top)."),
        dem: Path | None = typer.Option(None, "--dem", help="DEM (default: the one run.json "
                                        "records, else RUN/maps/dem.tif)."),
        template_config: bool = typer.Option(False, "--template-config",
                                             help="Print a complete default scenario and exit."),
    ) -> None:
        from lupex.cli._run_inputs import find_dem, load_scenario, run_params
        from lupex.errors import ParameterError

        if template_config:
            from lupex.mission import Scenario

            typer.echo(Scenario.template(), nl=False)
            return
        if run_dir is None:
            raise ParameterError("lupex sites: give the run folder RUN (or --template-config).")
        if top is not None and top < 1:
            raise ParameterError(f"--top = {top} is outside the allowed range [1, 1000].")
        from lupex.io.provenance import provenance
        from lupex.sites import load_site_maps, score_sites, write_site_outputs
        from lupex.terrain import read_dem

        sc = load_scenario(scenario)
        dem_path = find_dem(run_dir, dem)
        dem_da = read_dem(dem_path)
        maps = load_site_maps(run_dir)
        res = score_sites(dem_da, maps, lander=sc.lander, criteria=sc.sites,
                          rover_max_darkness_h=sc.rover.max_darkness_h, top=top)
        prov = provenance("lupex sites", run=str(run_dir), scenario=str(scenario), dem=str(dem_path),
                          top=top, lander=sc.lander.model_dump(), sites=sc.sites.model_dump())
        paths = write_site_outputs(res, run_dir, dem=dem_da, provenance=prov)
        c = console()
        rec = run_params(run_dir)
        if scenario is not None and rec.get("start") and rec.get("stop"):
            import numpy as np

            same = (np.datetime64(str(rec["start"]), "s") == np.datetime64(sc.window.start, "s")
                    and np.datetime64(str(rec["stop"]), "s") == np.datetime64(sc.window.stop, "s"))
            if not same:
                c.print(f"note: the maps cover {rec['start']} .. {rec['stop']} but the scenario's "
                        f"window is {sc.window.start} .. {sc.window.stop}; rerun `lupex "
                        "illumination` on the scenario's window to score that window.")
        for n in res.notes:
            c.print(f"note: {n}")
        cols = [k for k in ("rank", "lat_deg", "lon_deg", "score") if k in res.candidates.columns]
        if len(res.candidates):
            c.print(res.candidates[cols].to_string(index=False, float_format=lambda v: f"{v:.4f}"))
        for p in paths.values():
            c.print(str(p))
