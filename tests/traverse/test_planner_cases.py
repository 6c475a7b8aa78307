"""Constructed cases: the plan waits for a shadow to move off the only pass, takes a detour
the battery forces, and refuses infeasible requests naming the binding constraint."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose
from traverse_synth import flat_dem, hours, xy

from lupex.errors import InfeasibleError
from lupex.traverse import Rover, frames_from_arrays, plan_traverse


def _pass_world(ny=15, nx=41, lit_from_h=10, n_hours=30):
    """A wall across column 20 with a 3-cell pass (rows 6-8); the pass and its approaches
    (cols 17-23) are dark until ``lit_from_h``."""
    speed = np.full((ny, nx), 0.05)
    speed[:, 20] = 0.0
    speed[6:9, 20] = 0.05
    sun = np.ones((n_hours, ny, nx))
    sun[:lit_from_h, 6:9, 17:24] = 0.0
    earth = np.ones((ny, nx))
    return speed, sun, earth


def test_waits_for_the_shadow_to_leave_the_only_pass():
    speed, sun, earth = _pass_world()
    ny, nx = speed.shape
    rover = Rover(max_darkness_h=0.1)  # 6 min: the dark pass takes ~45 min to cross
    plan = plan_traverse(flat_dem(ny, nx), frames_from_arrays(hours(30), sun, earth, 0.0),
                         start_xy=xy(7, 2), start_time=hours(1)[0], end_xy=xy(7, 38), rover=rover,
                         speed_m_s=speed, slope_deg=np.zeros((ny, nx)))
    tr = plan.track
    assert plan.summary["wait_h"] > 5.0
    # every pass cell is entered only once it is lit (t >= 10 h)
    in_pass = tr[(tr.x_m >= 17 * 20) & (tr.x_m <= 23 * 20) & (tr.y_m <= -6 * 20) & (tr.y_m >= -8 * 20)]
    assert (in_pass.elapsed_s >= 10 * 3600 - 1e-6).all()
    assert tr.dark_h.max() <= 0.1 + 1e-9
    # the fastest possible plan: arrive at the lit pass at 10 h, then drive on
    assert plan.summary["duration_h"] < 10 + 1.2 * plan.static["time_h"]
    assert not plan.static["feasible_without_waiting"]
    assert "darkness" in plan.static["violation"]
    waits = plan.legs[plan.legs.action == "wait"]
    assert (waits.binding == "darkness").any()


def test_without_the_darkness_limit_it_does_not_wait():
    speed, sun, earth = _pass_world()
    ny, nx = speed.shape
    plan = plan_traverse(flat_dem(ny, nx), frames_from_arrays(hours(30), sun, earth, 0.0),
                         start_xy=xy(7, 2), start_time=hours(1)[0], end_xy=xy(7, 38),
                         rover=Rover(max_darkness_h=10.0), speed_m_s=speed,
                         slope_deg=np.zeros((ny, nx)))
    assert plan.summary["wait_h"] == 0
    assert_allclose(plan.summary["duration_h"], plan.static["time_h"], rtol=1e-9)


def _band_world(ny=30, nx=60, n_hours=48):
    """A permanently dark band (cols 20-40, rows 5-24) between start and end; sunlit around it."""
    speed = np.full((ny, nx), 0.05)
    sun = np.ones((ny, nx))
    sun[5:25, 20:41] = 0.0
    return speed, np.broadcast_to(sun, (n_hours, ny, nx)), np.ones((ny, nx))


def test_battery_limit_forces_a_detour():
    speed, sun, earth = _band_world()
    ny, nx = speed.shape
    # crossing the band: ~420 m at 0.05 m/s = 2.3 h at ~150 W = ~350 Wh; usable is 240 Wh
    rover = Rover(battery_wh=300, soc_min_fraction=0.2, max_darkness_h=100)
    plan = plan_traverse(flat_dem(ny, nx), frames_from_arrays(hours(48), sun, earth, 0.0),
                         start_xy=xy(15, 2), start_time=hours(1)[0], end_xy=xy(15, 57), rover=rover,
                         speed_m_s=speed, slope_deg=np.zeros((ny, nx)))
    tr = plan.track
    assert plan.summary["distance_m"] > 1.1 * plan.static["length_m"]   # a real detour
    assert tr.soc_wh.min() >= rover.soc_min_wh - 1e-6
    band = (tr.x_m >= 20 * 20) & (tr.x_m <= 40 * 20) & (tr.y_m <= -5 * 20) & (tr.y_m >= -24 * 20)
    assert not band.all()
    assert not plan.static["feasible_without_waiting"]
    assert "battery" in plan.static["violation"]


def test_with_a_bigger_battery_it_crosses_straight():
    speed, sun, earth = _band_world()
    ny, nx = speed.shape
    plan = plan_traverse(flat_dem(ny, nx), frames_from_arrays(hours(48), sun, earth, 0.0),
                         start_xy=xy(15, 2), start_time=hours(1)[0], end_xy=xy(15, 57),
                         rover=Rover(battery_wh=3000, max_darkness_h=100), speed_m_s=speed,
                         slope_deg=np.zeros((ny, nx)))
    assert_allclose(plan.summary["distance_m"], plan.static["length_m"], rtol=1e-9)


def test_target_deep_in_permanent_shadow_is_infeasible_naming_darkness():
    ny, nx = 41, 41
    sun = np.ones((ny, nx))
    ii, jj = np.mgrid[:ny, :nx]
    sun[(ii - 20) ** 2 + (jj - 20) ** 2 <= 15 ** 2] = 0.0   # a 300 m-radius PSR
    with pytest.raises(InfeasibleError, match=r"darkness.*max_darkness_h|max_darkness_h.*darkness"):
        plan_traverse(flat_dem(ny, nx), frames_from_arrays(hours(48), sun, np.ones((ny, nx)), 0.0),
                      start_xy=xy(2, 2), start_time=hours(1)[0], targets_xy=[xy(20, 20)],
                      science_h=1.0, rover=Rover(max_darkness_h=1.0), speed_m_s=np.full((ny, nx), 0.05),
                      slope_deg=np.zeros((ny, nx)))


def test_target_unreachable_before_the_battery_is_empty():
    ny, nx = 21, 41
    sun = np.zeros((ny, nx))
    sun[:, :4] = 1.0     # only the landing area is lit
    sun[10, 38] = 1.0    # the target sees a sliver of Sun, so the shadow pre-check passes
    with pytest.raises(InfeasibleError, match="binding constraint: battery"):
        plan_traverse(flat_dem(ny, nx), frames_from_arrays(hours(24), sun, np.ones((ny, nx)), 0.0),
                      start_xy=xy(10, 1), start_time=hours(1)[0], targets_xy=[xy(10, 38)],
                      science_h=0.5, rover=Rover(battery_wh=200, max_darkness_h=1000),
                      speed_m_s=np.full((ny, nx), 0.05), slope_deg=np.zeros((ny, nx)))


def test_target_on_a_steep_slope_names_the_slope():
    ny, nx = 10, 10
    slope = np.zeros((ny, nx))
    slope[5, 5] = 25.0
    with pytest.raises(InfeasibleError, match="slope"):
        plan_traverse(flat_dem(ny, nx), frames_from_arrays(hours(5), np.ones((ny, nx)), np.ones((ny, nx))),
                      start_xy=xy(1, 1), start_time=hours(1)[0], targets_xy=[xy(5, 5)],
                      slope_deg=slope)


def test_walled_target_names_the_slope():
    ny, nx = 12, 12
    slope = np.zeros((ny, nx))
    slope[3:9, 3] = slope[3:9, 8] = slope[3, 3:9] = slope[8, 3:9] = 30.0
    with pytest.raises(InfeasibleError, match="every route crosses slopes"):
        plan_traverse(flat_dem(ny, nx), frames_from_arrays(hours(5), np.ones((ny, nx)), np.ones((ny, nx))),
                      start_xy=xy(1, 1), start_time=hours(1)[0], targets_xy=[xy(5, 5)],
                      slope_deg=slope)


def test_earth_contact_limit_binds():
    ny, nx = 11, 41
    earth = np.ones((24, ny, nx))
    earth[:8, :, 10:30] = 0.0   # no Earth over the middle for the first 8 h
    sun = np.ones((ny, nx))
    plan = plan_traverse(flat_dem(ny, nx), frames_from_arrays(hours(24), sun, earth, 0.0),
                         start_xy=xy(5, 1), start_time=hours(1)[0], end_xy=xy(5, 39),
                         rover=Rover(max_no_earth_h=0.5), speed_m_s=np.full((ny, nx), 0.05),
                         slope_deg=np.zeros((ny, nx)))
    assert plan.summary["max_no_earth_h"] <= 0.5 + 1e-9
    assert plan.summary["wait_h"] > 1.0


def test_multi_target_order_and_science():
    ny, nx = 20, 20
    prov = frames_from_arrays(hours(40), np.ones((ny, nx)), np.ones((ny, nx)), 0.0)
    plan = plan_traverse(flat_dem(ny, nx), prov, start_xy=xy(1, 1), start_time=hours(1)[0],
                         targets_xy=[xy(18, 18), xy(1, 18)], science_h=[1.0, 2.0], end_xy=xy(1, 1),
                         slope_deg=np.zeros((ny, nx)))
    sci = plan.track[plan.track.action == "science"]
    assert list(zip(sci.x_m, sci.y_m, strict=True)) == [xy(18, 18), xy(1, 18)]
    assert_allclose(sci.step_s.to_numpy(), [3600.0, 7200.0])


def test_start_on_nodata_and_off_the_grid():
    from lupex.errors import ParameterError

    ny, nx = 8, 8
    z = np.zeros((ny, nx))
    z[2, 2] = np.nan
    slope = np.zeros((ny, nx))
    slope[2, 2] = np.nan
    prov = frames_from_arrays(hours(5), np.ones((ny, nx)), np.ones((ny, nx)))
    with pytest.raises(InfeasibleError, match="nodata"):
        plan_traverse(flat_dem(ny, nx, z), prov, start_xy=xy(2, 2), start_time=hours(1)[0],
                      end_xy=xy(5, 5), slope_deg=slope)
    with pytest.raises(ParameterError, match="outside the grid"):
        plan_traverse(flat_dem(ny, nx), frames_from_arrays(hours(5), np.ones((ny, nx)), np.ones((ny, nx))),
                      start_xy=xy(20, 2), start_time=hours(1)[0], end_xy=xy(5, 5),
                      slope_deg=np.zeros((ny, nx)))
    with pytest.raises(ParameterError, match="outside the visibility window"):
        plan_traverse(flat_dem(ny, nx), frames_from_arrays(hours(5), np.ones((ny, nx)), np.ones((ny, nx))),
                      start_xy=xy(2, 2), start_time=hours(10)[-1], end_xy=xy(5, 5),
                      slope_deg=np.zeros((ny, nx)))
