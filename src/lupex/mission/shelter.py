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

from lupex.mission import _kernels as MK
from lupex.mission.havens import survival_field


class Shelter:
    """Haven methods of the timeline."""

    def _haven_setup(self) -> None:
        cfg, r = self.cfg, self.cfg.rover
        self.haven = None
        self.shelters = 0
        self.shelter_s = 0.0
        self._sheltering = False
        self._no_haven_noted = False
        self._node_of_cell: dict[int, int] = {}
        cap = cfg.battery.capacity_wh
        self._margin = cfg.haven_margin_fraction * cap
        if not cfg.havens:
            return
        speed = float(r.speed_flat_m_s)
        drive_w = cfg.loads.drive_base_w + self.sci.drive_power_w \
            + float(r.traction_power_w(0.0, speed))
        key = ("haven", cfg.loads, cfg.battery, self.sci.drive_power_w, r.model_dump_json())
        cache = self.env.extra.setdefault("_havens", {})
        if key not in cache:
            cache.clear()  # one field per environment and vehicle
            cache[key] = survival_field(
                self.env, self.array_w, self.pace.copy(), hibernate_w=cfg.loads.mode_w("hibernate"),
                drive_w=drive_w, capacity_wh=cap, charge_efficiency=cfg.battery.charge_efficiency,
                discharge_efficiency=cfg.battery.discharge_efficiency)
        self.haven = cache[key]
        self._node_of_cell = {int(c): a for a, c in enumerate(self.haven.nodes)}

    def _need(self) -> float:
        """Least charge from which the rover can still live to the end [Wh] (0: no field)."""
        if self.haven is None:
            return 0.0
        return self.haven.need_wh(self.cell, self.t)

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
        return not self._doomed(need) and self.soc < need + self._margin

    def _haven_floor(self) -> float | None:
        """The work floor of the haven rule [Wh], or None where it does not apply."""
        if self.haven is None or self._sheltering:
            return None
        need = self._need()
        return None if self._doomed(need) else need + self._margin

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
                appr = hf.approach(self.cell, self.t)
                if appr:
                    d0 = self.distance
                    self._drive_to(int(hf.nodes[appr[0][1]]), "to a safe haven")
                    moved += self.distance - d0
            while not self.end and self.t < self.t_end - 1e-6:
                need = self._need()
                lit = not self._dark(self.cell)
                if lit and self.soc >= max(need + 2 * self._margin, resume) - 1e-6:
                    break
                if need > cap and self.soc >= resume and lit:
                    break  # no haven can help any more: back to work (noted by _doomed)
                node = self._node_of_cell.get(self.cell)
                if node is not None:
                    b, _tau, _v = hf.best_move(node, self.t)
                    if b != node:
                        d0 = self.distance
                        if self._drive_to(int(hf.nodes[b]), "haven to haven ahead of the "
                                          "shadow"):
                            moved += self.distance - d0
                            continue
                k = int(self.t // env.step_s)
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
            need = self.haven.need_wh(self.cell, k0 * env.step_s)
            why = ("; no safe haven was within reach" if not math.isfinite(need) or need > cap
                   else f"; the survival field needed {need:.0f} Wh here")
        self._lose(f"a darkness of {dark_h:.1f} h at this cell (from {env.utc(k0 * env.step_s)}) "
                   f"outlasted the battery: a full {cap:.0f} Wh carries {carry:.1f} h at "
                   f"{hib:.0f} W of hibernation and survival heating{why}")
