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

Limits: one rover and one lander, no resource contention (one radio per vehicle); the lander
stays where it landed; Earth-Moon distance and station elevation do not change the rate.
"""

from __future__ import annotations

import heapq
import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lupex.errors import InfeasibleError, ParameterError
from lupex.mission import _kernels as MK
from lupex.mission import strategy as S
from lupex.mission.environment import MissionEnvironment
from lupex.mission.science import Science, rows_of
from lupex.traverse import _kernels as TK
from lupex.vehicles.comms import Comms, best_rate_kbps
from lupex.vehicles.power import Battery, PowerLoads
from lupex.vehicles.rover import Rover

NS_COLUMNS = 4
"""Columns sampled along the path of one moving neutron reading (evenly spaced)."""

MODE_CODES = {"idle": 1, "drive": 2, "science": 3, "drill": 4, "hibernate": 5, "charge": 6,
              "egress": 7, "commissioning": 8, "lost": 9}


@dataclass(frozen=True)
class LanderPower:
    """The lander as a power and comms system (values of ``[mission]``)."""

    array_w: float = 700.0
    battery_wh: float = 3000.0
    idle_w: float = 150.0
    hibernate_w: float = 40.0
    dte_rate_kbps: float = 128.0


@dataclass(frozen=True)
class MissionConfig:
    """Everything one simulation needs, resolved (see :func:`lupex.mission.config_from_scenario`).

    Durations in seconds, distances in metres.
    """

    rover: Rover
    loads: PowerLoads
    battery: Battery
    comms: Comms
    landing_xy: tuple[float, float]
    duration_s: float
    area_m: float = 1000.0
    traverse_goal_m: float = 10000.0
    egress_s: float = 48 * 3600.0
    commissioning_s: float = 120 * 3600.0
    drill_sites: int = 8
    drill_depth_m: float = 1.5
    strategy: str = "guided"
    drill_separation_m: float = 50.0
    soc_resume_fraction: float = 0.6
    active_in_shadow_s: float = 8 * 3600.0
    speed_sigma: float = 0.0
    ops_sigma: float = 0.0
    hazard_per_km: float = 0.0
    replan_window_s: float = 72 * 3600.0
    lander: LanderPower = field(default_factory=LanderPower)
    hazard_cells: tuple[int, ...] = ()
    replan: str = "planner"

    def __post_init__(self) -> None:
        if self.strategy not in ("guided", "grid"):
            raise ParameterError(f"mission.strategy = {self.strategy!r}; use 'guided' or 'grid'.")
        if self.replan not in ("planner", "static"):
            raise ParameterError(f"replan = {self.replan!r}; use 'planner' or 'static'.")
        if self.duration_s <= 0:
            raise ParameterError(f"mission duration {self.duration_s!r} s must be > 0.")


@dataclass
class MissionResult:
    """What one simulation produced.

    ``timeline`` and ``measurements`` are :class:`pandas.DataFrame` (the CSV tables); ``route``
    is (time_s, x_m, y_m) per driven vertex; ``traces`` per step: ``soc_wh``, ``stored_mb``,
    ``sent_mb``, ``mode``, ``lander_soc_wh``; ``summary`` the numbers of ``summary.json``.
    """

    timeline: Any
    measurements: Any
    route: np.ndarray
    traces: dict[str, np.ndarray]
    summary: dict[str, Any]
    drill_sites: list[dict[str, Any]]


class _Lost(Exception):
    """The rover's battery emptied."""


