"""``lupex run S.toml --out RUN``: the whole chain from one scenario file into one run folder."""

from __future__ import annotations

from pathlib import Path

import typer

from lupex.cli._common import console

_EXAMPLE = ("Example: `lupex run --template-config > my.toml`, edit it, then "
            "`lupex run my.toml --out run1` and open run1/report.html. Rerunning resumes: "
            "finished stages whose inputs did not change are reused.")


def register(app: typer.Typer) -> None:
    """Add ``lupex run`` to the app."""

    @app.command("run", help="Run a scenario (one TOML file) into a run folder: terrain, "
                 "ephemeris, horizons, illumination, temperatures, volatiles, landing sites, "
                 "traverse ... and the report.\n\n" + _EXAMPLE)
    def run(
        scenario: Path | None = typer.Argument(None, metavar="SCENARIO",
                                               help="Scenario TOML (`--template-config` prints "
                                               "a complete default)."),
        out: Path | None = typer.Option(None, "--out", "-o", help="Run folder (maps/, tables/, "
                                        "plans/, run.json, report.html)."),
        stage: list[str] = typer.Option([], "--stage", help="Bring only this stage (and what it "
                                        "needs) up to date; repeatable."),
        device: str = typer.Option("cpu", "--device", help="Horizon engine: cpu, gpu (NVIDIA, "
                                   "needs lupex[gpu]) or auto."),
        monte_carlo: int = typer.Option(0, "--monte-carlo", min=0, help="Also run the mission N "
                                        "times over truth seeds and uncertainties, both drilling "
                                        "strategies (sets [mission] monte_carlo)."),
        template_config: bool = typer.Option(False, "--template-config",
                                             help="Print a complete, commented default "
                                             "scenario (it runs as it is) and exit."),
    ) -> None:
        from lupex.errors import ParameterError

        if template_config:
            from lupex.scenario import Scenario

            typer.echo(Scenario.template(), nl=False)
            return
        if scenario is None:
            raise ParameterError("lupex run: give the scenario file (or --template-config).")
        if out is None:
            raise ParameterError("lupex run: give the run folder, --out RUN.")
        if monte_carlo:
            from lupex.scenario import Scenario

            scenario = Scenario.load(scenario).updated({"mission.monte_carlo": monte_carlo},
                                                       source=str(scenario))
        run_and_report(scenario, out, stages=stage or None, device=device, title="lupex run")


def run_and_report(scenario, out: Path, *, stages=None, device: str = "cpu",
                   title: str = "lupex run") -> None:
    """Run with progress bars, then print what ran, the key answers and the report's path."""
    from lupex.cli._runbar import run_with_progress
    from lupex.io.runfolder import RunFolder
    from lupex.run import RunOptions

    res = run_with_progress(scenario, out, stages=stages, options=RunOptions(device=device),
                            title=title, report=True)
    c = console()
    c.print(f"ran: {', '.join(res.ran) or 'nothing (all up to date)'}"
            + (f"; reused: {', '.join(res.reused)}" if res.reused else ""))
    summ = RunFolder(out).summary()
    for key in ("psr_area_km2", "psr_median_max_temperature_k", "best_site_lat_deg",
                "best_site_lon_deg", "traverse", "mission"):
        if key in summ and summ[key] is not None:
            c.print(f"  {key}: {summ[key]}")
    c.print(f"[green]done[/]: {out / 'report.html'}")
