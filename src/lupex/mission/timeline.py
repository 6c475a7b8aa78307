"""The mission as a discrete-event simulation, from touchdown to its end.

A small ``heapq`` event loop (DESIGN.md: enough while waits are for precomputed windows) holds
the lander's and the rover's next events; each event runs one activity and schedules the next.
Between events the state changes continuously and is integrated exactly over the piecewise-
constant visibility steps (:func:`lupex.mission._kernels.integrate`): battery charge (array
power from the visible Sun fraction at the vehicle's cell and the array incidence, loads per
mode, charge/discharge efficiencies), stored and downlinked data (only while the Earth is above
the terrain horizon at the transmitter AND a ground station sees the Moon).

The rover's plan: egress, commissioning, then prospecting legs of a lawnmower survey with the
neutron spectrometer counting while driving; after each block of legs a drill site is chosen
(:mod:`lupex.mission.strategy`), driven to, drilled in steps, and every sample analysed.
Operations rules:

- work stops when the charge reaches the floor: the larger of ``soc_min`` and, in darkness,
  the energy to hibernate until the forecast sunrise at that cell (operators know the
  ephemeris); continuous work in shadow is capped at ``active_in_shadow_h``;
- to recover, the rover hibernates (hibernation load + survival heaters) until the Sun returns,
  then charges until ``soc_resume_fraction``; a battery that empties ends the mission (loss:
  the darkness outlasted the battery) with the time, the place and the numbers;
- drive speed and the duration of science and drilling scatter (log-normal, one draw per leg
  or activity); an unmapped obstacle met on the route (Poisson per km, or injected) makes the
  rest of the leg infeasible: it is re-planned with the traverse planner
  (:func:`lupex.traverse.plan_traverse`) on the map that now marks the obstacle, and abandoned
  with its reason if no route remains.

- safe havens (:mod:`lupex.mission.havens`, :mod:`lupex.mission.shelter`): work only while
  the charge exceeds the energy needed to reach safety and live to the end of the mission;
  below it the rover drives ahead of the shadow to a haven, waits and charges there, then
  resumes the plan.

The parts live in their own modules: driving (:mod:`lupex.mission.driving`), drilling and
science (:mod:`lupex.mission.fieldwork`), the haven rule (:mod:`lupex.mission.shelter`), the
lander (:mod:`lupex.mission.lander`), results (:mod:`lupex.mission.results`) and the
parameters (:mod:`lupex.mission.model`).

Limits: one rover and one lander, no resource contention (one radio per vehicle); the lander
stays where it landed; Earth-Moon distance and station elevation do not change the rate.
"""

from __future__ import annotations

import heapq
from typing import Any

import numpy as np

from lupex.mission import _kernels as MK
from lupex.mission import strategy as S
from lupex.mission.driving import Driving
from lupex.mission.environment import MissionEnvironment
from lupex.mission.fieldwork import FieldWork
from lupex.mission.lander import lander_science, simulate_lander
from lupex.mission.model import MODE_CODES, NS_COLUMNS, LanderPower, MissionConfig, MissionResult
from lupex.mission.results import build_result
from lupex.mission.science import Science
from lupex.mission.shelter import Shelter
from lupex.vehicles.comms import best_rate_kbps

__all__ = ["MODE_CODES", "NS_COLUMNS", "LanderPower", "MissionConfig", "MissionResult",
           "simulate"]

class _Lost(Exception):
    """The rover's battery emptied."""


