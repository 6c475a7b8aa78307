"""The haven rule of the timeline: work only while the battery can still reach safety.

A mixin of :class:`lupex.mission.timeline._Sim` that applies the survival field of
:mod:`lupex.mission.havens` (VIPER's "safe haven" operations, Colaprete et al. 2021; NASA VIPER
lunar operations):

- before each step of work the charge must exceed the need at the rover's cell
  (:meth:`lupex.mission.havens.HavenField.need_wh`) by ``haven_margin_fraction`` of the
  battery; work in shadow stops at that floor too, so an excursion into shadow (a PSR edge,
  the neutron survey) always keeps the energy to get back;
- below it the rover shelters: it drives to the cheapest haven node near it, then each step
  takes the field's best move (stay and charge or hibernate, or drive to a neighbouring haven
  ahead of the shadow), until it stands in sunlight with twice the margin above the need and at
  least ``soc_resume_fraction`` charged; then the plan resumes from where it is;
- where the need exceeds the battery's capacity (no haven within reach, e.g. a darkness
  everywhere longer than the battery carries), the rule steps aside once, with a timeline note,
  and the rover hibernates in place through darkness (its loss, if it comes, is reported with
  the darkness, the battery and the missing haven).
"""

from __future__ import annotations

import math

import numpy as np

from lupex.mission import _kernels as MK
from lupex.mission.havens import survival_field


def field_for(env, cfg, sci, *, array_w=None, pace=None):
    """The survival field of ``cfg``'s rover over ``env`` (cached on ``env.extra``: the
    Monte Carlo's runs and the stage's site screening share it)."""
    r = cfg.rover
    if array_w is None:
        inc = r.incidence_cos(env.sun_elevation_deg, env.sun_azimuth_deg)
        array_w = np.ascontiguousarray(r.array_rated_power_w * np.asarray(inc, float))
    if pace is None:
        sp = r.speed_m_s(env.slope_deg).ravel()
        sp = np.where(np.isfinite(sp), sp, 0.0)
        pace = np.where(sp > 0, 1.0 / np.where(sp > 0, sp, 1.0), np.inf)
    speed = float(r.speed_flat_m_s)
    drive_w = cfg.loads.drive_base_w + sci.drive_power_w + float(r.traction_power_w(0.0, speed))
    key = ("haven", cfg.loads, cfg.battery, sci.drive_power_w, r.model_dump_json())
    cache = env.extra.setdefault("_havens", {})
    if key not in cache:
        cache.clear()  # one field per environment and vehicle
        cache[key] = survival_field(
            env, array_w, np.array(pace, float), hibernate_w=cfg.loads.mode_w("hibernate"),
            drive_w=drive_w, capacity_wh=cfg.battery.capacity_wh,
            charge_efficiency=cfg.battery.charge_efficiency,
            discharge_efficiency=cfg.battery.discharge_efficiency)
    return cache[key]


