"""`lupex thermal maps DEM --out DIR` then `lupex volatiles maps DIR`: the run-folder pipeline."""

from __future__ import annotations

import numpy as np
import pytest
import rioxarray
from test_thermal_maps import _flat_dem

from lupex.io.geotiff import write_geotiff
from lupex.thermal.maps import open_thermal
from lupex.volatiles import (
    STABLE_AT_DEPTH,
    STABLE_AT_SURFACE,
    UNSTABLE_IN_GRID,
    ice_stability_depth,
)


def test_thermal_then_volatiles_maps(tmp_path, cli_main):
    dem_path = write_geotiff(_flat_dem(n=4), tmp_path / "dem.tif")
    run = tmp_path / "run"
    cli_main(["thermal", "maps", str(dem_path), "--start", "2028-01-01T00:00", "--stop",
              "2028-01-02T00:00", "--step", "6h", "--out", str(run), "--horizons", "flat",
              "--depth-m", "0.1", "--spinup-days", "5"])
    tmax = rioxarray.open_rasterio(run / "maps" / "t_surface_max_k.tif").squeeze()
    assert tmax.shape == (4, 4) and np.isfinite(tmax.values).all()
    assert (run / "maps" / "t_0.1m_mean_k.tif").exists()
    th = open_thermal(run)
    cli_main(["volatiles", "maps", str(run), "--species", "H2O", "--species", "CO"])
    cls = rioxarray.open_rasterio(run / "maps" / "ice_stability_class.tif").squeeze().values
    depth = rioxarray.open_rasterio(run / "maps" / "ice_stability_depth_m.tif").squeeze().values
    ref_d, ref_c = ice_stability_depth(th["t_max_nodes_k"].transpose("y", "x", "node_depth_m").values,
                                       th["node_depth_m"].values)
    np.testing.assert_array_equal(cls, ref_c)
    np.testing.assert_allclose(depth, ref_d.astype(np.float32), equal_nan=True)
    assert set(np.unique(cls)) <= {STABLE_AT_SURFACE, STABLE_AT_DEPTH, UNSTABLE_IN_GRID}
    co = rioxarray.open_rasterio(run / "maps" / "cold_trap_CO.tif").squeeze().values
    assert (co == 0).all()  # nowhere on the Moon's sunlit-horizon pole is cold enough for CO


def test_volatiles_maps_without_thermal_output_is_one_clear_error(tmp_path, cli_main, capsys):
    with pytest.raises(SystemExit) as e:
        cli_main(["volatiles", "maps", str(tmp_path)])
    assert e.value.code == 2 and "lupex thermal maps" in capsys.readouterr().err


def test_corrupt_thermal_store_is_one_clear_error(tmp_path, cli_main, capsys):
    store = tmp_path / "cache" / "thermal.zarr"
    store.mkdir(parents=True)
    (store / "zarr.json").write_text("{ not json")
    with pytest.raises(SystemExit) as e:
        cli_main(["volatiles", "maps", str(tmp_path)])
    assert e.value.code == 2 and "unreadable" in capsys.readouterr().err