class _Sim:
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
        self._lander_science()
        self._simulate_lander()
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
        return max(b.soc_min_wh, min(self._reserve_wh(cell), 0.95 * b.capacity_wh))

    def _work(self, duration_s: float, load_w: float, mode: str) -> None:
        """Spend ``duration_s`` of work at the current cell, recovering when the charge runs low."""
        remaining = duration_s
        while remaining > 1e-6 and self.t < self.t_end and not self.end:
            limit = remaining
            if self._dark(self.cell):
                allowed = self.cfg.active_in_shadow_s - self.dark_active
                if allowed <= 0:
                    self._recover("shadow time limit")
                    continue
                limit = min(limit, allowed)
            else:
                self.dark_active = 0.0
            t0 = self.t
            k_next = (int(self.t // self.env.step_s) + 1) * self.env.step_s
            t_b = min(self.t + limit, self.t_end, max(k_next, self.t + 1e-3) if
                      self._dark(self.cell) else self.t + limit)
            status = self._integrate(t_b, self.cell, load_w, floor=self._floor(self.cell),
                                     mode=mode)
            done = self.t - t0
            remaining -= done
            if self._dark(self.cell, t0):
                self.dark_active += done
            if status == MK.STOP_FLOOR:
                self._recover("battery low")
            elif status == MK.STOP_EMPTY:
                self._lose("the battery emptied while working")
            elif done <= 0 and status == MK.STOP_DONE:
                break

    def _recover(self, why: str) -> None:
        """Hibernate until sunrise, then charge to the resume level (or lose the rover)."""
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
                    k = int(t_dark // self.env.step_s)
                    k_sun = MK.next_sunlit_step(self.env.sun_u8, self.cell, k)
                    dark_h = (k_sun * self.env.step_s - t_dark) / 3600.0
                    usable = soc0 if soc0 > 0 else self.soc
                    self._lose(
                        f"a darkness of {dark_h:.1f} h at this cell (from {self.env.utc(t_dark)}) "
                        f"outlasted the battery: {usable:.0f} Wh carried "
                        f"{usable * cfg.battery.discharge_efficiency / hib:.1f} h at {hib:.0f} W "
                        "of hibernation and survival heating")
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

    # -- driving ----------------------------------------------------------------------------
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

    def _drive_to(self, goal: int, purpose: str) -> None:
        if self.end or self.t >= self.t_end or goal == self.cell:
            return
        t0, soc0, d0 = self.t, self.soc, self.distance
        path = self._static_path(self.cell, goal)
        note = ""
        if path is None:
            self._log("drive", t0, soc0, f"{purpose}: no route on the known map; leg skipped")
            return
        cfg, r = self.cfg, self.cfg.rover
        factor = math.exp(self.rng.normal(0.0, cfg.speed_sigma)) if cfg.speed_sigma else 1.0
        i = 0
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
                + self.sci.neutron_power_w
            t_leg = self.t
            self._work(dur, load, "drive")
            if self.end or self.t >= self.t_end:
                break
            self.distance += l3
            self.cell = b
            xb, yb = self.env.xy(b)
            self.route.append((self.t, float(xb), float(yb)))
            self._neutron_drive(b, self.t - t_leg)
            i += 1
        self._log("drive", t0, soc0, f"{purpose}" + (f"; {note}" if note else ""),
                  distance_m=self.distance - d0)

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
        self._pending_ns_xy, self._ns_time = [], 0.0

    # -- drilling and science ---------------------------------------------------------------
    def _ops_factor(self) -> float:
        s = self.cfg.ops_sigma
        return math.exp(self.rng.normal(0.0, s)) if s else 1.0

    def _drill_campaign(self, i: int, site) -> None:
        if self.end or self.t >= self.t_end:
            return
        self._flush_ns()
        x, y = self.env.xy(self.cell)
        col = self.truth.column(float(x), float(y))
        res = self.sci.drill_column(col, self.rng)
        t0, soc0 = self.t, self.soc
        f = self._ops_factor()
        dur = res.duration_s * f
        load = self.cfg.loads.drill_w + res.energy_wh * 3600.0 / max(res.duration_s, 1e-9)
        self._work(dur, load, "drill")
        if self.end or self.t >= self.t_end:
            return
        self._record(res, float(x), float(y), self.t)
        self._log("drill", t0, soc0, f"site {i + 1}: {len(res.samples)} samples to "
                  f"{res.depth_reached_m:.2f} m" + (" (refused)" if res.refused else ""))
        self.drilled.append({"site": i + 1, "x_m": float(x), "y_m": float(y),
                             "time_s": self.t, "depth_reached_m": res.depth_reached_m,
                             "refused": bool(res.refused), "column": col})
        for smp in res.samples:
            for m in self.sci.analyse(smp, self.rng):
                if self.end or self.t >= self.t_end:
                    return
                t1, s1 = self.t, self.soc
                load = self.cfg.loads.science_w + (m.energy_wh * 3600.0 / m.duration_s
                                                   if m.host == "rover" else 0.0)
                self._work(m.duration_s * self._ops_factor(), load, "science")
                if self.t >= self.t_end or self.end:
                    return
                self._record(m, float(x), float(y), self.t, site=i + 1)
                self._log("analyse", t1, s1, f"{m.instrument} on {smp.top_m:.2f}-"
                          f"{smp.bottom_m:.2f} m, site {i + 1}")

    def _record(self, m, x: float, y: float, t: float, *, site: int | None = None) -> None:
        for row in rows_of(m):
            row.update(time_s=t, x_m=x, y_m=y, site=site)
            self.meas.append(row)
        if m.host == "rover":
            self._store(m.data_mb)
        else:
            self.lander_stored += m.data_mb
        self.generated += m.data_mb

    def _store(self, mb: float) -> None:
        room = self.cfg.comms.storage_mb - self.stored
        take = min(mb, max(room, 0.0))
        self.stored += take
        self.lost_mb += mb - take

    # -- lander -----------------------------------------------------------------------------
    def _lander_science(self) -> None:
        x, y = self.env.xy(self.lander_cell)
        col = self.truth.column(float(x), float(y))
        for m in self.sci.lander_site(col, self.rng):
            self._record(m, float(x), float(y), m.duration_s)

    def _simulate_lander(self) -> None:
        """The lander over the whole mission at its cell: awake in sunlight, hibernating in
        darkness, downlinking its data; lost when a darkness outlasts its battery."""
        lp, cfg, env = self.cfg.lander, self.cfg, self.env
        arr = np.ascontiguousarray(lp.array_w * self.array_w
                                   / max(cfg.rover.array_rated_power_w, 1e-9))
        t, soc, stored = 0.0, lp.battery_wh, self.lander_stored
        c = self.lander_cell
        tr = self.traces
        while t < self.t_end - 1e-6:
            k = min(int(t // env.step_s), env.n_steps - 1)
            dark = env.sun_u8[k, c] == 0
            if dark:
                t_b, load, mode = self.t_end, lp.hibernate_w, "hibernate"
            else:
                t_b = min(MK.next_dark_step(env.sun_u8, c, k) * env.step_s, self.t_end)
                load, mode = lp.idle_w, "idle"
            t1, soc, stored, sent, _, _, _, st = MK.integrate(
                t, t_b, c, c, load, cfg.comms.radio_w, soc, stored, env.sun_u8, env.earth_u8,
                arr, self.lander_rate, env.step_s, lp.battery_wh, cfg.battery.charge_efficiency,
                cfg.battery.discharge_efficiency, 0.0, 0.0, dark, not dark,
                tr["lander_soc_wh"], tr["lander_stored_mb"], tr["lander_sent_mb"],
                self.lander_mode, MODE_CODES[mode])
            self.lander_sent += sent
            if st == MK.STOP_EMPTY:
                self.lander_alive_until = t1
                break
            t = t1 if t1 > t else (k + 1) * env.step_s
        self.lander_stored = stored

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

    # -- result -----------------------------------------------------------------------------
    def result(self) -> MissionResult:
        import pandas as pd

        from lupex.mission.science import ROW_FIELDS

        env, cfg = self.env, self.cfg
        tl = pd.DataFrame(self.timeline)
        if len(tl):
            tl.insert(0, "start_utc", [str(v) for v in env.utc(tl["start_s"].to_numpy())])
            tl.insert(1, "end_utc", [str(v) for v in env.utc(tl["end_s"].to_numpy())])
            tl["duration_h"] = (tl["end_s"] - tl["start_s"]) / 3600.0
        cols = ["time_utc", "time_s", "site", "x_m", "y_m", *ROW_FIELDS]
        ms = pd.DataFrame(self.meas, columns=[c for c in cols if c != "time_utc"])
        ms.insert(0, "time_utc", [str(v) for v in env.utc(ms["time_s"].to_numpy())])
        ltga = ms[(ms["instrument"] == self.sci.ltga.name) & (ms["quantity"] == "H2O")]
        found = float(ltga["value"].mean()) if len(ltga) else math.nan
        truth = float(ltga["truth"].mean()) if len(ltga) else math.nan
        end = dict(self.end)
        end["time_utc"] = str(env.utc(end.get("time_s", self.t_end)))
        end["day"] = end.get("time_s", self.t_end) / 86400.0
        soc = self.traces["soc_wh"]
        summary = {
            "preset_duration_days": cfg.duration_s / 86400.0,
            "strategy": cfg.strategy,
            "distance_driven_m": self.distance,
            "measurements": len(ms),
            "neutron_readings": int((ms["instrument"] == self.sci.neutron.name).sum()),
            "samples": len(ltga),
            "drill_sites": len(self.drilled),
            "water_found_wt_pct": found,
            "water_truth_wt_pct": truth,
            "water_max_found_wt_pct": float(ltga["value"].max()) if len(ltga) else math.nan,
            "water_area_truth_wt_pct": self._area_truth(),
            "data_generated_mb": self.generated,
            "data_returned_mb": self.sent + self.lander_sent,
            "data_lost_mb": self.lost_mb,
            "data_on_board_mb": self.stored,
            "min_state_of_charge": float(np.nanmin(soc) / cfg.battery.capacity_wh)
            if np.isfinite(soc).any() else float(self.soc / cfg.battery.capacity_wh),
            "hibernations": self.hibernations,
            "obstacles": self.obstacles,
            "replans": self.replans,
            "lander_alive_days": self.lander_alive_until / 86400.0,
            "end_of_mission": end,
        }
        sites = [{k: v for k, v in d.items() if k != "column"} for d in self.drilled]
        return MissionResult(timeline=tl, measurements=ms, route=np.asarray(self.route, float),
                             traces={**self.traces, "lander_mode": self.lander_mode},
                             summary=summary, drill_sites=sites)

    def _area_truth(self, n: int = 15) -> float:
        """Mean true water over the exploration area, surface to drill depth [wt%] (n x n)."""
        c = self.cfg
        h = c.area_m / 2.0
        vals = []
        for x in np.linspace(c.landing_xy[0] - h, c.landing_xy[0] + h, n):
            for y in np.linspace(c.landing_xy[1] - h, c.landing_xy[1] + h, n):
                x2, y2 = self._clip_xy((x, y))
                vals.append(self.truth.column(x2, y2).mean_wt_pct(0.0, c.drill_depth_m))
        return float(np.mean(vals))


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
