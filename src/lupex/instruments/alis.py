"""ALIS (Advanced Lunar Imaging Spectrometer, JAXA): near-infrared surface hydration.

ALIS images the ground in the near infrared with its own lamp, so it works inside shadow. It
sees only the optical surface (microns to millimetres): water ice at the surface of a column
(the truth's ice where the lag is absent and ice is stable at the surface) shows its 1.5 and
2.0 um absorption bands. The reading is the surface abundance plus a Gaussian error, detected
at or above a detection limit. Orbital NIR found exposed surface ice at the poles at up to ~30
wt% in a few pixels (Li et al. 2018 [2]); the limit and error here are estimates.

Limits: no band-depth / grain-size radiative transfer, no OH/H2O distinction in minerals; a
lag of any thickness hides buried ice (true at NIR depths).

References
----------
.. [1] JAXA, "Lunar Polar Exploration (LUPEX)", humans-in-space.jaxa.jp/en/biz-lab/tech/lupex.
.. [2] Li, S. et al. (2018). Direct evidence of surface exposed water ice in the lunar polar
   regions. PNAS 115, 8907-8912.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pydantic import Field

from lupex.instruments.base import JAXA_LUPEX_PAGE, InstrumentSpec, Measurement, costs, normal
from lupex.instruments.column import Column


class ALISSpec(InstrumentSpec):
    """ALIS (JAXA): near-infrared imaging of surface ice, with its own lamp."""

    name: str = Field("ALIS", description="instrument name", json_schema_extra={"unit": ""})
    power_w: float = Field(20.0, ge=0, le=5000, description="power with the lamp on",
                           json_schema_extra={"unit": "W", "source": "estimate"})
    duration_s: float = Field(120.0, gt=0, le=1e7, description="one image cube",
                              json_schema_extra={"unit": "s", "source": "estimate"})
    data_mb: float = Field(20.0, ge=0, le=1e5, description="data of one image cube",
                           json_schema_extra={"unit": "MB", "source": "estimate"})
    footprint_m: float = Field(1.0, ge=0, le=1e4, description="imaged patch",
                               json_schema_extra={"unit": "m", "source": "estimate"})
    source: str = Field(JAXA_LUPEX_PAGE + "; limits estimates", description="public sources of these numbers",
                        json_schema_extra={"unit": ""})
    detection_limit_wt_pct: float = Field(1.0, ge=0, le=100, description="least surface ice detected",
                                          json_schema_extra={"unit": "wt%", "source": "estimate"})
    sigma_wt_pct: float = Field(0.3, ge=0, le=100, description="1-sigma of the surface-ice reading",
                                json_schema_extra={"unit": "wt%", "source": "estimate"})


@dataclass(frozen=True, kw_only=True)
class ALISMeasurement(Measurement):
    """Surface water ice: reading, 1-sigma and truth [wt%], and the detection."""

    surface_h2o_wt_pct: float
    surface_h2o_sigma_wt_pct: float
    surface_h2o_true_wt_pct: float
    detected: bool


def measure(column: Column, *, rng: np.random.Generator | None = None,
            spec: ALISSpec | None = None) -> ALISMeasurement:
    """Read the surface water ice of ``column`` (exact with ``rng=None``)."""
    spec = spec or ALISSpec()
    w = float(column.h2o_wt_pct_at(0.0))
    v = w + normal(rng, spec.sigma_wt_pct)
    return ALISMeasurement(surface_h2o_wt_pct=v, surface_h2o_sigma_wt_pct=spec.sigma_wt_pct,
                           surface_h2o_true_wt_pct=w,
                           detected=bool(v >= spec.detection_limit_wt_pct and v > 0),
                           **costs(spec))
