"""``lupex demo``: ``lupex run`` on the packaged demo scenario (synthetic south-pole terrain)."""

from __future__ import annotations

from pathlib import Path

import typer


def demo_scenario_path() -> Path:
    """The packaged demo scenario file (``lupex/data/demo.toml``)."""
    from importlib.resources import files

    return Path(str(files("lupex") / "data" / "demo.toml"))


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo(
        out: Path = typer.Option(Path("lupex-demo"), "--out", "-o",
                                 help="Run folder to write (maps/, tables/, report.html)."),
        device: str = typer.Option("cpu", "--device", help="Horizon engine: cpu, gpu (NVIDIA, "
                                   "needs lupex[gpu]) or auto (the GPU when usable)."),
        show_scenario: bool = typer.Option(False, "--show-scenario",
                                           help="Print the demo scenario file and exit."),
    ) -> None:
        """Run the whole chain on the embedded synthetic south-pole terrain.

        The same as `lupex run` on the packaged demo scenario (print it with
        --show-scenario): terrain, ephemeris, horizons (LOLA far field), illumination,
        temperatures (every 4th pixel, one year at 6 h with terrain scattering and infrared),
        cold traps and ice stability depth, landing sites, landing windows and the transfer, a
        rover traverse to the nearest PSR edge, the LUPEX surface mission for its nominal 105
        days on a 10 m nested grid around the landing site (drives, drilling, samples, water
        found against truth, data returned), and report.html. Rerunning resumes: finished
        stages are reused.

        Example: `lupex demo --out lupex-demo` then open lupex-demo/report.html
        """
        from lupex.cli.run import run_and_report

        path = demo_scenario_path()
        if show_scenario:
            typer.echo(path.read_text(encoding="utf-8"), nl=False)
            return
        run_and_report(path, out, device=device, title="lupex demo")
