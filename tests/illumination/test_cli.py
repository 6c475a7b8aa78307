"""``lupex illumination`` end to end on a tiny DEM (horizons computed per tile)."""

from __future__ import annotations

import json

import pytest

from lupex.cli import main

from ._synthetic import dem_map


@pytest.fixture(scope="module")
def dem_tif(tmp_path_factory):
    import numpy as np

    from lupex.terrain import write_dem

    n = 16
    c = (np.arange(n) - (n - 1) / 2) * 250.0
    x, y = np.meshgrid(c, -c)
    elev = 600.0 * np.exp(-((x - 1200) ** 2 + (y + 900) ** 2) / (2 * 900.0**2))  # a hill
    p = tmp_path_factory.mktemp("dem") / "dem.tif"
    write_dem(dem_map(n, 250.0, elev), p)
    return p


def test_cli_writes_maps_tables_and_provenance(dem_tif, tmp_path):
    out = tmp_path / "run"
    args = ["illumination", str(dem_tif), "--start", "2028-01-01", "--stop", "2028-01-20",
            "--step", "3h", "--out", str(out), "--azimuths", "72", "--far-field", "none",
            "--point=-89.98,30", "--tile-px", "8", "--psr-span", "window"]
    with pytest.raises(SystemExit) as e:
        main(["--quiet", *args])
    assert e.value.code in (0, None)
    for name in ("sun_fraction_mean", "sun_any_fraction", "psr", "longest_darkness_h",
                 "earth_visible_fraction", "sun_and_earth_fraction"):
        assert (out / "maps" / f"{name}.tif").exists()
        assert (out / "maps" / f"{name}.png").exists()
    header = (out / "tables" / "points.csv").read_text().splitlines()[0].split(",")
    assert header[:2] == ["time_utc", "point"]
    for col in ("sun_azimuth_deg", "sun_elevation_deg", "horizon_deg_at_sun", "sun_fraction",
                "earth_elevation_deg", "horizon_deg_at_earth", "earth_fraction"):
        assert col in header
    run = json.loads((out / "run.json").read_text())
    # the run folder's scenario is built from the options, the manifest lists the products
    assert run["scenario"]["terrain"]["dem"].endswith("dem.tif")
    assert run["scenario"]["window"]["step"] == "3h"
    assert "psr_area_km2" in run["stages"]["illumination"]["summary"]
    listed = {p["path"] for p in run["products"]}
    assert {"maps/psr.tif", "tables/points.csv", "maps/dem.tif"} <= listed
    psr = next(p for p in run["products"] if p["path"] == "maps/psr.tif")
    assert psr["kind"] == "map" and psr["crs"] and psr["time_range"][0].startswith("2028-01-01")
    # rerun: every stage is reused, nothing recomputed
    with pytest.raises(SystemExit):
        main(["--quiet", *args])
    again = json.loads((out / "run.json").read_text())
    assert again["last_run"]["ran"] == [] and "illumination" in again["last_run"]["reused"]
    assert again["stages"]["illumination"] == run["stages"]["illumination"]


def test_cli_bad_point_is_one_line_error(dem_tif, tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        main(["illumination", str(dem_tif), "--start", "2028-01-01", "--stop", "2028-01-02",
              "--out", str(tmp_path / "r"), "--point", "banana"])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "--point" in err and "LAT,LON" in err


def test_cli_verb_is_the_stage_of_lupex_run(dem_tif, tmp_path):
    # `lupex illumination DEM` builds a scenario and runs the illumination stage; `lupex run`
    # on that scenario, and `lupex horizon` + `lupex illumination` on a run folder, give the
    # same maps bit for bit (one wiring of the stage, not two)
    import numpy as np
    import rioxarray

    common = ["--start", "2028-01-01", "--stop", "2028-01-10", "--step", "3h", "--tile-px", "8",
              "--azimuths", "36", "--far-field", "none"]
    with pytest.raises(SystemExit):
        main(["--quiet", "illumination", str(dem_tif), "--out", str(tmp_path / "a"), *common])
    with pytest.raises(SystemExit):
        main(["--quiet", "run", str(tmp_path / "a" / "scenario.toml"), "--out",
              str(tmp_path / "b"), "--stage", "horizon"])
    with pytest.raises(SystemExit):
        main(["--quiet", "illumination", str(tmp_path / "b")])
    for name in ("sun_fraction_mean", "psr", "longest_darkness_h"):
        a = rioxarray.open_rasterio(tmp_path / "a" / "maps" / f"{name}.tif").values
        b = rioxarray.open_rasterio(tmp_path / "b" / "maps" / f"{name}.tif").values
        np.testing.assert_array_equal(a, b)
    # an option on a run folder overrides its scenario: only illumination reruns
    with pytest.raises(SystemExit):
        main(["--quiet", "illumination", str(tmp_path / "b"), "--step", "6h"])
    last = json.loads((tmp_path / "b" / "run.json").read_text())["last_run"]
    assert last["ran"] == ["illumination"] and "horizon" in last["reused"]
