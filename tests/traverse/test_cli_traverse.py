"""`lupex traverse` and `lupex sites` end to end on a small synthetic run folder (real horizons
and visibility frames from the horizon and illumination layers)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from lupex.errors import LupexError


def _app():
    from lupex.cli import sites, traverse

    app = typer.Typer()
    sites.register(app)
    traverse.register(app)

    @app.callback()
    def _root() -> None:
        pass

    return app


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    from lupex.horizon.store import write_horizons_zarr
    from lupex.terrain import synthetic_south_pole, write_dem

    run = tmp_path_factory.mktemp("run")
    dem = synthetic_south_pole(size_km=6.0, pixel_m=150.0, seed=3, shackleton=False, massifs=False)
    write_dem(dem, run / "maps" / "dem.tif")
    write_horizons_zarr(dem, run / "cache" / "horizons.zarr", n_azimuths=72)
    return run, dem


def test_traverse_cli_writes_route(run_folder):
    run, dem = run_folder
    from lupex.terrain import latlon_deg

    lat, lon = latlon_deg(dem)
    a = f"{lat[20, 20]:.6f},{lon[20, 20]:.6f}"
    b = f"{lat[25, 25]:.6f},{lon[25, 25]:.6f}"
    scen = run / "S.toml"
    scen.write_text("[traverse]\nwindow_h = 240\nscience_h = 0.5\n[rover]\nmax_darkness_h = 200\n")
    res = CliRunner().invoke(_app(), ["traverse", str(run), "--start", a, "--start-time",
                                      "2028-01-05T00:00", "--target", b, "--end", a,
                                      "--scenario", str(scen)], catch_exceptions=True)
    if isinstance(res.exception, LupexError):
        pytest.fail(f"planner refused: {res.exception}")
    assert res.exit_code == 0, res.output
    tr = pd.read_csv(run / "tables" / "traverse.csv")
    assert {"time_utc", "soc_wh", "sunlit", "earth_visible", "binding"} <= set(tr.columns)
    assert (tr.action == "science").sum() == 1
    gj = json.loads((run / "plans" / "traverse.geojson").read_text())
    kinds = [f["geometry"]["type"] for f in gj["features"]]
    assert kinds[:2] == ["LineString", "LineString"] and "Point" in kinds
    assert (run / "plans" / "traverse.png").stat().st_size > 1000


def test_traverse_cli_bad_point_names_the_option(run_folder):
    run, _ = run_folder
    res = CliRunner().invoke(_app(), ["traverse", str(run), "--start", "-89.5", "--start-time",
                                      "2028-01-05T00:00"])
    assert isinstance(res.exception, LupexError) and "--start" in str(res.exception)


def test_sites_cli_template_and_missing_maps(run_folder, tmp_path):
    from lupex.scenario import Scenario

    res = CliRunner().invoke(_app(), ["sites", "--template-config"])
    assert res.exit_code == 0 and res.output == Scenario.template()
    run, _ = run_folder
    res = CliRunner().invoke(_app(), ["sites", str(run)])
    assert isinstance(res.exception, LupexError) and "sun_fraction_mean.tif" in str(res.exception)


def test_sites_cli_ranks(run_folder, tmp_path):
    from lupex.io.geotiff import write_geotiff
    from lupex.io.maps import make_map
    from lupex.terrain import write_dem

    _, dem = run_folder
    run = tmp_path / "r"
    write_dem(dem, run / "maps" / "dem.tif")
    ny, nx = dem.shape
    jj = np.arange(nx)[None, :].repeat(ny, 0)
    for name, arr in {"sun_fraction_mean": 0.3 + 0.6 * jj / nx, "earth_visible_fraction": np.full((ny, nx), 0.5),
                      "longest_darkness_h": np.full((ny, nx), 10.0), "psr": (jj < 3).astype(float)}.items():
        write_geotiff(make_map(arr.astype(np.float32), like=dem, name=name, units="1", long_name=name),
                      run / "maps" / f"{name}.tif")
    scen = tmp_path / "S.toml"
    scen.write_text("[lander]\nmax_slope_deg = 30\nellipse_radius_m = 300\nmax_roughness_m = 50\n")
    res = CliRunner().invoke(_app(), ["sites", str(run), "--scenario", str(scen), "--top", "3"])
    assert res.exit_code == 0, res.output
    tab = pd.read_csv(run / "tables" / "sites.csv")
    assert len(tab) >= 1 and tab["rank"].iloc[0] == 1
    assert (run / "plans" / "sites.geojson").exists() and (run / "maps" / "site_score.png").exists()
