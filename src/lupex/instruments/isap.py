"""ISAP (ISRO Sample Analysis Package, part of REIWA): Raman mineralogy of a drilled sample.

A Raman spectrometer identifies phases by their vibrational bands; here it reports each ice
phase of the sample (water ice and the other cold-trapped ices the truth holds) as detected
when its abundance reading, true value plus a Gaussian error, reaches a detection limit. The
limit and error are estimates: Raman detection limits for a minor phase in a regolith matrix
are of order 1 wt% and depend on grain size and fluorescence (no LUPEX figure is public).

Limits: the truth field holds no hydrated minerals or silicate mineralogy, so only ice phases
are reported; no band-by-band spectrum is simulated.

References
----------
.. [1] JAXA, "Lunar Polar Exploration (LUPEX)", humans-in-space.jaxa.jp/en/biz-lab/tech/lupex
   (ISAP within REIWA).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pydantic import Field

from lupex.instruments.base import JAXA_LUPEX_PAGE, InstrumentSpec, Measurement, costs, normal
from lupex.instruments.column import Sample


class ISAPSpec(InstrumentSpec):
    """ISAP (ISRO, REIWA): Raman detection of ice phases in a sample."""

    name: str = Field("ISAP", description="instrument name", json_schema_extra={"unit": ""})
    power_w: float = Field(15.0, ge=0, le=5000, description="power while measuring",
                           json_schema_extra={"unit": "W", "source": "estimate"})
    duration_s: float = Field(1200.0, gt=0, le=1e7, description="one Raman acquisition",
                              json_schema_extra={"unit": "s", "source": "estimate"})
    data_mb: float = Field(1.0, ge=0, le=1e5, description="data of one acquisition",
                           json_schema_extra={"unit": "MB", "source": "estimate"})
    footprint_m: float = Field(0.0, ge=0, le=1e4, description="(a sample analyser)",
                               json_schema_extra={"unit": "m", "source": "n/a"})
    source: str = Field(JAXA_LUPEX_PAGE + "; limits estimates", description="public sources of these numbers",
                        json_schema_extra={"unit": ""})
    detection_limit_wt_pct: float = Field(1.0, ge=0, le=100, description="least abundance of a phase it detects",
                                          json_schema_extra={"unit": "wt%", "source": "estimate"})
    sigma_wt_pct: float = Field(0.3, ge=0, le=100, description="1-sigma of the abundance reading",
                                json_schema_extra={"unit": "wt%", "source": "estimate"})


@dataclass(frozen=True, kw_only=True)
class ISAPMeasurement(Measurement):
    """Ice phases of one sample: ``detected[formula]`` and the truth ``true_wt_pct[formula]``."""

    detected: dict[str, bool]
    true_wt_pct: dict[str, float]
    top_m: float
    bottom_m: float


def measure(sample: Sample, *, rng: np.random.Generator | None = None,
            spec: ISAPSpec | None = None) -> ISAPMeasurement:
    """Which ice phases of ``sample`` reach the detection limit (noiseless: the truth decides)."""
    spec = spec or ISAPSpec()
    truth = {"H2O": sample.h2o_wt_pct, **sample.species_wt_pct}
    det = {k: bool(w > 0 and w + normal(rng, spec.sigma_wt_pct) >= spec.detection_limit_wt_pct)
           for k, w in truth.items()}
    return ISAPMeasurement(detected=det, true_wt_pct=dict(truth), top_m=sample.top_m,
                           bottom_m=sample.bottom_m, **costs(spec))
