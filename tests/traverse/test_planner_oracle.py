"""With illumination held fixed and resources never binding, the planner's least time equals
Dijkstra's least cost on the same cost grid.

Authority: scikit-image's ``MCP_Geometric`` (an independent Dijkstra implementation), whose edge
cost is ``distance x (cost_a + cost_b) / 2`` — the planner's rule with cost = pace [s/m]. The
tolerance 1e-9 relative is floating-point summation order only; a one-pixel detour on these
grids changes the time by > 1e-3 relative.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose
from skimage.graph import MCP_Geometric
from traverse_synth import PIX, flat_dem, hours, xy

from lupex.traverse import Rover, frames_from_arrays, plan_traverse
from lupex.traverse import _kernels as K

BIG = Rover(battery_wh=1e6, max_darkness_h=1e4, max_no_earth_h=1e4)


def _random_speed(rng, ny, nx):
    speed = rng.uniform(0.02, 0.1, (ny, nx))
    speed[rng.random((ny, nx)) < 0.15] = 0.0  # impassable cells
    return speed


def _mcp_time(speed, a, b):
    pace = np.where(speed > 0, 1.0 / np.where(speed > 0, speed, 1), np.inf)
    mcp = MCP_Geometric(pace, fully_connected=True, sampling=(PIX, PIX))
    cum, _ = mcp.find_costs([a], [b])
    return cum[b]


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_fixed_illumination_equals_dijkstra(seed):
    rng = np.random.default_rng(seed)
    ny, nx = 25, 35
    speed = _random_speed(rng, ny, nx)
    a, b = (1, 1), (ny - 2, nx - 2)
    speed[a] = speed[b] = 0.05
    expected = _mcp_time(speed, a, b)
    if not np.isfinite(expected):
        pytest.skip("random walls cut the grid")
    n = int(expected // 3600) + 3
    prov = frames_from_arrays(hours(n), np.ones((ny, nx)), np.ones((ny, nx)), 0.0)
    plan = plan_traverse(flat_dem(ny, nx), prov, start_xy=xy(*a), start_time=hours(1)[0],
                         end_xy=xy(*b), rover=BIG, speed_m_s=speed, slope_deg=np.zeros((ny, nx)))
    assert_allclose(plan.summary["duration_h"] * 3600, expected, rtol=1e-9)
    assert_allclose(plan.static["time_h"] * 3600, expected, rtol=1e-9)
    assert plan.summary["wait_h"] == 0


def test_static_kernel_equals_dijkstra_multi_source():
    rng = np.random.default_rng(11)
    ny, nx = 30, 30
    speed = _random_speed(rng, ny, nx)
    speed[0, 0] = 0.05
    pace = np.where(speed > 0, 1.0 / np.where(speed > 0, speed, 1), np.inf)
    d, _ = K.static_times(pace.ravel(), np.zeros(ny * nx), np.ones(ny * nx), ny, nx, PIX, PIX,
                          np.array([0], np.int64))
    mcp = MCP_Geometric(pace, fully_connected=True, sampling=(PIX, PIX))
    cum, _ = mcp.find_costs([(0, 0)])
    assert_allclose(d.reshape(ny, nx), cum, rtol=1e-9)


def test_oracle_test_can_fail():
    # a deliberately wrong cost rule (4-connected instead of 8) gives a different time
    rng = np.random.default_rng(1)
    speed = _random_speed(rng, 25, 35)
    speed[1, 1] = speed[23, 33] = 0.05
    pace = np.where(speed > 0, 1.0 / np.where(speed > 0, speed, 1), np.inf)
    cum4, _ = MCP_Geometric(pace, fully_connected=False, sampling=(PIX, PIX)).find_costs([(1, 1)])
    with pytest.raises(AssertionError):
        assert_allclose(cum4[23, 33], _mcp_time(speed, (1, 1), (23, 33)), rtol=1e-9)
