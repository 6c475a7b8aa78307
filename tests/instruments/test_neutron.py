"""Neutron spectrometer: noiseless inversion, buried-layer closed form, 1/sqrt(t) noise."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from lupex.errors import ParameterError
from lupex.instruments import Column, neutron
from lupex.instruments.neutron import NeutronSpec

SPEC = NeutronSpec()


@pytest.mark.parametrize(("w", "lag"), [(0.0, 0.1), (1.0, 0.0), (5.6, 0.2), (15.0, 0.6)])
def test_noiseless_recovers_the_buried_layer_closed_form(w, lag):
    # authority: a dry layer D over a half-space W gives W exp(-rho D / L) (rho D in g/cm2),
    # written here independently of the layer sum in the module
    col = Column.two_layer(w, lag)
    m = neutron.measure(col, spec=SPEC)
    expected = w * math.exp(-1.5 * (lag * 100.0) / SPEC.attenuation_g_cm2)
    assert_allclose(m.weh_wt_pct, expected, rtol=1e-12, atol=1e-12)
    assert_allclose(m.weh_true_wt_pct, expected, rtol=1e-12, atol=1e-12)
    # with the lag known (e.g. from the radar) the half-space abundance comes back exactly
    back = neutron.buried_weh_wt_pct(m.weh_wt_pct, lag, attenuation_g_cm2=SPEC.attenuation_g_cm2,
                                     dry_density_kg_m3=1500.0)
    assert_allclose(back, w, rtol=1e-12, atol=1e-12)


def test_count_rate_halves_at_w_half_and_inverts():
    # the hyperbola C_dry / (1 + W / W_half): half the dry rate at W_half (by definition)
    assert_allclose(neutron.count_rate_cps(SPEC.weh_half_wt_pct, dry_count_rate_cps=30.0,
                                           weh_half_wt_pct=SPEC.weh_half_wt_pct), 15.0)
    w = np.array([0.0, 0.3, 2.0, 10.0])
    r = neutron.count_rate_cps(w, dry_count_rate_cps=30.0, weh_half_wt_pct=6.0)
    assert_allclose(neutron.weh_from_count_rate(r, dry_count_rate_cps=30.0, weh_half_wt_pct=6.0),
                    w, atol=1e-12)


def test_ammonia_counts_by_its_hydrogen():
    # 3 H per 17.031 g against 2 H per 18.015 g: 1 wt% NH3 = 1.5866 wt% WEH (hand computed)
    assert_allclose(neutron.weh_factor("NH3"), 3 / 17.031 * 18.015 / 2, rtol=1e-12)
    assert neutron.weh_factor("CO2") == 0.0
    col = Column.two_layer(2.0, 0.0, species_wt_pct={"NH3": 1.0, "CO2": 3.0})
    assert_allclose(neutron.measure(col).weh_wt_pct, 2.0 + 1.5866, rtol=1e-4)


def test_counting_noise_shrinks_as_one_over_sqrt_time():
    col = Column.two_layer(5.6, 0.1)
    spreads, reported = [], []
    for t in (150.0, 600.0, 2400.0):
        rng = np.random.default_rng(42)
        draws = [neutron.measure(col, rng=rng, duration_s=t) for _ in range(3000)]
        spreads.append(np.std([d.weh_wt_pct for d in draws], ddof=1))
        reported.append(np.mean([d.weh_sigma_wt_pct for d in draws]))
    spreads = np.array(spreads)
    # 4x the time halves the spread. The std of 3000 draws has a relative error of
    # 1/sqrt(2*2999) = 1.3 %, a ratio of two ~1.8 %: 6 % is > 3 sigma.
    assert_allclose(spreads[:-1] / spreads[1:], [2.0, 2.0], rtol=0.06)
    # the reported 1-sigma (Poisson propagated) matches the measured spread (same 1.3 % error)
    assert_allclose(reported, spreads, rtol=0.05)
    # deliberately wrong law: a 1/t noise would make the ratio 4, which the data refuse
    assert not np.allclose(spreads[:-1] / spreads[1:], [4.0, 4.0], rtol=0.06)


def test_drive_averages_the_rates_of_the_columns():
    dry, wet = Column.two_layer(0.0, math.nan), Column.two_layer(6.0, 0.0)
    m = neutron.measure([dry, wet], duration_s=100.0)
    # mean rate (30 + 15) / 2 = 22.5 c/s -> W = 6 (30 / 22.5 - 1) = 2 wt% (not the mean WEH 3)
    assert_allclose(m.count_rate_cps, 22.5)
    assert_allclose(m.weh_wt_pct, 2.0, rtol=1e-12)
    assert m.n_columns == 2 and m.data_mb == pytest.approx(SPEC.data_mb)
    assert_allclose(m.energy_wh, SPEC.power_w * 100.0 / 3600.0)


def test_bad_input_is_one_clear_error():
    with pytest.raises(ParameterError, match="duration_s"):
        neutron.measure(Column.two_layer(1.0, 0.1), duration_s=0.0)
    with pytest.raises(ParameterError, match="no columns"):
        neutron.measure([])
