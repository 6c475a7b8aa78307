"""`lupex ephemeris` / `lupex stations` and observer heights taken from a DEM."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
import xarray as xr
from numpy.testing import assert_allclose

import lupex.ephemeris as eph
from lupex.cli import main
from lupex.cli.ephemeris import COLUMNS
from lupex.errors import DemError, ParameterError


def run(args: list[str]) -> None:
    """Run the CLI; success may return or exit with status 0 (click standalone mode)."""
    try:
        main(args)
    except SystemExit as e:
        assert e.code in (0, None), f"exit status {e.code}"


ARGS = ["ephemeris", "--lat", "-89.45", "--lon", "222.7", "--start", "2028-01-01T00:00",
        "--stop", "2028-01-02T00:00", "--step", "1h", "--height-m", "2"]


def test_cli_csv_columns_and_values_match_the_api(tmp_path):
    out = tmp_path / "se.csv"
    run([*ARGS, "--format", "csv", "--out", str(out)])
    rows = list(csv.reader(out.open()))
    assert rows[0] == COLUMNS
    assert len(rows) == 26
    ds = eph.topocentric(-89.45, 222.7, eph.time_grid("2028-01-01", "2028-01-02", "1h"),
                         height_m=2.0)
    for j, c in enumerate(COLUMNS[1:], start=1):
        assert_allclose([float(r[j]) for r in rows[1:]], ds[c].values, atol=1e-6)
    assert rows[1][0] == "2028-01-01T00:00:00"


def test_cli_json_and_table(tmp_path, capsys):
    run([*ARGS, "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert doc["columns"] == COLUMNS and len(doc["rows"]) == 25
    assert doc["provenance"]["call"] == "lupex ephemeris"
    assert "LT+S" in doc["provenance"]["aberration_correction"]
    run(ARGS)
    assert "sun elevation" in capsys.readouterr().out


@pytest.mark.parametrize("change, expect", [
    ({"--lat": "-91"}, "--lat"),
    ({"--stop": "2027-12-31"}, "before start"),
    ({"--start": "2061-01-01T00:00", "--stop": "2061-01-02"}, "outside the ephemeris span"),
    ({"--step": "1 fortnight"}, "step"),
    ({"--start": "not-a-date"}, "not a UTC time"),
])
def test_cli_bad_input_is_one_clear_line_and_exit_2(capsys, change, expect):
    args = list(ARGS)
    for k, v in change.items():
        args[args.index(k) + 1] = v
    with pytest.raises(SystemExit) as e:
        main(args)
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert expect in err and "Traceback" not in err
    assert len(err.strip().splitlines()) <= 3  # one message (rich may wrap a long line)


def test_cli_stations(tmp_path, capsys):
    run(["stations", "--list"])
    assert "DSS-43" in capsys.readouterr().out
    out = tmp_path / "w.json"
    run(["stations", "--start", "2028-01-01", "--stop", "2028-01-03", "--step", "10min",
          "-s", "DSS-43", "-s", "Home,48.1,11.6,500", "--lunar-point", "-89.45,222.7",
          "--format", "json", "--out", str(out)])
    doc = json.loads(out.read_text())
    assert {r["station"] for r in doc["rows"]} == {"DSS-43", "Home"}
    assert all(r["max_elevation_deg"] >= 10 for r in doc["rows"])
    for bad in (["-s", "Home,north,11"], ["-s", "NOPE"], ["--lunar-point", "x,y"], []):
        with pytest.raises(SystemExit) as e:
            main(["stations", *(["--start", "2028-01-01", "--stop", "2028-01-02"] if bad
                                else []), *bad])
        assert e.value.code == 2


# ------------------------------------------------------------------------------------- DEM

def _plane_dem(crs="IAU_2015:30135"):
    import rioxarray  # noqa: F401

    x = np.arange(-20_000.0, 20_001.0, 500.0)
    y = np.arange(20_000.0, -20_001.0, -500.0)
    z = 100.0 + 0.01 * x[None, :] - 0.02 * y[:, None]
    da = xr.DataArray(z, dims=("y", "x"), coords={"y": y, "x": x})
    return da.rio.write_crs(crs)


def test_dem_height_is_sampled_in_the_dem_crs():
    from pyproj import Transformer

    dem = _plane_dem()
    lat, lon = np.array([-89.8, -89.9, -89.95]), np.array([30.0, 200.0, -75.0])
    # independent projection: PROJ from the IAU 2015 lunar geographic CRS
    x, y = Transformer.from_crs("IAU_2015:30100", "IAU_2015:30135",
                                always_xy=True).transform(lon, lat)
    assert_allclose(eph.dem_height_m(dem, lat, lon), 100.0 + 0.01 * x - 0.02 * y, atol=1e-6)
    ds = eph.topocentric(lat, lon, ["2028-01-01T00:00"], height_m=2.0, dem=dem)
    ref = eph.topocentric(lat, lon, ["2028-01-01T00:00"], height_m=102.0 + 0.01 * x - 0.02 * y)
    assert_allclose(ds["sun_elevation_deg"], ref["sun_elevation_deg"], atol=1e-9)
    assert_allclose(ds["height_m"], ref["height_m"], atol=1e-6)


def test_dem_refusals():
    with pytest.raises(ParameterError, match="outside the DEM"):
        eph.dem_height_m(_plane_dem(), -80.0, 0.0)
    with pytest.raises(DemError, match="not a lunar CRS"):
        eph.dem_height_m(_plane_dem("EPSG:3031"), -89.9, 0.0)
    with pytest.raises(DemError, match="no CRS"):
        eph.dem_height_m(xr.DataArray(np.zeros((2, 2)), dims=("y", "x"),
                                      coords={"y": [0.0, 1.0], "x": [0.0, 1.0]}), -89.9, 0.0)


def test_topocentric_shapes_and_bad_points():
    t = eph.time_grid("2028-01-01", "2028-01-01T03:00", "1h")
    one = eph.topocentric(-89.45, 222.7, t)
    assert one["sun_elevation_deg"].dims == ("time",)
    many = eph.topocentric([-89.45, -89.45], [222.7, 222.7 - 360.0], t)
    assert many["sun_elevation_deg"].dims == ("time", "point")
    assert_allclose(many["sun_elevation_deg"][:, 1], one["sun_elevation_deg"], atol=1e-9)
    assert_allclose(many["sun_azimuth_deg"][:, 0], one["sun_azimuth_deg"], atol=1e-9)
    for lat, lon in ((-90.5, 0.0), (np.nan, 0.0), (0.0, np.inf)):
        with pytest.raises(ParameterError):
            eph.topocentric(lat, lon, t)
    with pytest.raises(ParameterError):
        eph.sun_earth_vectors_me(t, observer_me_m=np.zeros((2, 3)))
    with pytest.raises(ParameterError):
        eph.sun_earth_vectors_me(t, observer_me_m=[np.nan, 0.0, 0.0])


def test_enu_and_azel_helpers_closed_form():
    # at (0, 0): east = +y, north = +z, up = +x
    assert_allclose(eph.enu_basis(0.0, 0.0), [[0, 1, 0], [0, 0, 1], [1, 0, 0]], atol=1e-15)
    az, el = eph.azel_from_vectors([[0, 1, 0], [0, 0, 1], [1, 0, 0], [0, -1, -1]], 0.0, 0.0)
    assert_allclose(az[:2], [90.0, 0.0], atol=1e-12)
    assert_allclose(el[:3], [0.0, 0.0, 90.0], atol=1e-12)
    assert_allclose([az[3], el[3]], [180.0 + 45.0, 0.0], atol=1e-12)
    # at the south pole, up is -z and local north runs along the observer's meridian
    b = eph.enu_basis(-90.0, 30.0)
    assert_allclose(b[1], [np.cos(np.pi / 6), np.sin(np.pi / 6), 0.0], atol=1e-12)
    assert_allclose(b[2], [0.0, 0.0, -1.0], atol=1e-12)


def test_earth_seen_from_the_south_pole_follows_the_subearth_point():
    # From the pole, the sub-Earth longitude L_e seen from meridian L lies at azimuth
    # (L_e - L) mod 360; the observer's offset from the centre is vertical, so it shifts only
    # the elevation, downward: el = -lat_e - parallax, parallax = asin(R cos(lat_e) / d),
    # ~0.26 deg (the Earth sits lower in the sky at the pole than seen from the centre).
    t = eph.time_grid("2028-01-01", "2028-02-01", "1d")
    lon = 222.7
    ds = eph.topocentric(-90.0, lon, t)
    assert_allclose(ds["earth_azimuth_deg"], (ds["subearth_lon_deg"] - lon) % 360, atol=1e-6)
    par = np.rad2deg(np.arcsin(1_737_400.0 * np.cos(np.deg2rad(ds["subearth_lat_deg"]))
                               / ds["earth_distance_m"]))
    assert_allclose(ds["earth_elevation_deg"], -ds["subearth_lat_deg"] - par, atol=2e-3)
