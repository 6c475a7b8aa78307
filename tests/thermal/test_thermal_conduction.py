"""The 1-D conduction model against published values, closed forms and itself at other steps."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from numpy.testing import assert_allclose

from lupex.errors import ParameterError
from lupex.thermal import (
    SYNODIC_MONTH_S,
    RegolithParams,
    equilibrate,
    idealized_diurnal_flux,
    initial_state,
    integrate,
    layer_grid,
    simulate,
)
from lupex.thermal.params import contact_conductivity

HOUR_STEPS = 708  # ~1 h steps over the 29.53-day lunar day


def _equator(params=RegolithParams(), n=HOUR_STEPS, depths=(0.0,)):
    flux, hours = idealized_diurnal_flux(0.0, n, params=params)
    stats, info = simulate(flux, dt_s=SYNODIC_MONTH_S / n, params=params, depths_m=depths,
                           series_columns=[0])
    return hours, stats, info


def _at(hours, series, h):
    return float(np.interp(h, hours, series, period=24.0))


def test_equatorial_curve_matches_hayne_2017_table_a2():
    # Authority: Hayne et al. (2017) Table A2, standard model at the equator, 1 AU: noon ~385 K,
    # midnight ~101 K, pre-dawn ~95 K. Tolerance 3 K: the published values are rounded and come
    # from a different discretisation (heat1d; see docs/thermal.md for the side-by-side run).
    hours, stats, info = _equator()
    s = stats.series_k[0, :, 0]
    assert info.converged
    assert_allclose(_at(hours, s, 0.0), 385.0, atol=3.0)    # noon
    assert_allclose(_at(hours, s, 12.0), 101.0, atol=3.0)   # midnight
    assert_allclose(_at(hours, s, 17.9), 95.0, atol=3.0)    # pre-dawn (6 min before sunrise)


def test_equatorial_curve_with_a_wrong_albedo_fails():
    # the same check must fail for a wrong input: albedo 0.3 instead of 0.12 cools noon by ~20 K
    hours, stats, _ = _equator(replace(RegolithParams(), albedo0=0.3))
    with pytest.raises(AssertionError):
        assert_allclose(_at(hours, stats.series_k[0, :, 0], 0.0), 385.0, atol=3.0)


def test_implicit_scheme_one_hour_steps_match_five_minute_steps():
    # Stability and accuracy at large steps: dt = 1 h and dt = 5 min agree within 1 K at every
    # common instant (the largest difference, ~0.6 K, is at sunrise) and at depth.
    _, s1, _ = _equator(n=HOUR_STEPS, depths=(0.0, 0.05, 0.3))
    _, s2, _ = _equator(n=HOUR_STEPS * 12, depths=(0.0, 0.05, 0.3))
    fine = s2.series_k[0][11::12]
    assert_allclose(s1.series_k[0], fine, atol=1.0)
    assert_allclose(s1.t_mean_k, s2.t_mean_k, atol=0.2)


def test_accelerated_spinup_reaches_the_brute_force_periodic_state():
    # Authority: the plain time-marching run to the periodic state (135 lunar days, drift
    # < 1e-4 K per day). The accelerated spin-up must land on it within 0.02 K everywhere.
    flux, _ = idealized_diurnal_flux(0.0, 354)
    dt = SYNODIC_MONTH_S / 354
    fast, info = equilibrate(flux, dt_s=dt)
    slow, info_slow = equilibrate(flux, dt_s=dt, accelerate=False, max_cycles=600, tol_k=1e-4)
    assert info.cycles <= 10 and info.converged
    assert info_slow.cycles > 50
    assert info.bottom_drift_k_per_year < 0.05
    assert_allclose(fast.t_k, slow.t_k, atol=0.02)
    # and 30 plain cycles are not enough (the test can fail): off by ~0.8 K at depth
    short, _ = equilibrate(flux, dt_s=dt, accelerate=False, max_cycles=30)
    assert np.abs(short.t_k - slow.t_k).max() > 0.2


def _uniform_params(**kw):
    # constant properties: no radiative conductivity, no depth profile, constant heat capacity
    base = dict(rho_surface_kg_m3=1500.0, rho_deep_kg_m3=1500.0, k_surface_w_m_k=2e-3,
                k_deep_w_m_k=2e-3, chi=0.0, geothermal_flux_w_m2=0.0,
                heat_capacity_coeffs=(600.0, 0.0, 0.0, 0.0, 0.0))
    base.update(kw)
    return replace(RegolithParams(), **base)


def test_small_periodic_flux_matches_the_linear_closed_form():
    # Authority: the closed-form periodic solution of the linear heat equation in a half-space
    # with a linearised radiative boundary: for F = F0 + dF cos(wt),
    #   T(z,t) = Tm + Re[theta exp(i w t - (1+i) z / d)],  d = sqrt(2 kappa / w),
    #   theta = dF / (4 eps sigma Tm^3 + k (1+i) / d).
    # Tolerance 2 % of the amplitude: the T^4 nonlinearity at dF/F0 = 1 % and the grid.
    p = _uniform_params()
    tm = 250.0
    eps_sigma = p.emissivity * 5.670374419e-8
    f0, df = eps_sigma * tm**4, 3.0
    period = SYNODIC_MONTH_S
    n = 2000
    t = (np.arange(n) + 1) * period / n
    flux = f0 + df * np.cos(2 * np.pi * t / period)
    grid = layer_grid(p, layers_per_skin_depth=20, growth_n=20.0, skin_depths_to_bottom=12)
    stats, _ = simulate(flux, dt_s=period / n, params=p, grid=grid, depths_m=[0.0, 0.03],
                        series_columns=[0])
    w = 2 * np.pi / period
    kappa = 2e-3 / (1500.0 * 600.0)
    d = np.sqrt(2 * kappa / w)

    def closed(k_w_m_k):
        theta = df / (4 * eps_sigma * tm**3 + k_w_m_k * (1 + 1j) / d)
        return np.array([tm + np.real(theta * np.exp(1j * w * t - (1 + 1j) * z / d))
                         for z in (0.0, 0.03)]).T

    amp = np.abs(df / (4 * eps_sigma * tm**3 + 2e-3 * (1 + 1j) / d))
    assert_allclose(stats.series_k[0], closed(2e-3), atol=0.02 * amp)
    with pytest.raises(AssertionError):  # a wrong conductivity (x4) fails the same check
        assert_allclose(stats.series_k[0], closed(8e-3), atol=0.02 * amp)


def test_steady_state_carries_the_geothermal_gradient():
    # Authority: steady conduction, T(z) = T(0) + integral_0^z Qb / K_c(z') dz' (chi = 0), with
    # T(0) = ((F + Qb) / (eps sigma))^(1/4). Tolerance 1 mK: quadrature of the 1/K_c profile.
    p = replace(RegolithParams(), chi=0.0)
    grid = layer_grid(p)
    f = 50.0
    flux = np.full(100, f)
    state, _ = equilibrate(flux, dt_s=SYNODIC_MONTH_S / 100, params=p, grid=grid, tol_k=1e-5)
    z = grid.z_m
    zz = np.linspace(0, z[-1], 20001)
    integral = np.concatenate([[0], np.cumsum(np.diff(zz) * p.geothermal_flux_w_m2
                                              / contact_conductivity(0.5 * (zz[1:] + zz[:-1]), p))])
    ts = ((f + p.geothermal_flux_w_m2) / (p.emissivity * 5.670374419e-8)) ** 0.25
    assert_allclose(state.t_k[0, 0], ts, atol=1e-3)
    assert_allclose(state.t_k[0] - state.t_k[0, 0], np.interp(z, zz, integral), atol=2e-3)
    assert state.t_k[0, -1] - state.t_k[0, 0] > 1.0  # warmer at depth: the flux points up


def test_permanently_shadowed_column_spins_up_to_the_geothermal_equilibrium():
    # Authority: with no sunlight the periodic state is steady: eps sigma T_s^4 = Q_b, i.e.
    # T_s = 24.04 K. The surface of such a cold column relaxes over years (its emission changes
    # by only 4 eps sigma T^3 = 3e-3 W m-2 per K), so the spin-up needs the surface-balance
    # Newton step; 0.01 K within 10 annual periods. Plain time stepping is still 0.02 K off
    # after 40 years.
    from lupex.thermal import YEAR_S

    p = RegolithParams()
    ts = (p.geothermal_flux_w_m2 / (p.emissivity * 5.670374419e-8)) ** 0.25
    flux = np.zeros((365, 1))
    state, info = equilibrate(flux, dt_s=YEAR_S / 365, max_cycles=10)
    assert info.converged
    assert_allclose(state.t_k[0, 0], ts, atol=0.01)


def test_columns_are_independent_and_callable_flux_equals_array():
    flux, _ = idealized_diurnal_flux(0.0, 200)
    three = np.stack([flux, 0.5 * flux, np.zeros_like(flux) + 2.0], axis=1)
    dt = SYNODIC_MONTH_S / 200
    st = initial_state(three.mean(axis=0))
    together = integrate(three, st, dt_s=dt, depths_m=[0, 0.1])
    for c in range(3):
        one = integrate(three[:, c], type(st)(st.t_k[c:c + 1], st.grid, st.params), dt_s=dt,
                        depths_m=[0, 0.1])
        assert_allclose(together.t_max_k[c], one.t_max_k[0], rtol=1e-12)
    streamed = integrate(lambda k: three[k], st, dt_s=dt, n_steps=200, depths_m=[0, 0.1],
                         series_columns=[1])
    assert_allclose(streamed.t_mean_k, together.t_mean_k, rtol=1e-12)
    assert streamed.series_k.shape == (1, 200, 2)


def test_bad_inputs_raise_one_clear_error():
    flux, _ = idealized_diurnal_flux(0.0, 50)
    st = initial_state([100.0])
    bad = flux.copy()
    bad[7] = np.nan
    with pytest.raises(ParameterError, match="NaN"):
        integrate(bad, st, dt_s=3600.0)
    with pytest.raises(ParameterError, match="depths_m"):
        integrate(flux, st, dt_s=3600.0, depths_m=[50.0])
    with pytest.raises(ParameterError, match="dt_s"):
        integrate(flux, st, dt_s=0.0)
    with pytest.raises(ParameterError, match="albedo0"):
        replace(RegolithParams(), albedo0=1.5)


def test_polar_grid_reaches_annual_skin_depths():
    from lupex.thermal import YEAR_S, skin_depth_m
    g = layer_grid(bottom_period_s=YEAR_S)
    assert g.bottom_m >= 2.0                      # >= 20 annual skin depths (~0.10 m each)
    assert g.dz_m[0] < skin_depth_m(SYNODIC_MONTH_S) / 5  # first layer << diurnal skin depth
