"""`lupex volatiles table|rate|maps` and `lupex volatiles DIR`."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest
import xarray as xr
from typer.testing import CliRunner


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
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert list(rows[0]) == ["species", "name", "t_stability_k", "quality", "source", "fit_range_k",
                             "in_fit_range"]
    from lupex.volatiles import SPECIES

    assert [r["species"] for r in rows] == list(SPECIES)
    for r in rows:  # every species names its law and its quality
        assert r["source"] == SPECIES[r["species"]].source and r["quality"] in ("measured-fit",
                                                                                  "approximate")
    h2o = next(r for r in rows if r["species"] == "H2O")
    assert 100.0 < float(h2o["t_stability_k"]) < 101.2 and h2o["in_fit_range"] == "false"


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


def _app():
    from lupex import cli

    return cli.app


def _thermal_run(folder, t_surface_max_k):
    """A minimal run folder as `lupex thermal maps --out` leaves it (maps + cache/thermal.zarr)."""
    from lupex.constants import SOUTH_POLAR_CRS
    from lupex.io.maps import make_map
    from lupex.thermal.maps import write_thermal_outputs

    ny, nx = t_surface_max_k.shape
    x, y = 1000.0 + 20.0 * np.arange(nx), 5000.0 - 20.0 * np.arange(ny)
    tmax = make_map(t_surface_max_k, x=x, y=y, crs=SOUTH_POLAR_CRS, name="t_surface_max_k",
                    units="K", long_name="maximum surface temperature")
    nodes = xr.DataArray(np.stack([t_surface_max_k, t_surface_max_k - 20.0], axis=-1),
                         dims=("y", "x", "node_depth_m"),
                         coords={"y": y, "x": x, "node_depth_m": [0.0, 0.5]})
    ds = xr.Dataset({"t_surface_max_k": tmax, "t_max_nodes_k": nodes}, attrs={"start": "s", "stop": "e"})
    write_thermal_outputs(ds, folder)
    return folder


def test_volatiles_dir_is_volatiles_maps_dir(tmp_path):
    # `lupex volatiles DIR` (the form) writes the same maps as `lupex volatiles maps DIR`
    import rioxarray

    from lupex.volatiles import stability_temperature_k

    t = np.array([[40.0, 50.0, 60.0], [95.0, 105.0, 130.0]])
    run = _thermal_run(tmp_path / "run", t)
    res = CliRunner().invoke(_app(), ["volatiles", str(run), "--species", "CO2", "--species", "H2O"])
    assert res.exit_code == 0, res.output
    co2 = rioxarray.open_rasterio(run / "maps" / "cold_trap_CO2.tif").squeeze().values
    h2o = rioxarray.open_rasterio(run / "maps" / "cold_trap_H2O.tif").squeeze().values
    np.testing.assert_array_equal(co2, t < stability_temperature_k("CO2", warn=False))
    np.testing.assert_array_equal(h2o, t < stability_temperature_k("H2O", warn=False))
    assert (run / "maps" / "ice_stability_class.tif").exists()
    # the same run through the explicit sub-command gives identical maps
    res2 = CliRunner().invoke(_app(), ["volatiles", "maps", str(run), "--species", "CO2"])
    assert res2.exit_code == 0
    np.testing.assert_array_equal(
        rioxarray.open_rasterio(run / "maps" / "cold_trap_CO2.tif").squeeze().values, co2)


def test_volatiles_help_lists_the_verbs_and_the_dir_form():
    res = CliRunner().invoke(_app(), ["volatiles", "--help"], env={"COLUMNS": "200"})
    assert res.exit_code == 0
    for verb in ("table", "rate", "maps"):
        assert verb in res.output
    assert "lupex volatiles RUN" in res.output


def test_volatiles_unknown_word_that_is_no_folder_is_a_usage_error(tmp_path):
    res = CliRunner().invoke(_app(), ["volatiles", str(tmp_path / "nope")])
    assert res.exit_code == 2
    assert "neither a sub-command" in res.output


def test_table_shows_source_quality_and_extrapolation():
    res = CliRunner().invoke(_app(), ["volatiles", "table"], env={"COLUMNS": "250"})
    assert res.exit_code == 0, res.output
    out = " ".join(res.output.split())
    for needle in ("Murphy & Koop (2005)", "Fray & Schmitt (2009)", "Schörghofer & Williams (2024)",
                   "Brown & Ziegler (1980)", "approximate", "measured-fit", "extrapolated"):
        assert needle in out
