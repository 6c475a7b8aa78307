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
    assert run["parameters"]["dem"].endswith("dem.tif")
    assert "psr_area_km2" in run["summary"]
    # rerun resumes from the saved tiles (same outputs)
    with pytest.raises(SystemExit):
        main(["--quiet", *args])
    assert json.loads((out / "run.json").read_text())["summary"] == run["summary"]


def test_cli_bad_point_is_one_line_error(dem_tif, tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        main(["illumination", str(dem_tif), "--start", "2028-01-01", "--stop", "2028-01-02",
              "--out", str(tmp_path / "r"), "--point", "banana"])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "--point" in err and "LAT,LON" in err


def test_cli_reads_a_horizon_store(dem_tif, tmp_path):
    # interop with the horizon layer's Zarr store (int16, 0.01 deg): same maps as computing
    # the horizons in the run (to the store's 0.01 deg quantisation)
    store = pytest.importorskip("lupex.horizon.store")
    import numpy as np
    import rioxarray

    from lupex.terrain import read_dem

    dem = read_dem(dem_tif)
    zarr_path = tmp_path / "h.zarr"
    store.write_horizons_zarr(dem, zarr_path, n_azimuths=72, far_field=None)
    common = ["--start", "2028-01-01", "--stop", "2028-01-10", "--step", "3h", "--tile-px", "8"]
    for name, extra in (("a", ["--horizons", str(zarr_path)]),
                        ("b", ["--azimuths", "72", "--far-field", "none"])):
        with pytest.raises(SystemExit):
            main(["--quiet", "illumination", str(dem_tif), "--out", str(tmp_path / name),
                  *common, *extra])
    a = rioxarray.open_rasterio(tmp_path / "a" / "maps" / "sun_fraction_mean.tif").values
    b = rioxarray.open_rasterio(tmp_path / "b" / "maps" / "sun_fraction_mean.tif").values
    np.testing.assert_allclose(a, b, atol=0.02)
