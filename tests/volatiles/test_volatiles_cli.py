"""`lupex volatiles table|rate`."""

from __future__ import annotations

import pytest


def _run_ok(main):
    """``main`` that returns on success (click's standalone mode exits 0) and raises otherwise."""
    def run(argv):
        try:
            main(argv)
        except SystemExit as e:
            if e.code not in (0, None):
                raise
    return run


@pytest.fixture
def cli_main():
    """``lupex.cli.main`` with the volatiles verbs registered (until the integrator lists them)."""
    from lupex import cli
    from lupex.cli import volatiles

    if not any(g.name == "volatiles" for g in cli.app.registered_groups):
        volatiles.register(cli.app)
    return _run_ok(cli.main)


def test_table_csv(cli_main, capsys):
    cli_main(["volatiles", "table", "--loss-mm-per-gyr", "1", "--format", "csv"])
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "species,name,t_stability_k,quality,source"
    h2o = next(line for line in lines if line.startswith("H2O,"))
    assert 100.0 < float(h2o.split(",")[2]) < 101.2


def test_rate_and_bad_species(cli_main, capsys):
    cli_main(["volatiles", "rate", "114", "--species", "H2O"])
    out = capsys.readouterr().out.strip().splitlines()
    assert 0.9 < float(out[1].split(",")[3]) < 1.1  # ~1 m/Gyr at 114 K
    with pytest.raises(SystemExit) as e:
        cli_main(["volatiles", "rate", "100", "--species", "XeF6"])
    assert e.value.code == 2
    with pytest.raises(SystemExit) as e:
        cli_main(["volatiles", "table", "--loss-mm-per-gyr", "-1"])
    assert e.value.code == 2
