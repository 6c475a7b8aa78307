"""What every instrument shares: its configuration (:class:`InstrumentSpec`) and the costs
every measurement reports (:class:`Measurement`).

An instrument module holds one subclass of :class:`InstrumentSpec` with its model parameters
and a pure ``measure(target, *, rng=None, spec=..., ...)`` returning a frozen dataclass derived
from :class:`Measurement`. ``rng=None`` is the noiseless instrument: where the model is
invertible it returns the truth exactly.

Public sources do not give the LUPEX instruments' power, duration or data volume per
measurement; the defaults are estimates and say so. The hosts follow JAXA's LUPEX page, which
lists every instrument on the rover ("LUPEX rover's mission instruments", JAXA,
humans-in-space.jaxa.jp/en/biz-lab/tech/lupex); other public sources put ISRO's instruments on
the lander, so the host is a value, not a rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from lupex.times import SECONDS_PER_HOUR

JAXA_LUPEX_PAGE = ("JAXA, 'Lunar Polar Exploration (LUPEX)', humans-in-space.jaxa.jp/en/biz-lab/"
                   "tech/lupex (instrument list, all on the rover; 1.5 m auger)")


class InstrumentSpec(BaseModel):
    """One instrument: where it rides, what a measurement costs, and where the numbers come from."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    name: str = Field(..., description="instrument name used in tables and timelines",
                      json_schema_extra={"unit": ""})
    host: Literal["rover", "lander"] = Field(
        "rover", description="vehicle carrying it (public sources disagree: a value, not a rule)",
        json_schema_extra={"unit": "", "source": JAXA_LUPEX_PAGE})
    power_w: float = Field(..., ge=0, le=5000, description="electrical power while measuring",
                           json_schema_extra={"unit": "W", "source": "estimate"})
    duration_s: float = Field(..., gt=0, le=1e7, description="duration of one measurement",
                              json_schema_extra={"unit": "s", "source": "estimate"})
    data_mb: float = Field(..., ge=0, le=1e5, description="data volume of one measurement",
                           json_schema_extra={"unit": "MB", "source": "estimate"})
    footprint_m: float = Field(..., ge=0, le=1e4,
                               description="size of the ground patch one measurement sees",
                               json_schema_extra={"unit": "m", "source": "estimate"})
    source: str = Field("estimate", description="public source of the numbers above",
                        json_schema_extra={"unit": ""})
    has_measurement_model: bool = Field(
        True, description="false: a power and data load only (no simulated measurement)",
        json_schema_extra={"unit": ""})

    def energy_wh(self, duration_s: float | None = None) -> float:
        """Energy of one measurement of ``duration_s`` (default: the spec's) [Wh]."""
        d = self.duration_s if duration_s is None else float(duration_s)
        return self.power_w * d / SECONDS_PER_HOUR


@dataclass(frozen=True, kw_only=True)
class Measurement:
    """Costs shared by every measurement.

    Attributes
    ----------
    instrument, host : str
        Which instrument made it and on which vehicle.
    duration_s : float
        Time spent [s].
    energy_wh : float
        Energy used [Wh].
    data_mb : float
        Data produced [MB].
    """

    instrument: str
    host: str
    duration_s: float
    energy_wh: float
    data_mb: float


def costs(spec: InstrumentSpec, duration_s: float | None = None, *, data_scale: float = 1.0
          ) -> dict:
    """The :class:`Measurement` fields for one measurement of ``spec`` lasting ``duration_s``.

    ``data_scale`` multiplies the spec's data volume (e.g. a drive with several readings).
    """
    d = spec.duration_s if duration_s is None else float(duration_s)
    return dict(instrument=spec.name, host=spec.host, duration_s=d, energy_wh=spec.energy_wh(d),
                data_mb=spec.data_mb * data_scale)


def normal(rng: np.random.Generator | None, sigma: float) -> float:
    """One draw of N(0, sigma), or exactly 0 for the noiseless instrument (``rng=None``)."""
    return 0.0 if rng is None or sigma == 0 else float(rng.normal(0.0, sigma))
