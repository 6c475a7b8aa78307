"""From the timeline's final state to a :class:`lupex.mission.model.MissionResult`: the
timeline and measurement tables, the traces and the numbers of ``summary.json``."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from lupex.mission.model import MissionResult


def build_result(self: Any) -> MissionResult:
    """The :class:`MissionResult` of a finished simulation ``self`` (the timeline's state)."""
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
        "water_area_truth_wt_pct": area_truth(self),
        "data_generated_mb": self.generated,
        "data_returned_mb": self.sent + self.lander_sent,
        "data_lost_mb": self.lost_mb,
        "data_on_board_mb": self.stored,
        "min_state_of_charge": float(np.nanmin(soc) / cfg.battery.capacity_wh)
        if np.isfinite(soc).any() else float(self.soc / cfg.battery.capacity_wh),
        "hibernations": self.hibernations,
        "haven_stays": self.shelters,
        "haven_hours": self.shelter_s / 3600.0,
        "obstacles": self.obstacles,
        "replans": self.replans,
        "lander_alive_days": self.lander_alive_until / 86400.0,
        "end_of_mission": end,
    }
    sites = [{k: v for k, v in d.items() if k != "column"} for d in self.drilled]
    return MissionResult(timeline=tl, measurements=ms, route=np.asarray(self.route, float),
                         traces={**self.traces, "lander_mode": self.lander_mode},
                         summary=summary, drill_sites=sites)

def area_truth(self: Any, n: int = 15) -> float:
    """Mean true water over the exploration area, surface to drill depth [wt%] (n x n)."""
    c = self.cfg
    h = c.area_m / 2.0
    vals = []
    for x in np.linspace(c.landing_xy[0] - h, c.landing_xy[0] + h, n):
        for y in np.linspace(c.landing_xy[1] - h, c.landing_xy[1] + h, n):
            x2, y2 = self._clip_xy((x, y))
            vals.append(self.truth.column(x2, y2).mean_wt_pct(0.0, c.drill_depth_m))
    return float(np.mean(vals))
