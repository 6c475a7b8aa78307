"""Vapour-pressure laws per species against independent published points and laws.

Authorities, all independent of the law under test unless noted:

* NIST Chemistry WebBook (SRD 69) triple points — the fits' own upper end, so a transcription
  or unit error shows there first;
* Stull (1947) solid H2S via the NIST WebBook Antoine fit (138.8-212.8 K);
* other published laws for the same ice, turned into a stability temperature by the same
  Hertz-Knudsen construction: Schörghofer & Williams (2024) for CO2 and NH3, Fray & Schmitt
  (2009) for CO, Brown & Ziegler (1980) for beta-N2 and Wagman (1979) for SO2 (the last two as
  reproduced in the ``frostvap`` routine). We could not read the cold-trap temperature tables of
  Zhang & Paige (2009) or Schörghofer & Williams (2024) themselves; see docs/volatiles.md.
"""

from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np
import pytest
from numpy.testing import assert_allclose

from lupex.volatiles import (
    SPECIES,
    ExtrapolationWarning,
    get_species,
    stability_temperature_k,
    vapor_pressure_pa,
)
from lupex.volatiles import vapor_pressure as vp

BAR, MMHG = 1e5, 101325.0 / 760.0


def _tstab(law_species, loss=1.0):
    return stability_temperature_k(law_species, loss, warn=False)


def _with_law(key, law):
    return replace(get_species(key), law=law)


# --- triple points --------------------------------------------------------------------------
# (T [K], p [Pa], relative tolerance, why)
TRIPLE = {
    "CO2": (216.58, 518.5e3, 0.02, "Fray & Schmitt's high branch ends there; 1 % fit scatter"),
    "NH3": (195.4, 6.06e3, 0.03, "NIST 6.06-6.09 kPa; the one-branch fit is ~1 % off there"),
    "SO2": (197.64, 1.67e3, 0.05, "a 3-parameter fit made for 60-120 K; 5 % in p is 0.3 K"),
    "H2S": (187.7, 23.2e3, 0.03, "a two-parameter fit; 3 % in p is 0.3 K at 188 K"),
    "HCN": (259.9, 18.63e3, 0.03, "phase I two-parameter fit; 3 % in p is 0.3 K"),
    "CH4": (90.69, 11.696e3, 0.03, "Brown & Ziegler's fit; 3 % in p is 0.1 K"),
    "CO": (68.13, 15.35e3, 0.02, "Brown & Ziegler's beta branch ends there"),
    "N2": (63.15, 12.52e3, 0.04, "Fray & Schmitt's beta branch is 2.8 % low there"),
}


@pytest.mark.parametrize("key", sorted(TRIPLE))
def test_law_reproduces_the_nist_triple_point(key):
    t, p, rtol, _why = TRIPLE[key]
    assert_allclose(vapor_pressure_pa(key, t), p, rtol=rtol)


@pytest.mark.parametrize("key", sorted(TRIPLE))
def test_a_unit_slip_fails_the_triple_point_check(key):
    # the same check with the law in mmHg read as Pa (factor 133) must fail for every species
    t, p, rtol, _ = TRIPLE[key]
    wrong = _with_law(key, lambda tt, law=get_species(key).law: law(tt) / MMHG)
    with pytest.raises(AssertionError):
        assert_allclose(wrong.vapor_pressure_pa(t, warn=False), p, rtol=rtol)


def test_h2s_against_stull_1947_inside_the_solid_range():
    # Authority: Stull (1947) via the NIST WebBook Antoine fit, log10(p/bar) = 4.43681 -
    # 829.439 / (T - 25.412), 138.8-212.8 K. 160 K is solid H2S, well inside both fits.
    # 5 %: the Antoine fit spans solid and liquid, Fray & Schmitt only the solid.
    ref = 10 ** (4.43681 - 829.439 / (160.0 - 25.412)) * BAR
    assert_allclose(vapor_pressure_pa("H2S", 160.0), ref, rtol=0.05)
    with pytest.raises(AssertionError):  # a law in mbar read as bar fails
        assert_allclose(vapor_pressure_pa("H2S", 160.0) / 1e3, ref, rtol=0.05)


# --- stability temperature at 1 mm/Gyr vs an independent published law ------------------------
def _poly(coefs, unit):
    def law(t):
        return np.exp(sum(a / t**i for i, a in enumerate(coefs))) * unit
    return law


def _branch(ts, lo, hi):
    def law(t):
        return np.where(t < ts, lo(t), hi(t))
    return law


INDEPENDENT = {
    # key: (independent law, tolerance [K], why)
    "CO2": (lambda t: np.exp(32.61 - 3291.0 / t - 0.7947 * np.log(t)), 1.0,
            "Schörghofer & Williams 2024; both fit low-T CO2 data, 0.3 K apart"),
    "NH3": (lambda t: np.exp(28.71 - 3903.0 / t), 2.0,
            "Schörghofer & Williams 2024 (constant enthalpy) vs Fray & Schmitt's polynomial: 1.4 K"),
    "CO": (_branch(61.55, _poly((10.43, -721.3, -1.074e4, 2.341e5, -2.392e6, 9.478e6), BAR),
                   _poly((10.25, -748.2, -5.843e3, 3.939e4), BAR)), 1.5,
           "Fray & Schmitt 2009's CO fit lies 11x above Brown & Ziegler at 20 K: 0.9 K"),
    "N2": (_poly((16.4302619, -650.497257, -8524.32256, 155914.234, -1063683.00), MMHG), 1.0,
           "Brown & Ziegler 1980 beta-N2 extrapolated below 35.6 K: 0.4 K"),
    "SO2": (lambda t: 1.516e8 * np.exp(-4510.0 / t) * BAR, 4.0,
            "Wagman 1979 is one constant enthalpy (37.5 kJ/mol vs 33 at 70 K): 3.8 K"),
}


