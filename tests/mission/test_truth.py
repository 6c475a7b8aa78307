"""Ground truth: ice only where stable, statistics of the draw, correlation length, seeds."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import xarray as xr
from numpy.testing import assert_allclose
from scipy.optimize import curve_fit

from lupex.errors import ParameterError, ScenarioError
from lupex.mission.random_field import gaussian_random_field
from lupex.mission.truth import make_truth
from lupex.scenario import Scenario
from lupex.scenario.truth import TruthTable


def _maps(ny: int = 120, nx: int = 160, dx: float = 2.0):
    x = 1000.0 + dx * np.arange(nx)
    y = -500.0 - dx * np.arange(ny)  # north-up: y decreasing, as a GeoTIFF
    depth = np.full((ny, nx), np.nan)
    depth[:, nx // 4:] = 0.25          # stable below 25 cm
    depth[:, 3 * nx // 4:] = 0.0       # stable at the surface
    trap = np.zeros((ny, nx), np.uint8)
    trap[:, 7 * nx // 8:] = 1
    trap[0, -1] = 255                  # no data is not a trap
    da = xr.DataArray(depth, dims=("y", "x"), coords={"y": y, "x": x})
    ct = xr.DataArray(trap, dims=("y", "x"), coords={"y": y, "x": x})
    return da, {"CO2": ct}


def test_ice_only_where_stable_and_below_the_stability_depth():
    da, traps = _maps()
    t = make_truth(da, traps, TruthTable(), seed=1)
    unstable = ~np.isfinite(da.values)
    assert np.all(t.ice_wt_pct[unstable] == 0) and np.all(np.isnan(t.ice_top_m[unstable]))
    st = ~unstable
    assert np.all(t.ice_top_m[st] >= da.values[st]) and np.all(t.ice_top_m[st] >= t.lag_thickness_m[st])
    assert_allclose(t.ice_top_m[st], np.maximum(t.lag_thickness_m[st], da.values[st]))
    # a column: dry above ice_top, the field's abundance below
    i, j = np.argwhere(st & (t.ice_wt_pct > 0))[0]
    c = t.column(t.x_m[j], t.y_m[i])
    assert c.h2o_wt_pct_at(0.999 * c.ice_top_m) == 0.0
    assert c.h2o_wt_pct_at(c.ice_top_m + 0.01) == t.ice_wt_pct[i, j]
    # CO2 only inside its trap (uint8 1), nowhere else, and only with water
    co2 = t.species_wt_pct["CO2"]
    trap = traps["CO2"].values == 1
    assert np.all(co2[~trap] == 0) and np.all(co2[trap & (t.ice_wt_pct == 0)] == 0)
    # w * 0.0217 * 44.010 / 18.015 where both are present
    both = trap & (t.ice_wt_pct > 0)
    assert_allclose(co2[both], t.ice_wt_pct[both] * 0.0217 * 44.010 / 18.015, rtol=1e-9)


def test_abundance_statistics_follow_the_table():
    da = xr.DataArray(np.zeros((300, 300)), dims=("y", "x"),
                      coords={"y": np.arange(300.0), "x": np.arange(300.0)})
    tab = TruthTable(correlation_length_m=3.0, max_wt_pct=24.0)
    t = make_truth(da, {}, tab, seed=11)
    w = t.ice_wt_pct
    # covered fraction 0.6 and lognormal(mean 5.6, sd 2.9) where covered (clip at 24 wt% cuts
    # 1e-5 of the mass). ~(300/3)^2 = 1e4 independent patches: errors ~1 % on the fraction and
    # mean, ~3 % on the sd; tolerances at ~3 sigma
    assert_allclose((w > 0).mean(), 0.6, atol=0.03)
    assert_allclose(w[w > 0].mean(), 5.6, rtol=0.04)
    assert_allclose(w[w > 0].std(), 2.9, rtol=0.1)
    lag = t.lag_thickness_m
    assert lag.min() >= 0.02 and lag.max() <= 0.3
    assert_allclose(lag.mean(), 0.16, atol=0.01)  # uniform on [0.02, 0.3]


def _fit_length(field: np.ndarray, max_lag: int = 24) -> tuple[float, float]:
    # Matheron's semivariogram along x and y, written here independently of the module
    h = np.arange(1, max_lag + 1)
    g = np.array([0.25 * (np.mean((field[:, k:] - field[:, :-k]) ** 2)
                          + np.mean((field[k:] - field[:-k]) ** 2)) for k in h])
    (sill, length), _ = curve_fit(lambda r, s, L: s * (1 - np.exp(-r / L)), h.astype(float), g,
                                  p0=[1.0, 5.0])
    return sill, length


def test_correlation_length_recovered_from_the_variogram():
    # authority: gamma(r) = 1 - exp(-r / L) of the exponential covariance. Averaged over 4
    # fields of 256^2 the fitted L scatters by ~4 % and the sill by ~3 % (measured over 20
    # seeds): tolerances of 12 % and 10 % are ~3 sigma.
    fits = np.array([_fit_length(gaussian_random_field((256, 256), (1.0, 1.0), 8.0,
                                                       np.random.default_rng(s)))
                     for s in range(4)])
    sill, length = fits.mean(axis=0)
    assert_allclose(length, 8.0, rtol=0.12)
    assert_allclose(sill, 1.0, rtol=0.10)
    # deliberately wrong: a field made with L = 16 m does not pass as L = 8 m
    wrong = _fit_length(gaussian_random_field((256, 256), (1.0, 1.0), 16.0,
                                              np.random.default_rng(0)), max_lag=48)[1]
    assert not np.isclose(wrong, 8.0, rtol=0.12)


def test_correlation_length_in_the_truth_field_itself():
    # the abundance field is a monotone transform of the Gaussian one: its normal scores
    # Phi^-1(u) on the fully covered case carry the same L
    from scipy import stats

    da = xr.DataArray(np.zeros((256, 256)), dims=("y", "x"),
                      coords={"y": np.arange(256.0), "x": np.arange(256.0)})
    tab = TruthTable(correlation_length_m=8.0, ice_area_fraction=1.0, distribution="uniform",
                     mean_wt_pct=10.0, sd_wt_pct=5.0)
    t = make_truth(da, {}, tab, seed=5)
    half = math.sqrt(3.0) * 5.0
    z = stats.norm.ppf((t.ice_wt_pct - (10.0 - half)) / (2 * half))
    assert_allclose(_fit_length(z)[1], 8.0, rtol=0.2)  # one field: ~8 % scatter, 2.5 sigma


def test_same_seed_same_truth_and_a_finer_grid():
    da, traps = _maps()
    a = make_truth(da, traps, TruthTable(), seed=7)
    b = make_truth(da, traps, TruthTable(), seed=7)
    c = make_truth(da, traps, TruthTable(), seed=8)
    for k in ("ice_wt_pct", "lag_thickness_m"):
        assert np.array_equal(getattr(a, k), getattr(b, k))
    assert not np.array_equal(a.ice_wt_pct, c.ice_wt_pct)
    # a 0.5 m nested grid inside the 2 m map: the stability depth comes from the nearest pixel
    gx = np.arange(1100.0, 1200.0, 0.5)
    gy = np.arange(-520.0, -600.0, -0.5)
    f = make_truth(da, traps, TruthTable(), seed=7, grid=(gx, gy))
    assert f.ice_wt_pct.shape == (gy.size, gx.size)
    assert np.all(np.isnan(f.ice_top_m[:, gx < 1079.0])) and np.all(f.ice_top_m[:, gx > 1081] >= 0.25)
    ds = f.to_dataset()
    assert ds["ice_wt_pct"].attrs["units"] == "wt%" and ds.attrs["seed"] == 7
    assert len(f.footprint(1150.0, -550.0, 1.5)) == 9  # pixel centres within 0.75 m


def test_bad_inputs_are_one_clear_error():
    da, traps = _maps()
    t = make_truth(da, traps, TruthTable(), seed=0)
    with pytest.raises(ParameterError, match="outside the truth grid"):
        t.column(0.0, 0.0)
    with pytest.raises(ParameterError, match="beyond the volatiles map"):
        make_truth(da, traps, TruthTable(), seed=0, grid=(np.arange(0.0, 10.0), np.arange(3.0)))
    with pytest.raises(ScenarioError, match=re.escape("max_wt_pct = 30.0 exceeds the 24.2 wt%")):
        Scenario.from_dict({"truth": {"max_wt_pct": 30.0}})


def test_boolean_cold_traps_and_unknown_species():
    da, traps = _maps()
    boolean = {"CO2": traps["CO2"] == 1}
    a = make_truth(da, traps, TruthTable(), seed=3)
    b = make_truth(da, boolean, TruthTable(), seed=3)
    assert np.array_equal(a.species_wt_pct["CO2"], b.species_wt_pct["CO2"])
    with pytest.raises(ParameterError, match="unknown species 'XY'"):
        make_truth(da, {"XY": traps["CO2"]}, TruthTable(species_molar_ratio={"XY": 0.1}), seed=3)
