"""REIWA (LTGA, TRITON, ADORE), ISAP, ALIS, PRATHIMA and the loads."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from lupex.instruments import Column, Sample, alis, isap, loads, prathima, reiwa
from lupex.instruments.prathima import PrathimaSpec


def _sample(w: float, **sp: float) -> Sample:
    return Sample(top_m=0.4, bottom_m=0.5, h2o_wt_pct=w, species_wt_pct=sp, dh_vsmow_permil=150.0)


def test_ltga_noiseless_exact_and_noisy_precision():
    assert reiwa.measure_ltga(_sample(5.6)).h2o_wt_pct == 5.6
    rng = np.random.default_rng(3)
    m = [reiwa.measure_ltga(_sample(5.6), rng=rng) for _ in range(4000)]
    # sigma = hypot(0.05, 0.05 * 5.6) = 0.28443 wt%; std of 4000 draws: 1.1 % error
    assert_allclose(m[0].h2o_sigma_wt_pct, math.hypot(0.05, 0.28), rtol=1e-12)
    assert_allclose(np.std([x.h2o_wt_pct for x in m], ddof=1), 0.28443, rtol=0.05)


def test_triton_reads_every_species_of_the_sample():
    m = reiwa.measure_triton(_sample(5.0, CO2=0.3, NH3=0.005))
    assert set(m.species) == {"H2O", "CO2", "NH3"}
    assert m.species["CO2"].wt_pct == 0.3 and m.species["CO2"].detected
    assert not m.species["NH3"].detected  # below the 0.01 wt% limit


def test_adore_needs_water():
    ok = reiwa.measure_adore(_sample(2.0))
    assert ok.measured and ok.dh_vsmow_permil == 150.0
    assert_allclose(ok.d_h_ratio, 155.76e-6 * 1.15)
    dry = reiwa.measure_adore(_sample(0.01))
    assert not dry.measured and math.isnan(dry.dh_vsmow_permil)


def test_isap_detects_phases_above_its_limit():
    m = isap.measure(_sample(5.0, CO2=0.3))
    assert m.detected == {"H2O": True, "CO2": False}


def test_alis_sees_only_surface_ice():
    assert alis.measure(Column.two_layer(5.0, 0.0)).detected
    buried = alis.measure(Column.two_layer(20.0, 0.01))
    assert not buried.detected and buried.surface_h2o_true_wt_pct == 0.0


def test_prathima_inverts_the_mixing_model_exactly():
    col = Column.two_layer(7.5, 0.05)
    m = prathima.measure(col)
    assert_allclose(m.ice_wt_pct, 7.5, rtol=1e-12)
    assert prathima.measure(col, spec=PrathimaSpec(probe_depth_m=0.02)).ice_wt_pct == pytest.approx(0.0, abs=1e-12)
    rng = np.random.default_rng(5)
    d = [prathima.measure(col, rng=rng).ice_wt_pct for _ in range(3000)]
    # linear propagation is accurate to ~1 % here (eps error 2 %); 3000 draws: 1.3 % error
    assert_allclose(np.std(d, ddof=1), m.ice_sigma_wt_pct, rtol=0.06)


def test_loads_are_costs_only():
    r = loads.operate(loads.EMS_L, duration_s=7200.0)
    assert not loads.EMS_L.has_measurement_model and not r.modelled
    assert_allclose(r.energy_wh, 10.0 * 2.0)
    assert_allclose(r.data_mb, 10.0)
