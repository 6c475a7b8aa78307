"""``lupex demo``: the whole available chain on the embedded synthetic terrain."""

from __future__ import annotations

from pathlib import Path

import typer

from lupex.cli._common import console, progress


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo(
        out: Path = typer.Option(Path("lupex-demo"), "--out", "-o",
                                 help="Run folder to write (maps/, tables/, report.html)."),
        size_km: float = typer.Option(20.0, help="Side of the synthetic terrain [km]."),
        pixel_m: float = typer.Option(80.0, help="Pixel size of the synthetic terrain [m]."),
        seed: int = typer.Option(7, help="Seed of the synthetic terrain."),
        start: str = typer.Option("2028-09-01T00:00", help="Start of the mission window (UTC); Sep-Oct is southern summer at the pole."),
        stop: str = typer.Option("2028-11-01T00:00", help="End of the mission window (UTC)."),
        step: str = typer.Option("2h", help="Time step, e.g. 1h, 30min, 1d."),
        dem: Path | None = typer.Option(None, help="Use this DEM GeoTIFF instead of the synthetic one."),
        scenario: Path | None = typer.Option(None, help="Scenario TOML for the site ranking "
                                             "(default: the packaged demo scenario)."),
        device: str = typer.Option("cpu", "--device", help="Horizon engine: cpu, gpu (NVIDIA, "
                                   "needs lupex[gpu]) or auto (the GPU when usable)."),
    ) -> None:
        """Run every stage lupex has on the embedded synthetic south-pole terrain.

        Stages: terrain, ephemeris, horizons (LOLA far field), illumination, temperatures
        (every 4th pixel, one year at 6 h with terrain scattering and infrared), cold traps and
        ice stability depth, landing sites, a rover traverse to the nearest PSR edge.
        Writes a run folder with GeoTIFF maps and PNG quicklooks, CSV tables, run.json
        (provenance) and report.html. Rerunning resumes: finished stages are reused.

        Example: `lupex demo --out lupex-demo` then open lupex-demo/report.html
        """
        from importlib.resources import files

        from lupex.chain import ChainConfig, ModelChain

        demo_scenario = str(files("lupex") / "data" / "demo_scenario.toml")
        cfg = ChainConfig(dem=str(dem) if dem else None, synth_size_km=size_km,
                          synth_pixel_m=pixel_m, synth_seed=seed, start=start, stop=stop, step=step,
                          scenario=str(scenario) if scenario else demo_scenario,
                          thermal_decimate=4, thermal_step="6h", horizon_device=device)
        c = console()
        with progress() as p:
            task = p.add_task("lupex demo", total=len(ModelChain.available_stages()))
            subs: dict = {}

            def stage_progress(stage: str, done: int, total: int) -> None:
                if stage not in subs:
                    subs[stage] = p.add_task(f"  {stage}", total=total)
                p.update(subs[stage], completed=done, total=total)

            chain = ModelChain(out, cfg, progress=stage_progress)
            for s in chain.available_stages():
                p.update(task, description=f"stage: {s}")
                chain.run(stages=(s,))
                p.advance(task)
        c.print(f"[green]done[/]: {out / 'report.html'}")
