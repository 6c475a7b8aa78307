"""dem_summary and `lupex terrain info`: numbers checked against hand values of a known DEM."""

from __future__ import annotations

import json

import numpy as np
import pytest
from _demfiles import from_origin, write_raster

from lupex.cli import main
from lupex.terrain import dem_summary, read_dem


def _cli(argv: list[str]) -> int:
    """Run ``lupex ARGV`` and return the exit status (0 on success, whether main returns or exits)."""
    try:
        main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def _dem_file(tmp_path):
    # 30 x 40 px of 100 m, top-left corner (x=-2000, y=+1500): a plane rising 0.1 m/m to the east
    # (slope atan(0.1 k) = 5.711 deg, k = 1.0000008 near the pole) with one hole of 4 px
    _, c = np.mgrid[0:30, 0:40]
    z = (200.0 + 0.1 * (c * 100.0)).astype("float32")
    z[10:12, 10:12] = np.nan
    return write_raster(tmp_path / "dem.tif", z, transform=from_origin(-2000.0, 1500.0, 100.0, 100.0))


def test_dem_summary_values(tmp_path):
    s = dem_summary(read_dem(_dem_file(tmp_path)))
    assert s["crs"] == "IAU_2015:30135"
    assert s["size_px"] == [30, 40] and s["pixel_m"] == [100.0, 100.0]
    assert s["extent_km"] == pytest.approx({"x_min": -2.0, "x_max": 2.0, "y_min": -1.5, "y_max": 1.5})
    # the grid contains the pole: the maximum |lat| is within one pixel of 90 S
    assert s["latitude_deg"]["min"] > -90.0 and s["latitude_deg"]["min"] < -89.99
    assert s["elevation_m"]["min"] == pytest.approx(200.0)
    assert s["elevation_m"]["max"] == pytest.approx(590.0)
    assert s["slope_deg"]["median"] == pytest.approx(np.degrees(np.arctan(0.1)), abs=0.01)
    assert s["slope_deg"]["baseline_m"] == 200.0
    assert s["nodata_pixels"] == 4 and s["filled_pixels"] == 4 and s["filled_holes"] == 1
    json.dumps(s)  # JSON-serialisable


def test_cli_info_json_and_table(tmp_path, capsys):
    p = _dem_file(tmp_path)
    assert _cli(["terrain", "info", str(p), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["size_px"] == [30, 40] and out["filled_pixels"] == 4
    assert _cli(["terrain", "info", str(p)]) == 0
    text = capsys.readouterr().out
    assert "IAU_2015:30135" in text and "30 rows x 40 columns" in text


def test_cli_info_refusals_exit_2_with_one_line(tmp_path, capsys):
    p = write_raster(tmp_path / "earth.tif", np.zeros((5, 5), "float32"), crs="EPSG:3031")
    assert _cli(["terrain", "info", str(p)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "earth.tif: CRS is EPSG:3031" in err and "--crs" in err
    assert _cli(["terrain", "info", str(tmp_path / "missing.tif")]) == 2
    assert "missing.tif: file not found" in capsys.readouterr().err
    assert _cli(["terrain", "info", str(p), "--format", "xml"]) == 2


def test_cli_info_crs_and_units_options(tmp_path, capsys):
    p = write_raster(tmp_path / "nocrs.tif", np.full((6, 6), 1.5, "float32"), crs=None)
    assert _cli(["terrain", "info", str(p), "--crs", "IAU_2015:30135", "--units", "km",
                 "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["elevation_m"]["min"] == pytest.approx(1500.0)
