"""The haven rule holds at every cell the rover drives onto, not only where a leg starts (a slow
rover's edge can raise the survival need by more than the margin; small grid, seconds)."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest

from lupex.mission.havens import survival_field
from lupex.mission.science import Science
from lupex.mission.timeline import _Sim
from lupex.vehicles.power import PowerLoads
from lupex.vehicles.rover import Rover

sys.path.insert(0, str(Path(__file__).parent))
import mission_synth as M

NX = 12
SPEED = 0.01  # m/s: one 20 m edge takes 2000 s, ~60 Wh at ~105 W, more than the 40 Wh margin
MARGIN = 0.02


class _Recorded(_Sim):
    """The timeline, recording (cell, charge, need) each time the rover completes an edge."""

    def _haven_setup(self) -> None:
        super()._haven_setup()
        self.arrivals: list[tuple[int, float, float]] = []

    def _neutron_drive(self, cell: int, dt: float) -> None:
        if not self._sheltering:
            self.arrivals.append((cell, self.soc, self._need()))
        super()._neutron_drive(cell, dt)


def _corridor_sim() -> _Recorded:
    """3 x 12 cells of 20 m, dark for the whole mission except the lit column x = 0; the rover
    starts there with 1050 Wh (so that, driving out, it stands on a cell where one more edge
    keeps it above the need where it stands but not where it arrives)."""
    n = 24 * 4
    sun = np.zeros((n, 3, NX))
    sun[:, :, 0] = 1.0
    env = M.environment(3, NX, n_steps=n, sun=sun.reshape(n, -1))
    loads = PowerLoads(drive_base_w=100, science_w=80, drill_w=100, idle_w=60,
                       hibernate_w=20, survival_heater_w=20, radio_w=20)
    cfg = M.config(env, rover=Rover(speed_flat_m_s=SPEED), loads=loads, drill_sites=0,
                   haven_margin_fraction=MARGIN, speed_sigma=0.0, landing_xy=(0.0, -20.0))
    sim = _Recorded(env, cfg, M.StripeTruth(), Science(drill_depth_m=0.6),
                    np.random.default_rng(0))
    sim.soc = 1050.0
    return sim


def _drive_out(sim: _Recorded) -> None:
    goal = sim.env.cell(float(sim.env.x_m[-1]), -20.0)
    sim._drive_to(goal, "survey")


def test_the_survival_need_of_the_dark_corridor_is_the_drive_back() -> None:
    # independent closed form of the field (havens.py module docstring): from column j the
    # best sequence drives back one 20 m cell per hour step (tau = 20 m / SPEED = 2000 s <
    # 3600 s, the least drive time on the flat map), each step drawing e_step = (P_drive tau + P_hib (3600 - tau)) / eta_d,
    # to the lit column, where the array covers the 40 W of hibernation: V = j e_step; the need
    # at a cell is the cheaper approach of a neighbouring node (its V plus the drive alone,
    # e_drive = P_drive tau / eta_d): (j - 1) e_step + e_drive (float32 table: 1e-3 relative)
    sim = _corridor_sim()
    hf, env = sim.haven, sim.env
    tau = 20.0 / SPEED
    e_drive = hf.p_drive_w * tau / 3600.0 / 0.95
    e_step = e_drive + 40.0 * (3600.0 - tau) / 3600.0 / 0.95
    for j in (1, 3, 5):
        c = env.cell(float(env.x_m[j]), -20.0)
        assert hf.v_wh[1, sim._node_of_cell[c]] == pytest.approx(j * e_step, rel=1e-3)
        need = hf.need_wh(c, 3600.0)
        assert need == pytest.approx((j - 1) * e_step + e_drive, rel=1e-3)


def test_the_rover_never_drives_onto_a_cell_below_its_survival_need() -> None:
    sim = _corridor_sim()
    margin = MARGIN * sim.cfg.battery.capacity_wh
    # each edge raises the need by ~e_step (~80 Wh) > the 40 Wh margin: the check at the cell
    # ahead is what keeps the rule
    _drive_out(sim)
    assert not sim.end
    assert len(sim.arrivals) >= 2
    for cell, soc, need in sim.arrivals:
        assert soc >= need + margin - 1e-6, (cell, soc, need)
    drives = sim.timeline[-1]
    assert "leaves the reach of a safe haven" in drives["detail"]
    assert sim.cell != sim.env.cell(float(sim.env.x_m[-1]), -20.0)


def test_without_the_look_ahead_the_rover_steps_below_the_need() -> None:
    # the deliberately wrong rule (the need checked only where the rover stands, as before the
    # fix): the same drive ends on a cell where the charge is below the field's need, i.e. the
    # field no longer promises survival; the test above would fail with this rule
    sim = _corridor_sim()
    sim._step_unsafe = lambda b, dur_s, load_w: False
    _drive_out(sim)
    assert any(soc < need for _c, soc, need in sim.arrivals)


def test_a_haven_walled_off_by_impassable_cells_is_no_move() -> None:
    # a 5 x 9 flat grid of 20 m cells (1 cell per block), impassable column j = 4: a node
    # beside the wall cannot reach the one beyond it; with a gap in the wall at the bottom row
    # the move exists and costs the real detour (Dijkstra on 8 neighbours), not the
    # straight line
    ny, nx, n = 5, 9, 4
    env = M.environment(ny, nx, n_steps=n)
    pace = np.full(ny * nx, 1.0 / SPEED)
    wall = pace.copy().reshape(ny, nx)
    wall[:, 4] = np.inf
    kw = dict(hibernate_w=20.0, drive_w=100.0, capacity_wh=1000.0, charge_efficiency=0.95,
              discharge_efficiency=0.95, budget_entries=1e9)
    hf = survival_field(env, np.full(n, 300.0), wall.ravel(), **kw)
    assert hf.block == 1
    a = int(hf.node_of_block[0, 3])
    b = int(hf.node_of_block[0, 5]) if hf.node_of_block[0, 5] >= 0 else None
    moves = [int(m) for m in hf.nb_idx[a] if m >= 0]
    assert b is not None and b not in moves  # two blocks away anyway: RING = 1
    c = int(hf.node_of_block[1, 3])
    across = [int(hf.node_of_block[i, 5]) for i in range(ny)]
    assert not set(across) & {int(m) for m in hf.nb_idx[c] if m >= 0}
    # a gap at the bottom row: (4, 3) -> (4, 4) -> (3, 5) is a move of 20 + 20 sqrt 2 m
    gap = wall.copy()
    gap[4, 4] = 1.0 / SPEED
    hg = survival_field(env, np.full(n, 300.0), gap.ravel(), **kw)
    src = int(hg.node_of_block[4, 4])
    dst = int(hg.node_of_block[3, 5])
    row = list(hg.nb_idx[src])
    assert dst in row
    tau = float(hg.nb_tau[src, row.index(dst)])
    assert tau == pytest.approx(20.0 * math.sqrt(2.0) / SPEED, rel=1e-9)
    # and from the cell left of the gap, the need routes through it
    need_near = hg.need_wh(env.cell(float(env.x_m[3]), float(env.y_m[4])), 0.0)
    assert math.isfinite(need_near)
