"""write_dem -> read_dem round trip; the written file is a lunar-CRS COG with provenance."""

from __future__ import annotations

import json

import numpy as np
import pyproj
import pytest
import rasterio
from _demfiles import SOUTH, grid_dem
from numpy.testing import assert_allclose

from lupex.errors import CrsError, DemError
from lupex.terrain import crs_label, read_dem, write_dem


def _dem():
    rng = np.random.default_rng(3)
    da = grid_dem(lambda X, Y: 0.01 * X - 0.02 * Y, x0_m=5000.0, y0_m=-3000.0, pixel_m=40.0, n=64)
    da = da.copy(data=(da.values + rng.normal(0, 5, da.shape)).astype("float32"))
    da.attrs.update(seed=7, pixel_m=40.0, generator="test", flag=True)
    return da


def test_round_trip_values_crs_attrs(tmp_path):
    da = _dem()
    p = write_dem(da, tmp_path / "out" / "dem.tif")
    back = read_dem(p)
    assert_allclose(back.values, da.values, rtol=0, atol=0)  # float32 stored losslessly
    assert_allclose(back["x"].values, da["x"].values)
    assert_allclose(back["y"].values, da["y"].values)
    assert crs_label(back) == SOUTH
    for k in ("seed", "pixel_m", "generator", "flag", "long_name", "units"):
        assert back.attrs[k] == da.attrs[k], k
    assert type(back.attrs["seed"]) is int and type(back.attrs["pixel_m"]) is float
    prov = json.loads(back.attrs["source_provenance"])
    assert prov["call"] == "lupex.terrain.write_dem" and "lupex_version" in prov


def test_written_file_is_a_lunar_cog(tmp_path):
    p = write_dem(_dem(), tmp_path / "dem.tif")
    with rasterio.open(p) as ds:
        assert ds.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG"
        crs = pyproj.CRS.from_user_input(ds.crs.to_wkt())
        assert crs.ellipsoid.semi_major_metre == pytest.approx(1737400.0)
        assert crs.is_projected
        assert "LUPEX_PROVENANCE" in ds.tags()
        assert ds.tags()["units"] == "m"
    # atomic write: nothing but the file is left in the folder
    assert sorted(q.name for q in tmp_path.iterdir()) == ["dem.tif"]


def test_round_trip_keeps_nan_as_nodata(tmp_path):
    da = _dem()
    v = da.values.copy()
    v[3, 4] = np.nan
    p = write_dem(da.copy(data=v), tmp_path / "nan.tif")
    back = read_dem(p)
    assert back.attrs["nodata_pixels"] == 1 and back.attrs["filled_pixels"] == 1
    assert np.isfinite(back.values).all()


def test_write_refuses_earth_crs_and_wrong_dims(tmp_path):
    da = _dem()
    with pytest.raises(CrsError, match="Earth"):
        write_dem(da.rio.write_crs("EPSG:3031"), tmp_path / "e.tif")
    with pytest.raises(DemError, match="dims"):
        write_dem(da.transpose("x", "y"), tmp_path / "t.tif")
    assert not any(tmp_path.iterdir())


def test_numpy_scalar_attrs_survive(tmp_path):
    da = _dem()
    da.attrs.update(n_craters=np.int64(12), rms=np.float32(1.5))
    back = read_dem(write_dem(da, tmp_path / "np.tif"))
    assert back.attrs["n_craters"] == 12 and back.attrs["rms"] == 1.5
