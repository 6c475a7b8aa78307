"""Driving in the mission timeline: least-time legs (A*), obstacles and re-planning, the
neutron and radar survey while driving (a mixin of :class:`lupex.mission.timeline._Sim`).

A leg follows the least-time route on the known map (:func:`lupex.mission._kernels.
astar_path`, the traverse planner's edge costs). An unmapped obstacle met on the route (Poisson
per km, or injected) blocks the cell ahead: the rest of the leg is re-planned with
:func:`lupex.traverse.plan_traverse` (time-expanded, battery- and darkness-aware) on the map
that now marks it, falling back to the least-time route, and abandoned when nothing remains. A
leg interrupted by the haven rule (:mod:`lupex.mission.shelter`) resumes from wherever the
rover sheltered, re-routed, and is abandoned after :data:`MAX_INTERRUPTIONS` interruptions.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from lupex.errors import InfeasibleError
from lupex.mission import _kernels as MK
from lupex.mission.model import NS_COLUMNS
from lupex.traverse import _kernels as TK
from lupex.vehicles.rover import Rover

MAX_INTERRUPTIONS = 3
"""Haven stays after which a leg is abandoned (the goal stays unsafe)."""
MAX_REPLANS_PER_LEG = 8
"""Re-plans after obstacles within one leg before the leg is abandoned (no endless loops)."""


class Driving:
    """Driving methods of the timeline (state lives in :class:`lupex.mission.timeline._Sim`)."""

    def _dist(self, a: int, b: int) -> float:
        xa, ya = self.env.xy(a)
        xb, yb = self.env.xy(b)
        return float(math.hypot(float(xa) - float(xb), float(ya) - float(yb)))

    def _static_path(self, a: int, b: int) -> list[int] | None:
        """Least-time route a -> b on the known map (A*, :func:`lupex.mission._kernels.
        astar_path`); None when b cannot be reached."""
        ny, nx = self.env.shape
        if not hasattr(self, "_min_pace"):
            fin = self.pace[np.isfinite(self.pace)]
            self._min_pace = float(fin.min()) if fin.size else 1.0
        path = MK.astar_path(self.pace, self.elev, self.invk, ny, nx, self.env.dx_m,
                             self.env.dy_m, int(a), int(b), self._min_pace)
        if not len(path) and self.obstacles:
            # boxed in by the cells where obstacles were met: an obstacle fills only part of
            # its cell, so the rover picks its way past at the mapped pace
            path = MK.astar_path(self._pace0, self.elev, self.invk, ny, nx, self.env.dx_m,
                                 self.env.dy_m, int(a), int(b), self._min_pace)
        return [int(c) for c in path] if len(path) else None

    def _replan(self, a: int, b: int) -> tuple[list[int] | None, str]:
        """Re-plan a -> b after an obstacle: the traverse planner on the updated map."""
        self.replans += 1
        if self.cfg.replan == "planner":
            from lupex.traverse import plan_traverse

            env = self.env
            k0 = int(self.t // env.step_s)
            k1 = k0 + math.ceil(self.cfg.replan_window_s / env.step_s)
            xa, ya = env.xy(a)
            xb, yb = env.xy(b)
            try:
                plan = plan_traverse(
                    self._dem(), env.visibility_stack(k0, k1),
                    start_xy=(float(xa), float(ya)), start_time=env.utc(self.t),
                    end_xy=(float(xb), float(yb)), rover=self._planner_rover(),
                    speed_m_s=self.speed_known.reshape(env.shape),
                    slope_deg=env.slope_deg, max_labels=2_000_000)
                cells = [int(c) for c, act in zip(plan.track["cell"], plan.track["action"],
                                                  strict=True) if act in ("start", "drive")]
                dedup = [cells[0]] + [c for p, c in itertools.pairwise(cells) if c != p]
                return dedup, "traverse planner"
            except InfeasibleError as exc:
                path = self._static_path(a, b)
                return path, f"traverse planner infeasible ({str(exc)[:120]}); least-time route"
        return self._static_path(a, b), "least-time route"

    def _planner_rover(self) -> Rover:
        # the planner starts from the present charge
        return self.cfg.rover.model_copy(update={
            "soc_start_fraction": max(min(self.soc / self.cfg.battery.capacity_wh, 1.0), 1e-3),
            "battery_wh": self.cfg.battery.capacity_wh})

    def _dem(self):
        if not hasattr(self, "_dem_cache"):
            self._dem_cache = self.env.dem()
        return self._dem_cache

    def _drive_to(self, goal: int, purpose: str) -> bool:
        """Drive to ``goal``; True when the rover got there."""
        if self.end or self.t >= self.t_end or goal == self.cell:
            return goal == self.cell
        t0, soc0, d0 = self.t, self.soc, self.distance
        path = self._static_path(self.cell, goal)
        note = ""
        if path is None:
            self._log("drive", t0, soc0, f"{purpose}: no route on the known map; leg skipped")
            return False
        cfg, r = self.cfg, self.cfg.rover
        factor = math.exp(self.rng.normal(0.0, cfg.speed_sigma)) if cfg.speed_sigma else 1.0
        i = 0
        interruptions = 0
        replans = 0
        while i + 1 < len(path) and not self.end and self.t < self.t_end:
            a, b = path[i], path[i + 1]
            nx = self.env.shape[1]
            ia, ja = divmod(a, nx)
            ib, jb = divmod(b, nx)
            l3, tau, sg = TK._edge(a, b, ib - ia, jb - ja, nx, self.env.dx_m, self.env.dy_m,
                                   self.pace, self.elev, self.invk)
            if not np.isfinite(tau):
                blocked = True
            else:
                p_hit = 1.0 - math.exp(-cfg.hazard_per_km * l3 / 1000.0) if cfg.hazard_per_km \
                    else 0.0
                blocked = b in self.hazards or (p_hit > 0 and self.rng.random() < p_hit)
            if blocked:
                self.hazards.discard(b)
                self.obstacles += 1
                self.pace[b] = np.inf
                self.speed_known[b] = 0.0
                if b == goal:
                    self._log("obstacle", self.t, self.soc, f"{purpose}: the goal cell is "
                              "blocked; leg ends short of it")
                    break
                replans += 1
                if replans > MAX_REPLANS_PER_LEG:
                    # a re-plan that keeps leading into blocked cells (e.g. the boxed-in
                    # fallback through cells met as obstacles) must not loop forever
                    note = f"abandoned after {MAX_REPLANS_PER_LEG} re-plans"
                    break
                new, how = self._replan(a, goal)
                self._log("replan", self.t, self.soc, f"{purpose}: obstacle at cell {b}; {how}"
                          + ("" if new else "; no route left, leg abandoned"))
                if not new:
                    note = "abandoned after an obstacle"
                    break
                path, i = new, 0
                continue
            dur = tau * factor
            load = cfg.loads.drive_base_w + float(r.traction_power_w(sg, l3 / dur)) \
                + self.sci.drive_power_w
            if self._step_unsafe(b, dur, load):  # the haven rule at the cell ahead
                interruptions += 1
                if interruptions >= MAX_INTERRUPTIONS or self._may_resume():
                    note = "abandoned: the route ahead leaves the reach of a safe haven"
                    break
                self._shelter("the route ahead leaves the reach of a safe haven")
                if self.end or self.t >= self.t_end:
                    break
                new = self._static_path(self.cell, goal) if self.cell != goal else [goal]
                if not new:
                    note = "abandoned after a haven stay: no route left"
                    break
                path, i = new, 0
                continue
            t_leg = self.t
            left = self._work(dur, load, "drive", anywhere=False)
            if self.end or self.t >= self.t_end:
                break
            if left > 0:  # the haven rule moved the rover: re-route from where it is
                interruptions += 1
                new = self._static_path(self.cell, goal) if self.cell != goal else [goal]
                if interruptions >= MAX_INTERRUPTIONS or not new:
                    note = f"abandoned after {interruptions} haven stays"
                    break
                path, i = new, 0
                continue
            self.distance += l3
            self.cell = b
            xb, yb = self.env.xy(b)
            self.route.append((self.t, float(xb), float(yb)))
            self._neutron_drive(b, self.t - t_leg)
            i += 1
        self._log("drive", t0, soc0, f"{purpose}" + (f"; {note}" if note else ""),
                  distance_m=self.distance - d0)
        return self.cell == goal

    def _neutron_drive(self, cell: int, dt: float) -> None:
        if self.sci.neutron.host != "rover":
            return
        x, y = self.env.xy(cell)
        self._pending_ns_xy.append((float(x), float(y)))
        self._ns_time += dt
        if self._ns_time >= self.sci.neutron_integration_s:
            self._flush_ns()

    def _flush_ns(self) -> None:
        if not self._pending_ns_xy or self._ns_time <= 0:
            return
        # the columns driven over, at most NS_COLUMNS of them evenly spaced (equal dwell)
        pts = self._pending_ns_xy
        idx = np.unique(np.linspace(0, len(pts) - 1, min(len(pts), NS_COLUMNS)).round()
                        .astype(int))
        cols = [self.truth.column(*pts[i]) for i in idx]
        m = self.sci.survey(cols, self._ns_time, self.rng)
        xy = np.mean(np.array(self._pending_ns_xy), axis=0)
        self._record(m, float(xy[0]), float(xy[1]), self.t)
        # one radar sounding per reading, under the middle of the stretch driven
        g = self.sci.sound(cols[len(cols) // 2], self.rng)
        if g is not None:
            mid = pts[idx[len(idx) // 2]]
            self._record(g, float(mid[0]), float(mid[1]), self.t)
        self._pending_ns_xy, self._ns_time = [], 0.0
