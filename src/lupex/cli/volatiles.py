"""``lupex volatiles ...``: sublimation, cold-trap temperatures and ice stability."""

from __future__ import annotations

import typer

from lupex.cli._common import console

volatiles_app = typer.Typer(
    help="Volatile stability: sublimation rates and cold-trap temperatures per species.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add ``lupex volatiles`` and its sub-verbs to the app."""

    @volatiles_app.command("table")
    def table(
        loss_mm_per_gyr: float = typer.Option(1.0, "--loss-mm-per-gyr",
                                              help="Allowed loss by free sublimation [mm per Gyr]."),
        fmt: str = typer.Option("table", "--format", help="Output format: table or csv."),
    ) -> None:
        """Print the stability (cold-trap) temperature of each species for a loss rate.

        Ice whose annual maximum temperature stays below this loses less than the given rate.

        Example: `lupex volatiles table --loss-mm-per-gyr 1`
        """
        from lupex.errors import ParameterError
        from lupex.volatiles import stability_table

        if fmt not in ("table", "csv"):
            raise ParameterError(f"--format {fmt!r}: use 'table' or 'csv'.")
        rows = stability_table(loss_mm_per_gyr)
        if fmt == "csv":
            typer.echo("species,name,t_stability_k,quality,source")
            for r in rows:
                typer.echo(f"{r['species']},{r['name']},{r['t_stability_k']:.2f},{r['quality']},"
                           f"\"{r['source']}\"")
            return
        from rich.table import Table

        t = Table(title=f"Stability temperature for a loss of {loss_mm_per_gyr:g} mm/Gyr "
                  "(free sublimation into vacuum)")
        for h in ("species", "name", "T_stability [K]", "law", "source"):
            t.add_column(h, justify="right" if h.startswith("T") else "left")
        for r in rows:
            t.add_row(r["species"], r["name"], f"{r['t_stability_k']:.2f}", r["quality"], r["source"])
        console().print(t)

    @volatiles_app.command("rate")
    def rate(
        t_k: list[float] = typer.Argument(..., help="Temperatures [K]."),
        species: str = typer.Option("H2O", "--species", help="Species formula, e.g. H2O, CO2, NH3."),
    ) -> None:
        """Print the free-sublimation loss of a species at temperatures.

        Example: `lupex volatiles rate 100 110 120 --species H2O`
        """
        import numpy as np

        from lupex.volatiles import (
            recession_rate_m_per_gyr,
            sublimation_rate_kg_m2_s,
            vapor_pressure_pa,
        )

        t = np.asarray(t_k, dtype=float)
        p = vapor_pressure_pa(species, t)
        e = sublimation_rate_kg_m2_s(species, t)
        r = recession_rate_m_per_gyr(species, t)
        typer.echo("t_k,vapor_pressure_pa,sublimation_kg_m2_s,recession_m_per_gyr")
        for row in zip(t, p, e, r, strict=True):
            typer.echo(f"{row[0]:g},{row[1]:.4e},{row[2]:.4e},{row[3]:.4e}")

    app.add_typer(volatiles_app, name="volatiles")
