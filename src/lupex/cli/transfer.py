"""``lupex transfer``: the Earth-Moon transfer and descent budget of a scenario."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from lupex.cli._common import console

_EXAMPLE = ("Example: `lupex transfer scenario.toml --landing 2028-09-05T00:00 --format json` "
            "(the touchdown defaults to launch.landing_utc, else the mission window's start).")


def register(app: typer.Typer) -> None:
    """Add ``lupex transfer`` to the app."""

    @app.command("transfer", help="Launcher, TLI, direct (or phasing) transfer propagated with "
                 "heyoka and targeted to a polar perilune, LOI, descent: delta-v and propellant "
                 "per phase and the launch margin.\n\n" + _EXAMPLE)
    def transfer(
        scenario: Path = typer.Argument(..., metavar="S.toml", help="Scenario TOML."),
        landing: str | None = typer.Option(None, "--landing", help="Touchdown (UTC)."),
        fmt: str = typer.Option("table", "--format", help="table or json."),
    ) -> None:
        from lupex.errors import ParameterError
        from lupex.launch import plan_transfer
        from lupex.launch.output import transfer_table
        from lupex.scenario import Scenario

        if fmt not in ("table", "json"):
            raise ParameterError(f"--format {fmt!r}: use table or json.")
        sc = Scenario.load(scenario)
        la = sc.launch
        when = landing or la.landing_utc or sc.window.start
        south = la.site_lat_deg is None or la.site_lat_deg < 0
        plan = plan_transfer(la, when, south=south)
        d = plan.to_dict()
        d["phases"] = [{k: p[k] for k in ("name", "delta_v_m_s", "duration_s",
                                          "propellant_kg")} for p in plan.phases]
        if fmt == "json":
            typer.echo(json.dumps(d, indent=1))
            return
        c = console()
        c.print(transfer_table(plan).to_string(index=False, float_format=lambda v: f"{v:.1f}"))
        c.print(f"launch {plan.launch_utc}  TLI {plan.tli_utc}  LOI {plan.loi_utc}  landing "
                f"{plan.landing_utc}")
        c.print(f"required stack {plan.required_wet_mass_kg:.0f} kg; launcher margin "
                f"{plan.margin_kg:.0f} kg; stack margin {plan.stack_margin_kg:.0f} kg")
        for n in plan.notes:
            c.print(f"note: {n}")
