"""Field work in the mission timeline: drilling campaigns, the instruments at a drill site and
on every sample, and the bookkeeping of measurements and data (a mixin of
:class:`lupex.mission.timeline._Sim`).

At each drill site, before drilling: a ground-penetrating radar sounding (depth of the first
permittivity interface, e.g. the dry lag over ice-bearing regolith), an ALIS image cube (surface
hydration with its own lamp) and a PRATHIMA permittivity measurement (ice by a mixing model);
the exospheric mass spectrometer EMS-L and the MIR imager run as power and data loads (no
measurement model). Then the drill in steps (refusal in ice-cemented regolith), and on every
sample LTGA, TRITON, ADORE and ISAP (:mod:`lupex.mission.science`). Analyses run on board, so
they continue wherever the rover shelters; drilling resumes at its site.
"""

from __future__ import annotations

import math

from lupex.mission.science import rows_of


class FieldWork:
    """Drilling and science methods of the timeline."""

    def _ops_factor(self) -> float:
        s = self.cfg.ops_sigma
        return math.exp(self.rng.normal(0.0, s)) if s else 1.0

    def _site_work(self, m, x: float, y: float, site: int, what: str, cell: int,
                   *, anywhere: bool) -> bool:
        """Spend one measurement's time (science load + the instrument's own power) and record
        it; at ``cell`` unless ``anywhere`` (the rover drives back after a haven stay)."""
        t1, s1 = self.t, self.soc
        load = self.cfg.loads.science_w + (m.energy_wh * 3600.0 / max(m.duration_s, 1e-9)
                                           if m.host == "rover" else 0.0)
        if not self._work_at(m.duration_s * self._ops_factor(), load, "science", cell,
                             anywhere=anywhere):
            return False
        self._record(m, x, y, self.t, site=site)
        self._log("analyse", t1, s1, f"{m.instrument} {what}, site {site}")
        return True

    def _drill_campaign(self, i: int, site) -> None:
        if self.end or self.t >= self.t_end:
            return
        self._flush_ns()
        cell = self.cell
        x, y = self.env.xy(cell)
        x, y = float(x), float(y)
        col = self.truth.column(x, y)
        for m in self.sci.site_survey(col, self.rng):  # GPR, ALIS, PRATHIMA, EMS-L, MIR
            if not self._site_work(m, x, y, i + 1, "at the site", cell, anywhere=False):
                return
        res = self.sci.drill_column(col, self.rng)
        t0, soc0 = self.t, self.soc
        dur = res.duration_s * self._ops_factor()
        load = self.cfg.loads.drill_w + res.energy_wh * 3600.0 / max(res.duration_s, 1e-9)
        if not self._work_at(dur, load, "drill", cell, anywhere=False):
            return
        self._record(res, x, y, self.t)
        self._log("drill", t0, soc0, f"site {i + 1}: {len(res.samples)} samples to "
                  f"{res.depth_reached_m:.2f} m" + (" (refused)" if res.refused else ""))
        self.drilled.append({"site": i + 1, "x_m": x, "y_m": y,
                             "time_s": self.t, "depth_reached_m": res.depth_reached_m,
                             "refused": bool(res.refused), "column": col})
        for smp in res.samples:  # analysed on board: anywhere, also at a haven
            for m in self.sci.analyse(smp, self.rng):
                what = f"on {smp.top_m:.2f}-{smp.bottom_m:.2f} m"
                if not self._site_work(m, x, y, i + 1, what, cell, anywhere=True):
                    return

    def _work_at(self, duration_s: float, load_w: float, mode: str, cell: int, *,
                 anywhere: bool) -> bool:
        """Work ``duration_s`` at ``cell`` (or anywhere), going back after a haven stay; False
        when the mission ended or the site could not be reached again."""
        remaining = duration_s
        for _ in range(4):
            remaining = self._work(remaining, load_w, mode, anywhere=anywhere)
            if self.end or self.t >= self.t_end:
                return False
            if remaining <= 1e-6:
                return True
            if not self._drive_to(cell, "back to the drill site"):
                return False
        return False

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
