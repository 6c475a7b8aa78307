"""The instruments as the timeline uses them: survey, drill, analyse, lander site; rows out.

A thin adapter over :mod:`lupex.instruments` (the models and their sources live there): it picks
each instrument's spec, calls its ``measure`` and turns every measurement into one table row
(``value``, ``sigma``, ``truth``, ``unit`` plus the costs every measurement reports). The
measurement table is the contract of ``tables/measurements.csv``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lupex.instruments import drill as _drill
from lupex.instruments import neutron as _neutron
from lupex.instruments import reiwa as _reiwa

ROW_FIELDS = ("instrument", "host", "quantity", "value", "sigma", "truth", "unit", "top_m",
              "bottom_m", "duration_s", "energy_wh", "data_mb")


def _base(m: Any) -> dict[str, Any]:
    return {"instrument": m.instrument, "host": m.host, "duration_s": float(m.duration_s),
            "energy_wh": float(m.energy_wh), "data_mb": float(m.data_mb),
            "top_m": math.nan, "bottom_m": math.nan}


def rows_of(m: Any) -> list[dict[str, Any]]:
    """Table rows of one measurement (one per quantity it reports)."""
    b = _base(m)
    if isinstance(m, _neutron.NeutronMeasurement):
        return [{**b, "quantity": "WEH", "value": m.weh_wt_pct, "sigma": m.weh_sigma_wt_pct,
                 "truth": m.weh_true_wt_pct, "unit": "wt%"}]
    if isinstance(m, _reiwa.LTGAMeasurement):
        return [{**b, "quantity": "H2O", "value": m.h2o_wt_pct, "sigma": m.h2o_sigma_wt_pct,
                 "truth": m.h2o_true_wt_pct, "unit": "wt%", "top_m": m.top_m,
                 "bottom_m": m.bottom_m}]
    if isinstance(m, _reiwa.TritonMeasurement):
        return [{**b, "quantity": k, "value": r.wt_pct, "sigma": r.sigma_wt_pct,
                 "truth": r.true_wt_pct, "unit": "wt%", "top_m": m.top_m, "bottom_m": m.bottom_m}
                for k, r in m.species.items()]
    if isinstance(m, _reiwa.AdoreMeasurement):
        return [{**b, "quantity": "dD", "value": m.dh_vsmow_permil if m.measured else math.nan,
                 "sigma": m.dh_sigma_permil, "truth": m.dh_true_vsmow_permil,
                 "unit": "permil VSMOW"}]
    if isinstance(m, _drill.DrillResult):
        return [{**b, "quantity": "depth_reached", "value": m.depth_reached_m, "sigma": 0.0,
                 "truth": m.depth_reached_m, "unit": "m", "top_m": 0.0,
                 "bottom_m": m.depth_reached_m}]
    return [{**b, "quantity": "", "value": math.nan, "sigma": math.nan, "truth": math.nan,
             "unit": ""}]


@dataclass
class Science:
    """The instrument suite of a mission (specs default to the instrument modules' defaults).

    ``drill_depth_m`` sets how deep each campaign drills (the preset's drill reach).
    """

    drill_depth_m: float = 1.5
    neutron: Any = field(default_factory=_neutron.NeutronSpec)
    drill: Any = None
    ltga: Any = field(default_factory=_reiwa.LTGASpec)
    triton: Any = field(default_factory=_reiwa.TritonSpec)
    adore: Any = field(default_factory=_reiwa.AdoreSpec)

    def __post_init__(self) -> None:
        if self.drill is None:
            self.drill = _drill.DrillSpec()
        if self.drill.max_depth_m < self.drill_depth_m:
            self.drill = self.drill.model_copy(update={"max_depth_m": self.drill_depth_m})

    @property
    def neutron_power_w(self) -> float:
        return float(self.neutron.power_w) if self.neutron.host == "rover" else 0.0

    @property
    def neutron_integration_s(self) -> float:
        return float(self.neutron.duration_s)

    def survey(self, columns, duration_s: float, rng) -> Any:
        """A neutron reading over the columns driven across in ``duration_s``."""
        return _neutron.measure(columns, rng=rng, spec=self.neutron, duration_s=duration_s)

    def drill_column(self, column, rng) -> Any:
        """A drilling campaign down to ``drill_depth_m`` (stops at refusal)."""
        return _drill.measure(column, rng=rng, spec=self.drill, target_depth_m=self.drill_depth_m)

    def analyse(self, sample, rng) -> list[Any]:
        """The sample analysers on one drilled sample (LTGA water, TRITON species, ADORE dD)."""
        return [_reiwa.measure_ltga(sample, rng=rng, spec=self.ltga),
                _reiwa.measure_triton(sample, rng=rng, spec=self.triton),
                _reiwa.measure_adore(sample, rng=rng, spec=self.adore)]

    def lander_site(self, column, rng) -> list[Any]:
        """Measurements of the lander-hosted survey instruments at the landing site."""
        out = []
        if self.neutron.host == "lander":
            out.append(_neutron.measure(column, rng=rng, spec=self.neutron))
        return out


def water_of(rows: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
    """Measured and true sample water [wt%] of the LTGA rows."""
    r = [x for x in rows if x.get("instrument") == "LTGA" and x.get("quantity") == "H2O"]
    return (np.array([x["value"] for x in r], float), np.array([x["truth"] for x in r], float))