class _Sim(Driving, FieldWork, Shelter):
    """The state of one simulation and its event loop (module docstring)."""

    def __init__(self, env: MissionEnvironment, cfg: MissionConfig, truth: Any,
                 science: Science, rng: np.random.Generator, progress=None) -> None:
        self.env, self.cfg, self.truth, self.sci, self.rng = env, cfg, truth, science, rng
        self.progress = progress
        n = env.n_steps
        self.t_end = min(cfg.duration_s, env.duration_s)
        r = cfg.rover
        inc = r.incidence_cos(env.sun_elevation_deg, env.sun_azimuth_deg)
        self.array_w = np.ascontiguousarray(r.array_rated_power_w * np.asarray(inc, float))
        rates = cfg.comms.station_rates_kbps(env.station_names)
        self.rate = np.ascontiguousarray(best_rate_kbps(env.station_visible, rates))
        self.lander_rate = np.ascontiguousarray(best_rate_kbps(
            env.station_visible, rates / cfg.comms.ref_rate_kbps * cfg.lander.dte_rate_kbps))
        self.relay_rate = np.minimum(self.lander_rate, cfg.comms.relay_rate_kbps)
        self.traces = {k: np.full(n, np.nan) for k in ("soc_wh", "stored_mb", "lander_soc_wh",
                                                       "lander_stored_mb")}
        self.traces["sent_mb"] = np.zeros(n)
        self.traces["lander_sent_mb"] = np.zeros(n)
        self.traces["mode"] = np.zeros(n, np.int64)
        self.lander_mode = np.zeros(n, np.int64)
        speed = r.speed_m_s(env.slope_deg).ravel()
        self.speed_known = np.where(np.isfinite(speed), speed, 0.0)
        with np.errstate(divide="ignore"):
            self.pace = np.where(self.speed_known > 0, 1.0 / np.where(self.speed_known > 0,
                                                                      self.speed_known, 1), np.inf)
        self._pace0 = self.pace.copy()
        self.elev = np.ascontiguousarray(env.elev_m.ravel(), float)
        self.invk = np.ones(self.elev.size)
        self.hazards = set(int(c) for c in cfg.hazard_cells)
        # state
        self.cell = env.cell(*cfg.landing_xy, what="landing site")
        self.lander_cell = self.cell
        self.t = 0.0
        self.soc = cfg.battery.capacity_wh * r.soc_start_fraction
        self.soc_min_seen = self.soc
        self.stored = 0.0
        self.sent = 0.0
        self.generated = 0.0
        self.lost_mb = 0.0
        self.distance = 0.0
        self.dark_active = 0.0
        self.lander_alive_until = self.t_end
        self.lander_stored = 0.0
        self.lander_sent = 0.0
        self.timeline: list[dict[str, Any]] = []
        self.meas: list[dict[str, Any]] = []
        self.route: list[tuple[float, float, float]] = []
        self.drilled: list[dict[str, Any]] = []
        self.replans = 0
        self.obstacles = 0
        self.hibernations = 0
        self.end: dict[str, Any] = {}
        self._queue: list[tuple[float, int, str]] = []
        self._seq = 0
        self._ns_time = 0.0
        self._pending_ns_xy: list[tuple[float, float]] = []
        self._last_progress = -1
        self._haven_setup()

    # -- event loop -------------------------------------------------------------------------
    def schedule(self, t: float, kind: str) -> None:
        heapq.heappush(self._queue, (t, self._seq, kind))
        self._seq += 1

    def run(self) -> None:
        self.schedule(0.0, "touchdown")
        self.schedule(self.t_end, "end")
        while self._queue:
            _t, _, kind = heapq.heappop(self._queue)
            if kind == "end":
                if not self.end:
                    self.end = {"cause": "nominal", "time_s": self.t_end,
                                "detail": f"nominal end of the surface mission after "
                                          f"{self.t_end / 86400:.1f} days"}
                break
            getattr(self, "_ev_" + kind)()
            if self.end:
                break
        self._flush_ns()

    def _ev_touchdown(self) -> None:
        x, y = self.env.xy(self.cell)
        self._log("touchdown", 0.0, 0.0, f"lander at x = {float(x):.0f} m, y = {float(y):.0f} m")
        self.route.append((0.0, float(x), float(y)))
        lander_science(self)
        simulate_lander(self)
        self.schedule(0.0, "egress")

    def _ev_egress(self) -> None:
        self._activity("egress", self.cfg.egress_s, self.cfg.loads.idle_w)
        self.schedule(self.t, "commissioning")

    def _ev_commissioning(self) -> None:
        self._activity("commissioning", self.cfg.commissioning_s, self.cfg.loads.idle_w)
        self._plan = self._rover_plan()
        self.schedule(self.t, "next")

    def _ev_next(self) -> None:
        try:
            next(self._plan)
        except StopIteration:
            self._activity("idle", self.t_end - self.t, self.cfg.loads.idle_w)
            return
        except _Lost:
            return
        if not self.end:
            self.schedule(self.t, "next")

    # -- the rover's plan (a generator: one step per event) ---------------------------------
    def _rover_plan(self):
        cfg, env = self.cfg, self.env
        spacing = S.survey_spacing_m(cfg.area_m, cfg.traverse_goal_m,
                                     min_spacing_m=2 * max(env.dx_m, env.dy_m))
        wps = S.lawnmower(cfg.landing_xy, cfg.area_m, spacing)
        wps = np.array([self._clip_xy(p) for p in wps])
        grid = S.nearest_first(np.array([self._clip_xy(p) for p in
                                         S.grid_sites(cfg.landing_xy, cfg.area_m,
                                                      cfg.drill_sites)]), cfg.landing_xy) \
            if cfg.drill_sites else np.zeros((0, 2))
        block = max(1, len(wps) // max(cfg.drill_sites, 1))
        n_drilled = 0
        for i, wp in enumerate(wps):
            self._drive_to(self.env.cell(*wp), "survey")
            yield
            if cfg.drill_sites and n_drilled < cfg.drill_sites and (i + 1) % block == 0:
                site = self._choose_site(grid, n_drilled)
                if site is not None:
                    self._drive_to(self.env.cell(*site), "to drill site")
                    yield
                    self._drill_campaign(n_drilled, site)
                    n_drilled += 1
                    yield
        while n_drilled < cfg.drill_sites:  # survey done: the remaining campaigns
            site = self._choose_site(grid, n_drilled)
            if site is None:
                break
            self._drive_to(self.env.cell(*site), "to drill site")
            yield
            self._drill_campaign(n_drilled, site)
            n_drilled += 1
            yield

    def _clip_xy(self, p) -> tuple[float, float]:
        x = float(np.clip(p[0], self.env.x_m.min(), self.env.x_m.max()))
        y = float(np.clip(p[1], self.env.y_m.min(), self.env.y_m.max()))
        return x, y

    def _choose_site(self, grid: np.ndarray, i: int):
        cfg = self.cfg
        drilled = np.array([[d["x_m"], d["y_m"]] for d in self.drilled]).reshape(-1, 2)
        if cfg.strategy == "guided":
            ns = [m for m in self.meas if m["instrument"] == self.sci.neutron.name
                  and m["host"] == "rover"]
            if ns:
                site = S.guided_site(np.array([[m["x_m"], m["y_m"]] for m in ns]),
                                     np.array([m["value"] for m in ns]), drilled,
                                     separation_m=cfg.drill_separation_m)
                if site is not None:
                    return site
        return tuple(grid[i]) if i < len(grid) else None

    # -- integration primitives -------------------------------------------------------------
    def _integrate(self, t_b, cell, load_w, *, floor, target=0.0, stop_on_sun=False,
                   send=True, mode="idle"):
        cfg = self.cfg
        relay = (cfg.comms.relay and self.t < self.lander_alive_until and
                 self._dist(cell, self.lander_cell) <= cfg.comms.relay_range_m)
        rate = self.relay_rate if relay else self.rate
        gate = self.lander_cell if relay else cell
        t1, soc, stored, sent, smin, _, _, status = MK.integrate(
            self.t, t_b, cell, gate, load_w, cfg.comms.radio_w, self.soc, self.stored,
            self.env.sun_u8, self.env.earth_u8, self.array_w, rate, self.env.step_s, cfg.battery.capacity_wh,
            cfg.battery.charge_efficiency, cfg.battery.discharge_efficiency, floor, target,
            stop_on_sun, send, self.traces["soc_wh"], self.traces["stored_mb"],
            self.traces["sent_mb"], self.traces["mode"], MODE_CODES[mode])
        self.t, self.soc, self.stored = t1, soc, stored
        self.sent += sent
        self.soc_min_seen = min(self.soc_min_seen, smin)
        self._report_progress()
        return status

    def _dark(self, cell: int, t: float | None = None) -> bool:
        k = min(int((self.t if t is None else t) // self.env.step_s), self.env.n_steps - 1)
        return self.env.sun_u8[k, cell] == 0

    def _reserve_wh(self, cell: int) -> float:
        """Energy to hibernate from now to the forecast sunrise at ``cell`` [Wh]."""
        if not self._dark(cell):
            return 0.0
        k = int(self.t // self.env.step_s)
        k_sun = MK.next_sunlit_step(self.env.sun_u8, cell, k)
        dark_s = k_sun * self.env.step_s - self.t
        b = self.cfg.battery
        return dark_s / 3600.0 * self.cfg.loads.mode_w("hibernate") / b.discharge_efficiency

    def _floor(self, cell: int) -> float:
        b = self.cfg.battery
        hf = self._haven_floor()
        if hf is not None:  # the haven rule: keep the charge to reach safety
            return max(b.soc_min_wh, min(hf, 0.98 * b.capacity_wh))
        return max(b.soc_min_wh, min(self._reserve_wh(cell), 0.95 * b.capacity_wh))

    def _work(self, duration_s: float, load_w: float, mode: str, *,
              anywhere: bool = True) -> float:
        """Spend ``duration_s`` of work at the current cell, recovering when the charge runs low.

        Returns the work left undone [s]: 0, or (with ``anywhere=False``) what remained when a
        haven stay moved the rover away from its work cell (the caller goes back).
        """
        remaining = duration_s
        cell0 = self.cell
        while remaining > 1e-6 and self.t < self.t_end and not self.end:
            if self._unsafe():
                self._shelter("charge below the need to reach safety")
                if not anywhere and self.cell != cell0:
                    return remaining
                continue
            limit = remaining
            dark = self._dark(self.cell)
            if dark and not self._sheltering:
                allowed = self.cfg.active_in_shadow_s - self.dark_active
                if allowed <= 0:
                    self._recover("shadow time limit")
                    if not anywhere and self.cell != cell0:
                        return remaining
                    continue
                limit = min(limit, allowed)
            elif not dark:
                self.dark_active = 0.0
            t0 = self.t
            k_next = (int(self.t // self.env.step_s) + 1) * self.env.step_s
            t_b = min(self.t + limit, self.t_end, max(k_next, self.t + 1e-3)
                      if (dark or self.haven is not None) else self.t + limit)
            floor = 0.0 if self._sheltering else self._floor(self.cell)
            status = self._integrate(t_b, self.cell, load_w, floor=floor, mode=mode)
            done = self.t - t0
            remaining -= done
            if dark:
                self.dark_active += done
            if status == MK.STOP_FLOOR:
                self._recover("battery low")
                if not anywhere and self.cell != cell0:
                    return remaining
            elif status == MK.STOP_EMPTY:
                if self._sheltering:
                    self._lose_in_darkness(self.t) if dark else \
                        self._lose("the battery emptied while driving to a safe haven")
                else:
                    self._lose("the battery emptied while working")
            elif done <= 0 and status == MK.STOP_DONE:
                break
        return remaining if remaining > 1e-6 else 0.0

    def _recover(self, why: str) -> None:
        """Shelter by the haven rule, or (no haven within reach) hibernate in place until
        sunrise and charge to the resume level; an empty battery loses the rover."""
        if self.haven is not None and not self._doomed(self._need()):
            self._shelter(why)
            self.dark_active = 0.0
            return
        cfg = self.cfg
        target = cfg.soc_resume_fraction * cfg.battery.capacity_wh
        start = self.t
        soc0 = self.soc
        hib = cfg.loads.mode_w("hibernate")
        while self.t < self.t_end and not self.end:
            if self._dark(self.cell):
                self.hibernations += 1
                t_dark = self.t
                status = self._integrate(self.t_end, self.cell, hib, floor=0.0, stop_on_sun=True,
                                         send=False, mode="hibernate")
                if status == MK.STOP_EMPTY:
                    self._lose_in_darkness(t_dark)
                    return
                continue
            if self.soc >= target - 1e-6:
                break
            t0 = self.t
            status = self._integrate(self.t_end, self.cell, hib, floor=0.0, target=target,
                                     send=True, mode="charge")
            if status == MK.STOP_EMPTY:
                self._lose("the battery emptied while charging in weak sunlight")
                return
            if status == MK.STOP_FULL:
                break
            if self.t <= t0:
                break
        self.dark_active = 0.0
        self._log("recover", start, soc0, why)

    def _lose(self, detail: str) -> None:
        x, y = self.env.xy(self.cell)
        self.end = {"cause": "rover lost: battery", "time_s": self.t,
                    "detail": f"{detail} (x = {float(x):.0f} m, y = {float(y):.0f} m)"}
        self._log("lost", self.t, self.soc, self.end["detail"])

    def _activity(self, name: str, duration_s: float, load_w: float, detail: str = "") -> None:
        if self.end or self.t >= self.t_end:
            return
        t0, soc0 = self.t, self.soc
        mode = name if name in MODE_CODES else "science"
        self._work(duration_s, load_w, mode)
        self._log(name, t0, soc0, detail)

    # -- logging ----------------------------------------------------------------------------
    def _log(self, activity: str, t0: float, soc0: float, detail: str = "", *,
             distance_m: float = 0.0) -> None:
        x, y = self.env.xy(self.cell)
        cap = self.cfg.battery.capacity_wh
        self.timeline.append({"activity": activity, "start_s": t0, "end_s": self.t,
                              "x_m": float(x), "y_m": float(y), "distance_m": distance_m,
                              "soc_start": soc0 / cap, "soc_end": self.soc / cap,
                              "stored_mb": self.stored, "sent_mb": self.sent, "detail": detail})

    def _report_progress(self) -> None:
        if self.progress is None:
            return
        pct = int(100 * self.t / self.t_end)
        if pct != self._last_progress:
            self._last_progress = pct
            self.progress(min(pct, 100), 100)

    def result(self) -> MissionResult:
        return build_result(self)


def simulate(env: MissionEnvironment, cfg: MissionConfig, truth: Any, *,
             science: Science | None = None, seed: int = 0, progress=None) -> MissionResult:
    """Simulate one mission from touchdown to its end (module docstring).

    Parameters
    ----------
    env : MissionEnvironment
        Precomputed visibility, stations and terrain (shared by Monte Carlo runs).
    cfg : MissionConfig
        Vehicles, operations and uncertainties.
    truth : object with ``column(x_m, y_m) -> Column``
        The ground truth (:func:`lupex.mission.truth.make_truth`).
    science : Science, optional
        The instruments (defaults: :mod:`lupex.instruments` defaults, ``cfg.drill_depth_m``).
    seed : int
        Seed of the instruments' noise and the operations uncertainty (same seed, same mission).
    progress : callable, optional
        ``progress(done, total)`` in percent of the mission's time.

    Returns
    -------
    MissionResult
    """
    sci = science or Science(drill_depth_m=cfg.drill_depth_m)
    sim = _Sim(env, cfg, truth, sci, np.random.default_rng(seed), progress)
    sim.run()
    return sim.result()