class Shelter:
    """Haven methods of the timeline."""

    def _haven_setup(self) -> None:
        cfg = self.cfg
        self.haven = None
        self.shelters = 0
        self.shelter_s = 0.0
        self._sheltering = False
        self._no_haven_noted = False
        self._node_of_cell: dict[int, int] = {}
        self._unreachable: set[int] = set()
        cap = cfg.battery.capacity_wh
        self._margin = cfg.haven_margin_fraction * cap
        if not cfg.havens:
            return
        self.haven = field_for(self.env, cfg, self.sci, array_w=self.array_w, pace=self.pace)
        self._node_of_cell = {int(c): a for a, c in enumerate(self.haven.nodes)}

    def _need(self) -> float:
        """Least charge from which the rover can still live to the end [Wh] (0: no field)."""
        if self.haven is None:
            return 0.0
        return self.haven.need_wh(self.cell, self.t)

    def _need_ahead(self) -> float:
        """The need here now and one visibility step on, whichever is larger [Wh].

        The field's need can jump within one step from below the battery to beyond it (the
        last moment to leave ahead of a sweeping shadow): an energy margin is no time margin,
        so the work rule looks one step ahead and shelters while leaving is still possible.
        """
        if self.haven is None:
            return 0.0
        now = self.haven.need_wh(self.cell, self.t)
        ahead = self.haven.need_wh(self.cell, min(self.t + self.env.step_s, self.t_end))
        return min(max(now, ahead), 2.0 * self.cfg.battery.capacity_wh)

    def _doomed(self, need: float) -> bool:
        """True where no haven sequence survives even from a full battery (noted once)."""
        if need <= self.cfg.battery.capacity_wh:
            return False
        if not self._no_haven_noted:
            self._no_haven_noted = True
            self._log("no haven", self.t, self.soc, "no safe haven within reach: every cell "
                      "near the rover faces a darkness the battery cannot carry; the rover "
                      "hibernates in place through darkness")
        return True

    def _unsafe(self) -> bool:
        if self.haven is None or self._sheltering:
            return False
        need = self._need()
        return not self._doomed(need) and self.soc < self._need_ahead() + self._margin

    def _haven_floor(self) -> float | None:
        """The work floor of the haven rule [Wh], or None where it does not apply."""
        if self.haven is None or self._sheltering:
            return None
        need = self._need()
        return None if self._doomed(need) else self._need_ahead() + self._margin

    def _may_resume(self) -> bool:
        """True where a haven stay would end at once: lit, with twice the margin above the
        need and at least ``soc_resume_fraction`` charged."""
        cap = self.cfg.battery.capacity_wh
        resume = max(self.cfg.soc_resume_fraction * cap, 0.0)
        return (not self._dark(self.cell)
                and self.soc >= max(self._need_ahead() + 2 * self._margin, resume) - 1e-6)

    def _step_unsafe(self, b: int, dur_s: float, load_w: float) -> bool:
        """True where driving on to the next route cell ``b`` (``dur_s`` at ``load_w``) would
        arrive with less than the need there plus the margin.

        The rule must hold at the cell the rover steps onto, not only where it stands: one
        edge of a slow rover can take an hour, and in front of a sweeping shadow the need of
        the next cell an hour later can exceed the need here by more than the margin (the
        demo: 773 Wh here, 1478 Wh one 80 m cell on). The edge's energy is the battery model
        with the array on the darker of its two ends (as in the survival field), plus the
        radio while data wait.
        """
        if self.haven is None or self._sheltering or self._doomed(self._need()):
            return False
        cfg, env, bat = self.cfg, self.env, self.cfg.battery
        load = load_w + (cfg.comms.radio_w if self.stored > 0 else 0.0)
        soc, t = self.soc, self.t
        t_arrive = min(self.t + dur_s, self.t_end)
        while t < t_arrive - 1e-9:
            k = min(int(t // env.step_s), env.n_steps - 1)
            seg = max(min((k + 1) * env.step_s, t_arrive) - t, 1e-9)
            sun = min(int(env.sun_u8[k, self.cell]), int(env.sun_u8[k, b]))
            net = float(self.array_w[k]) * sun / 254.0 - load
            rate = net * bat.charge_efficiency if net >= 0 else net / bat.discharge_efficiency
            soc = min(soc + rate * seg / 3600.0, bat.capacity_wh)
            t += seg
        return soc < self.haven.need_wh(b, t_arrive) + self._margin

    def _shelter(self, why: str) -> None:
        """Follow the survival field until the rover may work again (module docstring)."""
        cfg, env, hf = self.cfg, self.env, self.haven
        cap = cfg.battery.capacity_wh
        resume = max(cfg.soc_resume_fraction * cap, 0.0)
        t0, soc0 = self.t, self.soc
        self._sheltering = True
        self.shelters += 1
        moved = 0.0
        was_dark = False
        try:
            if self.cell not in self._node_of_cell:
                for _need, a, _tau in hf.approach(self.cell, self.t)[:3]:
                    d0 = self.distance
                    ok = self._drive_to(int(hf.nodes[a]), "to a safe haven")
                    moved += self.distance - d0
                    if ok or self.end:
                        break
            while not self.end and self.t < self.t_end - 1e-6:
                need = self._need()
                lit = not self._dark(self.cell)
                if self._may_resume():
                    break
                if need > cap and self.soc >= resume and lit:
                    break  # no haven can help any more: back to work (noted by _doomed)
                node = self._node_of_cell.get(self.cell)
                moved_now = False
                for v, b, _tau in (hf.moves(node, self.t)[:4] if node is not None else []):
                    if b == node or not math.isfinite(v):
                        break  # staying is best (or nothing better): wait this step
                    if b in self._unreachable:
                        continue
                    d0 = self.distance
                    ok = self._drive_to(int(hf.nodes[b]), "haven to haven ahead of the shadow")
                    moved += self.distance - d0
                    if ok:
                        moved_now = True
                        break
                    self._unreachable.add(b)  # blocked: the next best, and again tomorrow
                if moved_now or self.end:
                    continue
                k = int(self.t // env.step_s)
                if k % 24 == 0:
                    self._unreachable.clear()
                t_b = min((k + 1) * env.step_s, self.t_end)
                dark = self._dark(self.cell)
                self.hibernations += int(dark and not was_dark)
                was_dark = dark
                st = self._integrate(t_b, self.cell, cfg.loads.mode_w("hibernate"), floor=0.0,
                                     send=True, mode="hibernate" if dark else "charge")
                if st == MK.STOP_EMPTY:
                    self._lose_in_darkness(self.t)
                    return
        finally:
            self._sheltering = False
            self.shelter_s += self.t - t0
        x, y = env.xy(self.cell)
        self._log("haven", t0, soc0, f"{why}: sheltered {(self.t - t0) / 3600:.1f} h at "
                  f"x = {float(x):.0f} m, y = {float(y):.0f} m after {moved:.0f} m "
                  f"(charge needed to live to the end there: {self._need():.0f} Wh)",
                  distance_m=moved)

    def _lose_in_darkness(self, t_dark: float) -> None:
        """The battery emptied in a darkness: lose the rover with the numbers."""
        cfg, env = self.cfg, self.env
        hib = cfg.loads.mode_w("hibernate")
        k = int(t_dark // env.step_s)
        k0 = k
        while k0 > 0 and env.sun_u8[k0 - 1, self.cell] == 0:
            k0 -= 1
        k_sun = MK.next_sunlit_step(env.sun_u8, self.cell, k)
        dark_h = (k_sun - k0) * env.step_s / 3600.0
        cap = cfg.battery.capacity_wh
        carry = cap * cfg.battery.discharge_efficiency / hib
        why = ""
        if self.haven is not None:
            need = self.haven.need_wh(self.cell, t_dark)  # when the fatal stretch began
            why = ("; no safe haven was within reach" if not math.isfinite(need) or need > cap
                   else f"; the survival field needed {need:.0f} Wh here at "
                   f"{env.utc(t_dark)}")
        self._lose(f"a darkness of {dark_h:.1f} h at this cell (from {env.utc(k0 * env.step_s)}) "
                   f"outlasted the battery: a full {cap:.0f} Wh carries {carry:.1f} h at "
                   f"{hib:.0f} W of hibernation and survival heating{why}")
