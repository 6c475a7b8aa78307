"""Drill: steps and time, refusal in cemented regolith, exact samples."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from lupex.errors import ParameterError
from lupex.instruments import Column, drill
from lupex.instruments.drill import DrillSpec

SPEC = DrillSpec()


def test_dry_column_reaches_full_depth_in_overhead_bound_steps():
    r = drill.measure(Column.two_layer(0.0, math.nan))
    assert len(r.samples) == 15 and not r.refused
    assert_allclose(r.depth_reached_m, 1.5)
    # each step: 300 s overhead + UCS A dz / (eta P) = 5e3 * pi 0.025^2 * 0.1 / (0.1 * 100) s
    step = 300.0 + 5e3 * math.pi * 0.025**2 * 0.1 / (0.1 * 100.0)
    assert_allclose(r.step_durations_s, [step] * 15, rtol=1e-12)
    assert_allclose(r.energy_wh, 100.0 * 15 * step / 3600.0, rtol=1e-12)


def test_ice_slows_and_cemented_ice_refuses():
    slow = drill.measure(Column.two_layer(5.6, 0.3))
    assert not slow.refused and slow.step_durations_s[-1] > slow.step_durations_s[0]
    hard = drill.measure(Column.two_layer(20.0, 0.35))
    # 20 wt% fills 80 % of the pores: UCS ~ 24 MPa > 15 MPa refusal, first met in the 0.3-0.4 step
    assert hard.refused and hard.refusal_depth_m == pytest.approx(0.3)
    assert len(hard.samples) == 3 and hard.depth_reached_m == pytest.approx(0.3)


def test_samples_carry_the_exact_interval_composition():
    col = Column.two_layer(8.0, 0.35, species_wt_pct={"CO2": 0.4})
    r = drill.measure(col, target_depth_m=0.5)
    w = [s.h2o_wt_pct for s in r.samples]
    # steps 0-0.1 ... 0.4-0.5; the 0.3-0.4 step is half lag, half ice
    assert_allclose(w, [0.0, 0.0, 0.0, 4.0, 8.0], atol=1e-12)
    assert_allclose(r.samples[3].species_wt_pct["CO2"], 0.2, atol=1e-12)
    assert_allclose(r.samples[0].mass_g, 1e3 * math.pi * 0.025**2 * 0.1 * 1500.0)


def test_rng_scatters_time_only():
    col = Column.two_layer(5.6, 0.3)
    a = drill.measure(col, rng=np.random.default_rng(1))
    b = drill.measure(col)
    assert a.duration_s != b.duration_s
    assert [s.h2o_wt_pct for s in a.samples] == [s.h2o_wt_pct for s in b.samples]


def test_bad_target_is_one_clear_error():
    with pytest.raises(ParameterError, match="target_depth_m"):
        drill.measure(Column.two_layer(1.0, 0.1), target_depth_m=2.0)
