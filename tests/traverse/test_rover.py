"""Rover model functions against closed forms, and the planner's energy bookkeeping against
the model functions (an independent recomputation of a straight drive)."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose
from traverse_synth import flat_dem, hours, xy

from lupex.traverse import (
    MOON_G_M_S2,
    Rover,
    array_incidence_cos,
    frames_from_arrays,
    plan_traverse,
    speed_on_slope_m_s,
    traction_power_w,
)


def test_traction_power_closed_form():
    # 350 kg up a 10 deg grade at 0.05 m/s, c_rr 0.15, eta 0.5 (hand calculation)
    th = np.radians(10.0)
    expected = 350 * MOON_G_M_S2 * (0.15 * np.cos(th) + np.sin(th)) * 0.05 / 0.5
    assert_allclose(traction_power_w(np.sin(th), 0.05, mass_kg=350, rolling_coeff=0.15,
                                     drivetrain_efficiency=0.5), expected, rtol=1e-12)
    # steep enough downhill: no regeneration
    assert traction_power_w(np.sin(np.radians(-20)), 0.05, mass_kg=350, rolling_coeff=0.15,
                            drivetrain_efficiency=0.5) == 0.0


def test_speed_model():
    v = speed_on_slope_m_s([0.0, 7.5, 15.0, 15.1, np.nan], speed_flat_m_s=0.1, slope_limit_deg=15.0,
                           min_speed_fraction=0.25)
    assert_allclose(v, [0.1, 0.0625, 0.025, 0.0, 0.0])


def test_array_incidence():
    # a vertical panel facing the Sun: cos i = cos(elevation)
    assert_allclose(array_incidence_cos(1.5), np.cos(np.radians(1.5)), rtol=1e-12)
    # fixed panel facing 90 deg away from the Sun at the horizon: edge-on
    assert_allclose(array_incidence_cos(0.0, 90.0, normal_azimuth_deg=0.0), 0.0, atol=1e-12)
    # horizontal panel (normal up): cos i = sin(e)
    assert_allclose(array_incidence_cos(30.0, normal_elevation_deg=90.0), 0.5, rtol=1e-12)


@pytest.fixture
def lit_end():
    ny, nx = 3, 30
    sun = np.zeros((ny, nx))
    sun[:, 29] = 1.0
    return ny, nx, sun


def test_energy_of_a_straight_drive(lit_end):
    ny, nx, sun = lit_end
    rover = Rover(battery_wh=5000, max_darkness_h=100)
    plan = plan_traverse(flat_dem(ny, nx), frames_from_arrays(hours(20), sun, np.ones((ny, nx))),
                         start_xy=xy(1, 0), start_time=hours(1)[0], end_xy=xy(1, 29), rover=rover,
                         speed_m_s=np.full((ny, nx), 0.05), slope_deg=np.zeros((ny, nx)))
    t_s = 29 * 20.0 / 0.05
    p_w = rover.power_drive_base_w + float(rover.traction_power_w(0.0, 0.05))
    # 29 moves in darkness: the battery loses exactly P t
    assert_allclose(plan.summary["duration_h"] * 3600, t_s, rtol=1e-12)
    assert_allclose(plan.track.soc_wh.iloc[-1], 5000 - p_w * t_s / 3600, rtol=1e-5)
    assert_allclose(plan.static["energy_wh"], p_w * t_s / 3600, rtol=1e-9)