@pytest.mark.parametrize("key", sorted(INDEPENDENT))
def test_stability_temperature_matches_an_independent_published_law(key):
    law, tol, _why = INDEPENDENT[key]
    assert_allclose(_tstab(key), _tstab(_with_law(key, law)), atol=tol)


@pytest.mark.parametrize("key", sorted(INDEPENDENT))
def test_a_wrong_unit_fails_the_independent_law_check(key):
    # our law with a factor-100 unit slip (hPa <-> Pa), in the direction away from the
    # independent value, must miss it
    law, tol, _ = INDEPENDENT[key]
    ref = _tstab(_with_law(key, law))
    factor = 0.01 if _tstab(key) > ref else 100.0  # lower p -> higher T_stab
    wrong = _with_law(key, lambda t, f=get_species(key).law: f(t) * factor)
    with pytest.raises(AssertionError):
        assert_allclose(_tstab(wrong), ref, atol=tol)


# --- transcription integrity ------------------------------------------------------------------
SWITCHES = {"CO2": 194.7, "N2": 35.61, "CO": 61.544}


@pytest.mark.parametrize("key", sorted(SWITCHES))
def test_branches_meet_at_the_switch(key):
    # Two fits of one continuous curve meet within their scatter (CO2 1.1 %, N2 2.8 %, CO 0.7 %);
    # a mistyped coefficient in either branch breaks this by far more. 4 %.
    t = SWITCHES[key]
    sp = get_species(key)
    below, above = sp.law(np.array([t - 1e-9])), sp.law(np.array([t]))
    assert_allclose(below, above, rtol=0.04)
    wrong_law = _branch(t, lambda tt: sp.law(tt) * 1.3, sp.law)
    with pytest.raises(AssertionError):
        assert_allclose(wrong_law(np.array([t - 1e-9])), above, rtol=0.04)


@pytest.mark.parametrize("key", sorted(SPECIES))
def test_pressure_rises_with_temperature_and_the_implied_enthalpy_is_physical(key):
    # d ln p / d(1/T) = -dH/R: the fits must keep a positive sublimation enthalpy of a few to
    # ~60 kJ/mol between the stability temperature and the triple point (a polynomial fit that
    # turned over below its data would show here). Branch switches are excluded.
    sp = get_species(key)
    t = np.linspace(0.95 * _tstab(sp), sp.fit_range_k[1], 400)
    t = t[np.all(np.abs(t[:, None] - np.array([*SWITCHES.values(), 170.0])) > 0.5, axis=1)]
    lo, hi = t - 0.01, t + 0.01
    dh_kj = -(np.log(sp.law(hi)) - np.log(sp.law(lo))) / (1.0 / hi - 1.0 / lo) * vp.R_GAS / 1e3
    assert np.all(dh_kj > 5.0) and np.all(dh_kj < 60.0)
    with pytest.raises(AssertionError):  # a law that turns over (p falling with T) fails
        bad = -(np.log(1.0 / sp.law(hi)) - np.log(1.0 / sp.law(lo))) / (1.0 / hi - 1.0 / lo)
        assert np.all(bad * vp.R_GAS / 1e3 > 5.0)


def test_methanol_stays_approximate_because_the_low_t_fit_fails_the_triple_point():
    # The only low-temperature methanol fit we could read (ln p = 15.94 - 2453/T, alpha phase;
    # 15.02 - 2308/T above 157.4 K, as transcribed from Schörghofer & Williams 2024) gives ~35x
    # the NIST triple-point pressure (175.6 K, 0.186 Pa), so lupex keeps the Clausius-Clapeyron
    # law and says "approximate".
    sw = np.exp(15.02 - 2308.0 / 175.6)
    assert sw / 0.186 > 10.0
    sp = get_species("CH3OH")
    assert sp.quality == "approximate"
    assert [k for k, s in SPECIES.items() if s.quality != "measured-fit"] == ["CH3OH"]


# --- extrapolation is stated, never fatal -------------------------------------------------------
def test_extrapolation_below_the_fit_warns_once_and_still_answers(monkeypatch):
    monkeypatch.setattr(vp, "_WARNED", set())
    with pytest.warns(ExtrapolationWarning, match="H2O.*110 K"):
        p = vapor_pressure_pa("H2O", [90.0, 120.0])
    assert np.all(np.isfinite(p)) and p[0] < p[1]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        vapor_pressure_pa("H2O", 80.0)  # second time: silent
        vapor_pressure_pa("CO2", 60.0)  # inside its range: silent
    assert not get_species("H2O").in_fit_range(100.0)
    assert get_species("SO2").in_fit_range(20.0)  # lower end not stated: never flagged


def test_stability_temperature_says_when_it_is_an_extrapolation(monkeypatch):
    monkeypatch.setattr(vp, "_WARNED", set())
    with pytest.warns(ExtrapolationWarning):
        t = stability_temperature_k("H2O", 1.0)  # ~100.6 K, below Murphy & Koop's 110 K
    assert t < get_species("H2O").fit_range_k[0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        stability_temperature_k("CO2", 1.0)
