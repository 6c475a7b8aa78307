"""Sublimation of water ice and other volatiles against published values and closed forms."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import xarray as xr
from numpy.testing import assert_allclose

from lupex.errors import ParameterError
from lupex.volatiles import (
    SPECIES,
    cold_trap_map,
    get_species,
    recession_rate_m_per_gyr,
    stability_table,
    stability_temperature_k,
    sublimation_rate_kg_m2_s,
    vapor_pressure_pa,
)
from lupex.volatiles.vapor_pressure import _clausius_clapeyron


def test_water_ice_loses_1_mm_per_gyr_near_100_k_and_1_m_per_gyr_near_114_k():
    # Authority: the classic lunar cold-trap numbers from Murphy & Koop (2005) eq. 7 with free
    # sublimation (e.g. Schorghofer & Taylor 2007, Siegler et al. 2016): 1 mm/Gyr at ~100-101 K,
    # 1 m/Gyr at ~114 K. Tolerance 0.6 K: the spread of quoted values (ice density 920-934).
    assert_allclose(stability_temperature_k("H2O", 1.0), 100.6, atol=0.6)
    assert_allclose(stability_temperature_k("H2O", 1000.0), 114.0, atol=0.6)
    assert_allclose(recession_rate_m_per_gyr("H2O", 114.0), 1.0, rtol=0.1)


def test_a_wrong_vapour_pressure_unit_fails_the_water_check():
    # the same check with the law in hPa instead of Pa (a factor 100) must fail
    h2o = get_species("H2O")
    wrong = replace(h2o, law=lambda t: h2o.law(t) / 100.0)
    with pytest.raises(AssertionError):
        assert_allclose(stability_temperature_k(wrong, 1.0), 100.6, atol=0.6)


def test_murphy_koop_reproduces_the_triple_point():
    # Authority: the triple point of water, 611.657 Pa at 273.16 K (Murphy & Koop 2005 give
    # eq. 7's value there as 611.657 Pa within their stated 0.05 %).
    assert_allclose(vapor_pressure_pa("H2O", 273.16), 611.657, rtol=5e-4)


def test_fray_schmitt_co2_and_the_clausius_clapeyron_construction():
    # Authority: CO2 sublimes at 1 atm at 194.7 K (Fray & Schmitt 2009's fit ends there).
    assert_allclose(vapor_pressure_pa("CO2", 194.7), 101325.0, rtol=0.03)
    # The constant-enthalpy construction used for the "approximate" species, applied to CO2
    # (triple point 216.58 K, 518 kPa, dH 27.0 kJ/mol), lands within 2 K of the measured fit:
    # that is the accuracy claimed for those species.
    cc = replace(get_species("CO2"), law=_clausius_clapeyron(216.58, 518e3, 27.0e3))
    assert_allclose(stability_temperature_k(cc, 1.0), stability_temperature_k("CO2", 1.0), atol=2.0)


def test_hertz_knudsen_closed_form():
    # E = p sqrt(m / (2 pi k T)) for a species with a constant 1 Pa vapour pressure
    one_pa = replace(get_species("H2O"), law=lambda t: np.ones_like(t))
    m = 18.015 * 1.66053906660e-27
    assert_allclose(sublimation_rate_kg_m2_s(one_pa, 100.0),
                    np.sqrt(m / (2 * np.pi * 1.380649e-23 * 100.0)), rtol=1e-12)


def test_every_species_has_a_source_and_a_plausible_cold_trap_temperature():
    rows = {r["species"]: r for r in stability_table(1.0)}
    assert set(rows) == set(SPECIES)
    for r in rows.values():
        assert r["source"] and 10.0 < r["t_stability_k"] < 130.0
    # volatility order: N2, CO, CH4 most volatile; water the least
    assert rows["N2"]["t_stability_k"] < rows["CH4"]["t_stability_k"] < rows["CO2"]["t_stability_k"]
    assert max(r["t_stability_k"] for r in rows.values()) == rows["H2O"]["t_stability_k"]
    # and a faster allowed loss means a warmer limit
    assert stability_temperature_k("CO2", 10.0) > stability_temperature_k("CO2", 1.0)


def test_cold_trap_map_numpy_and_xarray():
    t = np.array([[80.0, 99.0], [101.0, np.nan]])
    assert_allclose(cold_trap_map(t, "H2O"), [[True, True], [False, False]])
    da = xr.DataArray(t, dims=("y", "x"), coords={"y": [1.0, 0.0], "x": [0.0, 1.0]})
    m = cold_trap_map(da, "CO2")
    assert m.dtype == bool and not m.values.any() and m.attrs["stability_temperature_k"] > 50


def test_bad_inputs():
    with pytest.raises(ParameterError, match="unknown species"):
        get_species("XeF6")
    with pytest.raises(ParameterError, match="loss"):
        stability_temperature_k("H2O", 0.0)
    with pytest.raises(ParameterError, match="> 0 K"):
        vapor_pressure_pa("H2O", -5.0)
