"""``lupex volatiles ...``: sublimation, cold-trap temperatures and ice stability."""

from __future__ import annotations

from pathlib import Path

import typer

from lupex.cli._common import console, run_folder_group

volatiles_app = typer.Typer(
    cls=run_folder_group("volatiles", "`lupex thermal maps ... --out`"),
    subcommand_metavar="COMMAND [ARGS]... | DIR [OPTIONS]",
    help="Volatile stability: cold traps per species and the ice stability depth from a thermal "
    "run, sublimation rates, cold-trap temperatures.\n\n"
    "Example: `lupex volatiles RUN` (= `lupex volatiles maps RUN`: maps beside what "
    "`lupex thermal maps ... --out RUN` wrote); `lupex volatiles table --loss-mm-per-gyr 1`.",
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
        Each row names the vapour-pressure law (source), its quality (measured-fit or
        approximate), its fitted range and whether the temperature lies inside it.

        Example: `lupex volatiles table --loss-mm-per-gyr 1`
        """
        from lupex.errors import ParameterError
        from lupex.volatiles import stability_table

        if fmt not in ("table", "csv"):
            raise ParameterError(f"--format {fmt!r}: use 'table' or 'csv'.")
        rows = stability_table(loss_mm_per_gyr)

        def _rng(r):
            lo, hi = r["fit_range_k"]
            return f"{'?' if lo != lo else f'{lo:g}'}-{hi:g}"

        if fmt == "csv":
            typer.echo("species,name,t_stability_k,quality,source,fit_range_k,in_fit_range")
            for r in rows:
                typer.echo(f"{r['species']},{r['name']},{r['t_stability_k']:.2f},{r['quality']},"
                           f"\"{r['source']}\",{_rng(r)},{str(r['in_fit_range']).lower()}")
            return
        from rich.table import Table

        t = Table(title=f"Stability temperature for a loss of {loss_mm_per_gyr:g} mm/Gyr "
                  "(free sublimation into vacuum)",
                  caption="fitted range: '?' = lower end not stated by the source; "
                  "'extrapolated' = T below the fitted range")
        for h in ("species", "T_stability [K]", "quality", "fitted range [K]", "source"):
            t.add_column(h, justify="right" if h.startswith("T") else "left", no_wrap=True)
        sources: list[str] = []  # full citations below the table: narrow terminals stay readable
        for r in rows:
            tt = f"{r['t_stability_k']:.2f}" + ("" if r["in_fit_range"] else " extrapolated")
            if r["source"] not in sources:
                sources.append(r["source"])
            t.add_row(r["species"], tt, r["quality"], _rng(r), f"[{sources.index(r['source']) + 1}]")
        c = console()
        c.print(t)
        for i, src in enumerate(sources, 1):
            c.print(f"[{i}] {src}", highlight=False, markup=False)

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

    @volatiles_app.command("maps")
    def maps(
        run_dir: Path = typer.Argument(..., help="Run folder holding cache/thermal.zarr (from "
                                       "`lupex thermal maps ... --out DIR`)."),
        species: list[str] = typer.Option([], "--species", help="Cold-trap species; repeat "
                                          "(default: the run's scenario, else H2O and CO2)."),
        loss_mm_per_gyr: float | None = typer.Option(None, "--loss-mm-per-gyr",
                                                     help="Loss rate [mm per Gyr] (default: the "
                                                     "run's scenario, else 1)."),
    ) -> None:
        """Cold-trap masks per species and the water-ice stability depth from thermal maps.

        On a folder from `lupex run` this is its volatiles stage (the options override the
        scenario's [volatiles] table). Writes DIR/maps/cold_trap_<species>.tif, ice_stability_depth_m.tif and
        ice_stability_class.tif (0 stable at the surface, 1 at depth, 2 unstable within the
        grid, -1 no data). Use a thermal window of at least a year for annual maxima.

        `lupex volatiles DIR ...` is the same command.

        Example: `lupex volatiles maps run1 --species H2O --species CO2 --loss-mm-per-gyr 1`
        """
        from lupex.cli._run_inputs import is_run_folder, print_products, run_stage

        if is_run_folder(run_dir):
            run_stage(run_dir, "volatiles", overrides={
                "volatiles.species": list(species) or None,
                "volatiles.loss_mm_per_gyr": loss_mm_per_gyr})
            print_products(run_dir, "volatiles")
            return
        species = list(species) or ["H2O", "CO2"]
        loss_mm_per_gyr = 1.0 if loss_mm_per_gyr is None else loss_mm_per_gyr
        from lupex.io.provenance import provenance
        from lupex.io.runfolder import RunFolder
        from lupex.thermal.maps import open_thermal
        from lupex.volatiles import volatile_maps
        from lupex.volatiles.maps import write_volatile_outputs

        ds = volatile_maps(open_thermal(run_dir), species=species, loss_mm_per_gyr=loss_mm_per_gyr)
        prov = provenance("lupex volatiles maps", run_dir=str(run_dir), species=list(species),
                          loss_mm_per_gyr=loss_mm_per_gyr)
        folder = RunFolder(run_dir)
        for p in write_volatile_outputs(ds, run_dir, provenance=prov):
            if p.suffix == ".tif":
                folder.add_map("volatiles", p, ds[p.stem])
            else:
                folder.add_plot("volatiles", p, long_name=p.stem.replace("_", " "))
            console().print(str(p))
        folder.save()

    app.add_typer(volatiles_app, name="volatiles")
