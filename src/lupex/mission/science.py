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

from lupex.instruments import alis as _alis
from lupex.instruments import drill as _drill
from lupex.instruments import isap as _isap
from lupex.instruments import loads as _loads
from lupex.instruments import neutron as _neutron
from lupex.instruments import prathima as _prathima
from lupex.instruments import radar as _radar
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
    if isinstance(m, _radar.RadarMeasurement):
        return [{**b, "quantity": "interface_depth", "value": m.depth_m,
                 "sigma": m.depth_sigma_m, "truth": m.depth_true_m, "unit": "m"}]
    if isinstance(m, _alis.ALISMeasurement):
        return [{**b, "quantity": "surface_H2O", "value": m.surface_h2o_wt_pct,
                 "sigma": m.surface_h2o_sigma_wt_pct, "truth": m.surface_h2o_true_wt_pct,
                 "unit": "wt%", "top_m": 0.0, "bottom_m": 0.0}]
    if isinstance(m, _prathima.PrathimaMeasurement):
        z = m.probe_depth_m
        return [{**b, "quantity": "permittivity", "value": m.permittivity,
                 "sigma": m.permittivity_sigma, "truth": m.permittivity_true, "unit": "1",
                 "top_m": z, "bottom_m": z},
                {**b, "quantity": "ice", "value": m.ice_wt_pct, "sigma": m.ice_sigma_wt_pct,
                 "truth": m.ice_true_wt_pct, "unit": "wt%", "top_m": z, "bottom_m": z}]
    if isinstance(m, _isap.ISAPMeasurement):  # detected (1) or not (0); truth: present
        return [{**b, "quantity": f"{k}_detected", "value": float(det), "sigma": math.nan,
                 "truth": float(m.true_wt_pct[k] > 0), "unit": "1", "top_m": m.top_m,
                 "bottom_m": m.bottom_m} for k, det in m.detected.items()]
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
    gpr: Any = field(default_factory=_radar.RadarSpec)
    isap: Any = field(default_factory=_isap.ISAPSpec)
    alis: Any = field(default_factory=_alis.ALISSpec)
    prathima: Any = field(default_factory=_prathima.PrathimaSpec)
    ems_l: Any = field(default_factory=_loads.EMS_L.model_copy)
    mir: Any = field(default_factory=_loads.MIR.model_copy)

    def __post_init__(self) -> None:
        if self.drill is None:
            self.drill = _drill.DrillSpec()
        if self.drill.max_depth_m < self.drill_depth_m:
            self.drill = self.drill.model_copy(update={"max_depth_m": self.drill_depth_m})

    @property
    def neutron_power_w(self) -> float:
        return float(self.neutron.power_w) if self.neutron.host == "rover" else 0.0

    @property
    def drive_power_w(self) -> float:
        """Instruments on while driving: the neutron spectrometer and the radar, if on the
        rover [W]."""
        return self.neutron_power_w + (float(self.gpr.power_w) if self.gpr.host == "rover"
                                       else 0.0)

    @property
    def neutron_integration_s(self) -> float:
        return float(self.neutron.duration_s)

    def survey(self, columns, duration_s: float, rng) -> Any:
        """A neutron reading over the columns driven across in ``duration_s``."""
        return _neutron.measure(columns, rng=rng, spec=self.neutron, duration_s=duration_s)

    def sound(self, column, rng) -> Any:
        """One radar sounding while driving (None when the radar rides on the lander)."""
        if self.gpr.host != "rover":
            return None
        return _radar.measure(column, rng=rng, spec=self.gpr)

    def _site(self, column, rng, host: str) -> list[Any]:
        out = []
        if self.gpr.host == host:
            out.append(_radar.measure(column, rng=rng, spec=self.gpr))
        if self.alis.host == host:
            out.append(_alis.measure(column, rng=rng, spec=self.alis))
        if self.prathima.host == host:
            out.append(_prathima.measure(column, rng=rng, spec=self.prathima))
        for load in (self.ems_l, self.mir):
            if load.host == host:
                out.append(_loads.operate(load))
        return out

    def site_survey(self, column, rng) -> list[Any]:
        """The rover's measurements at a drill site before drilling: GPR (interface depth),
        ALIS (surface hydration), PRATHIMA (permittivity, ice), EMS-L and MIR (loads)."""
        return self._site(column, rng, "rover")

    def drill_column(self, column, rng) -> Any:
        """A drilling campaign down to ``drill_depth_m`` (stops at refusal)."""
        return _drill.measure(column, rng=rng, spec=self.drill, target_depth_m=self.drill_depth_m)

    def analyse(self, sample, rng) -> list[Any]:
        """The sample analysers on one drilled sample (LTGA water, TRITON species, ADORE dD,
        ISAP Raman phases)."""
        return [_reiwa.measure_ltga(sample, rng=rng, spec=self.ltga),
                _reiwa.measure_triton(sample, rng=rng, spec=self.triton),
                _reiwa.measure_adore(sample, rng=rng, spec=self.adore),
                _isap.measure(sample, rng=rng, spec=self.isap)]

    def lander_site(self, column, rng) -> list[Any]:
        """Measurements of the lander-hosted survey instruments at the landing site."""
        out = []
        if self.neutron.host == "lander":
            out.append(_neutron.measure(column, rng=rng, spec=self.neutron))
        return out + self._site(column, rng, "lander")


def water_of(rows: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
    """Measured and true sample water [wt%] of the LTGA rows."""
    r = [x for x in rows if x.get("instrument") == "LTGA" and x.get("quantity") == "H2O"]
    return (np.array([x["value"] for x in r], float), np.array([x["truth"] for x in r], float))
