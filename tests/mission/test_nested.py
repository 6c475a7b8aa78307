"""The nested mission grid: the refined DEM, a site DEM, and horizons through all levels."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lupex.errors import InputFileError, ParameterError


@pytest.fixture(scope="module")
def regional():
    from lupex.terrain import synthetic_south_pole

    return synthetic_south_pole(size_km=16.0, pixel_m=80.0, seed=7)


def _centre(dem, i, j):
    return float(dem.x[j]), float(dem.y[i])


def test_refined_dem_keeps_the_regional_block_means_and_adds_lunar_roughness(regional) -> None:
    from lupex.terrain import block_mean, rms_slope_deg
    from lupex.terrain.nested import refine_dem
    from lupex.terrain.synth import target_rms_slope_deg

    # a plain (regional RMS slope 6 deg at 80 m), away from the big crater's walls
    c = _centre(regional, 110, 20)
    fine = refine_dem(regional, c, 800.0, 10.0, seed=1)
    assert fine.shape == (168, 168)  # 21 regional pixels x 8
    assert abs(float(fine.x[1] - fine.x[0]) - 10.0) < 1e-9
    # the block means are the regional DEM's: the detail is zero-mean at the regional scale
    # (bicubic spline vs block mean and the taken-out smooth part leave < 1 m RMS here)
    bm = block_mean(fine, 8)
    reg = regional.sel(x=bm.x, y=bm.y, method="nearest")
    assert np.allclose(reg.x.values, bm.x.values) and np.allclose(reg.y.values, bm.y.values)
    d = bm.values - reg.values
    assert abs(d.mean()) < 0.3 and math.sqrt(float(np.mean(d**2))) < 1.0
    # at 10 m the terrain is as rough as the Moon's highlands at 10 m: Rosenburg et al. 2011's
    # RMS slope scaling (8.99 deg at 10 m from 7.5 deg at 25 m, H = 0.8), within 15 % (the
    # regional slopes add to the target, the realisation is one draw)
    want = target_rms_slope_deg(10.0)
    got = rms_slope_deg(fine, 10.0)
    smooth = refine_dem(regional, c, 800.0, 10.0, detail=False)
    assert abs(got - want) < 0.15 * want, (got, want)
    assert got - rms_slope_deg(smooth, 10.0) > 2.0  # the spline alone is too smooth (6.2 deg)
    # deterministic per seed; another seed another realisation
    again = refine_dem(regional, c, 800.0, 10.0, seed=1)
    other = refine_dem(regional, c, 800.0, 10.0, seed=2)
    assert np.array_equal(fine.values, again.values)
    assert float(np.abs(fine.values - other.values).max()) > 1.0


def test_refined_dem_refuses_bad_grids(regional) -> None:
    from lupex.terrain.nested import refine_dem

    c = _centre(regional, 100, 100)
    with pytest.raises(ParameterError, match="whole multiple"):
        refine_dem(regional, c, 500.0, 30.0)
    with pytest.raises(ParameterError, match="nested_half_width_m"):
        refine_dem(regional, (1e7, 1e7), 500.0, 10.0)
    with pytest.raises(ParameterError, match="4096"):
        refine_dem(regional, c, 8000.0, 1.0)


def test_site_dem_from_a_file_is_cropped_and_checked(regional, tmp_path) -> None:
    from lupex.terrain import write_dem
    from lupex.terrain.nested import nested_from_file, refine_dem

    c = _centre(regional, 100, 100)
    site = refine_dem(regional, c, 1200.0, 20.0, seed=3)
    path = write_dem(site, tmp_path / "site.tif")
    got = nested_from_file(path, regional, c, 600.0)
    assert got.shape[0] < site.shape[0] and abs(float(got.x[1] - got.x[0]) - 20.0) < 1e-6
    sub = site.sel(x=got.x, y=got.y)
    assert np.allclose(sub.values, got.values)
    with pytest.raises(InputFileError, match="needs x"):
        nested_from_file(path, regional, c, 3000.0)
    with pytest.raises(InputFileError, match="not finer"):
        nested_from_file(write_dem(regional, tmp_path / "coarse.tif"), regional, c, 600.0)
    wrong = site.rio.write_crs("IAU_2015:30130")  # the north polar projection
    with pytest.raises(InputFileError, match="CRS"):
        nested_from_file(write_dem(wrong, tmp_path / "wrong.tif"), regional, c, 600.0)


def test_nested_horizons_see_the_region_through_the_regional_dem(regional) -> None:
    from lupex.horizon import horizon_map, prepare_horizon, ray_march_horizon
    from lupex.mission.nested import NestedSpec, far_levels, nested_dem, nested_horizons

    c = _centre(regional, 50, 150)  # on the plain by the big crater: its rim sets horizons
    spec = NestedSpec(pixel_m=16.0, half_width_m=600.0, detail=False, n_azimuths=72)
    fine = nested_dem(regional, c, spec)
    hor = nested_horizons(fine, regional, spec)
    # 1. the engine through the levels (nested DEM, then the regional DEM) against a fine
    # 3-D ray march through the same levels: the engine's own budget, 0.02 deg RMS
    levels, reach = far_levels(regional, spec)
    prep = prepare_horizon(fine, far_field=levels, far_field_radius_km=reach,
                           align_far_field=False)
    rng = np.random.default_rng(0)
    pts = np.stack([rng.integers(0, fine.shape[0], 25), rng.integers(0, fine.shape[1], 25)], 1)
    ref = np.asarray(ray_march_horizon(prep, pts, azimuths=hor.azimuth.values))
    d = hor.values[:, pts[:, 0], pts[:, 1]].T - ref
    assert math.sqrt(float(np.mean(d**2))) < 0.02
    # 2. on the bilinear refinement (the very surface the engine draws between regional pixel
    # centres) the nested grid sees, at the regional pixel centres (ratio 5: the middle
    # nested pixel), the regional horizons: measured 0.07 deg RMS, median 0.000 (the rest is
    # the regional engine's own near field at 80 m); the bicubic default differs by up to
    # degrees where the spline bulges above the chords of steep slopes, which is the point
    from lupex.terrain.nested import refine_dem

    lin = refine_dem(regional, c, 600.0, 16.0, detail=False, order=1)
    mid = nested_horizons(lin, regional, spec).isel(y=slice(2, None, 5), x=slice(2, None, 5))
    reg = horizon_map(regional, n_azimuths=72)
    r = reg.sel(x=mid.x, y=mid.y, method="nearest")
    assert np.allclose(r.x.values, mid.x.values)
    d = mid.values - r.values
    assert np.median(np.abs(d)) < 0.01 and math.sqrt(float(np.mean(d**2))) < 0.1
    # without the regional level the nested grid would not see the crater rim 5+ km away:
    # 1.8 deg RMS, median 0.2 deg
    alone = horizon_map(lin, n_azimuths=72).isel(y=slice(2, None, 5), x=slice(2, None, 5))
    assert math.sqrt(float(np.mean((alone.values - r.values) ** 2))) > 1.0


def test_real_site_dem_nested_in_the_real_regional_dem(lola_shackleton, lola_ridge) -> None:
    # LOLA: the 40 m crop of Shackleton's rim as the site DEM inside the 200 m crop; the
    # nested horizons through both levels against a fine ray march through the same levels
    # (the engine's 0.02 deg RMS budget), and the 200 m level matters: without it the rim
    # site misses the far side of Shackleton and the ridge
    from lupex.horizon import horizon_map, ray_march_horizon
    from lupex.mission.nested import NestedSpec, nested_dem, nested_horizons, nested_prepared
    from lupex.terrain import read_dem

    regional = read_dem(lola_shackleton)
    site = read_dem(lola_ridge)
    c = (float(site.x[128]), float(site.y[128]))
    spec = NestedSpec(pixel_m=None, half_width_m=1500.0, dem_path=str(lola_ridge),
                      n_azimuths=48)
    fine = nested_dem(regional, c, spec)
    assert abs(float(fine.x[1] - fine.x[0]) - 40.0) < 1e-6 and fine.shape[0] >= 75
    hor = nested_horizons(fine, regional, spec)
    prep, _reach = nested_prepared(fine, regional, spec)
    rng = np.random.default_rng(1)
    pts = np.stack([rng.integers(0, fine.shape[0], 20), rng.integers(0, fine.shape[1], 20)], 1)
    ref = np.asarray(ray_march_horizon(prep, pts, azimuths=hor.azimuth.values))
    d = hor.values[:, pts[:, 0], pts[:, 1]].T - ref
    assert math.sqrt(float(np.mean(d**2))) < 0.02
    alone = horizon_map(fine, n_azimuths=48).values[:, pts[:, 0], pts[:, 1]].T
    assert math.sqrt(float(np.mean((alone - ref) ** 2))) > 0.5


def test_a_bad_nested_grid_is_refused_before_any_work(regional, tmp_path) -> None:
    from lupex.mission.nested import NestedSpec, check_spec

    check_spec(regional, NestedSpec(pixel_m=10.0, half_width_m=500.0))
    with pytest.raises(ParameterError, match="nested_pixel_m = 30"):
        check_spec(regional, NestedSpec(pixel_m=30.0, half_width_m=500.0))
    with pytest.raises(InputFileError, match=r"mission\.nested_dem"):
        check_spec(regional, NestedSpec(pixel_m=None, half_width_m=500.0,
                                        dem_path=str(tmp_path / "none.tif")))
