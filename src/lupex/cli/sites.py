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
                 "landing ellipse): the sites stage of a run folder, or the maps of a folder.\n\n" + _EXAMPLE)
    def sites(
        run_dir: Path | None = typer.Argument(None, metavar="RUN", help="Run folder with maps/."),
        scenario: Path | None = typer.Option(None, "--scenario", "-s", help="Scenario TOML "
                                             "(defaults when absent)."),
        top: int | None = typer.Option(None, "--top", help="Number of candidates (default: the "
                                       "scenario's sites.top)."),
        dem: Path | None = typer.Option(None, "--dem", help="DEM of a folder of maps (default: "
                                        "RUN/maps/dem.tif)."),
        template_config: bool = typer.Option(False, "--template-config",
                                             help="Print a complete default scenario and exit."),
    ) -> None:
        from lupex.cli._run_inputs import is_run_folder, print_products, run_stage
        from lupex.errors import InputFileError, ParameterError

        if template_config:
            from lupex.scenario import Scenario

            typer.echo(Scenario.template(), nl=False)
            return
        if run_dir is None:
            raise ParameterError("lupex sites: give the run folder RUN (or --template-config).")
        if top is not None and not 1 <= top <= 1000:
            raise ParameterError(f"--top = {top} is outside the allowed range [1, 1000].")
        c = console()
        if is_run_folder(run_dir):
            res = run_stage(run_dir, "sites", scenario=scenario,
                            overrides={"sites.top": top})["sites"]
            for n in res.notes:
                c.print(f"note: {n}")
            _print_table(c, res.candidates)
            print_products(run_dir, "sites")
            return
        # a folder of maps that is not a lupex run (e.g. written by hand): score its maps
        from lupex.io.provenance import provenance
        from lupex.io.runfolder import RunFolder
        from lupex.scenario import Scenario
        from lupex.sites import load_site_maps, score_sites, write_site_outputs
        from lupex.terrain import read_dem

        sc = Scenario() if scenario is None else Scenario.load(scenario)
        dem_path = dem or run_dir / "maps" / "dem.tif"
        if not Path(dem_path).exists():
            raise InputFileError(f"{run_dir}: no DEM (no --dem, no maps/dem.tif); pass --dem "
                                 "DEM.tif or use a folder from `lupex run`.")
        dem_da = read_dem(dem_path)
        res = score_sites(dem_da, load_site_maps(run_dir), lander=sc.lander, criteria=sc.sites,
                          rover_max_darkness_h=sc.rover.max_darkness_h, top=top)
        prov = provenance("lupex sites", run=str(run_dir), scenario=str(scenario),
                          dem=str(dem_path), top=top, lander=sc.lander.model_dump(),
                          sites=sc.sites.model_dump())
        paths = write_site_outputs(res, run_dir, dem=dem_da, provenance=prov)
        folder = RunFolder(run_dir)
        folder.add_table("sites", paths["csv"], long_name="ranked landing-site candidates")
        folder.add_plan("sites", paths["geojson"], long_name="landing-site candidates")
        folder.add_map("sites", paths["tif"], res.score, long_name="landing-site score")
        folder.add_plot("sites", paths["png"], long_name="landing-site score and candidates")
        folder.save()
        for n in res.notes:
            c.print(f"note: {n}")
        _print_table(c, res.candidates)
        for p in paths.values():
            c.print(str(p))


def _print_table(c, cands) -> None:
    cols = [k for k in ("rank", "lat_deg", "lon_deg", "score") if k in cands.columns]
    if len(cands):
        c.print(cands[cols].to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    else:
        c.print("no landing site passed the hard constraints")
