"""The ``[instruments]`` table: one spec per LUPEX instrument (host, power, duration, data,
footprint, model parameters), each default with its source or marked "estimate".

Public sources disagree on which instrument sits where (JAXA's LUPEX page lists every
instrument on the rover; other accounts put ISRO's on the lander), so each spec's ``host`` is
a value, not a rule.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from lupex.instruments.alis import ALISSpec
from lupex.instruments.base import InstrumentSpec
from lupex.instruments.drill import DrillSpec
from lupex.instruments.isap import ISAPSpec
from lupex.instruments.loads import EMS_L, MIR, LoadSpec
from lupex.instruments.neutron import NeutronSpec
from lupex.instruments.prathima import PrathimaSpec
from lupex.instruments.radar import RadarSpec
from lupex.instruments.reiwa import AdoreSpec, LTGASpec, TritonSpec


class InstrumentsTable(BaseModel):
    """The instruments: one spec each (host is a value: public sources disagree)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    neutron: NeutronSpec = Field(default_factory=NeutronSpec)
    gpr: RadarSpec = Field(default_factory=RadarSpec)
    drill: DrillSpec = Field(default_factory=DrillSpec)
    ltga: LTGASpec = Field(default_factory=LTGASpec)
    triton: TritonSpec = Field(default_factory=TritonSpec)
    adore: AdoreSpec = Field(default_factory=AdoreSpec)
    isap: ISAPSpec = Field(default_factory=ISAPSpec)
    alis: ALISSpec = Field(default_factory=ALISSpec)
    prathima: PrathimaSpec = Field(default_factory=PrathimaSpec)
    ems_l: LoadSpec = Field(default_factory=EMS_L.model_copy)
    mir: LoadSpec = Field(default_factory=MIR.model_copy)

    def specs(self) -> dict[str, InstrumentSpec]:
        """Every spec keyed by its field name (``"neutron"``, ``"gpr"``, ...)."""
        return {k: getattr(self, k) for k in type(self).model_fields}

    def on(self, host: str) -> dict[str, InstrumentSpec]:
        """The specs whose host is ``host`` (``"rover"`` or ``"lander"``)."""
        return {k: s for k, s in self.specs().items() if s.host == host}
