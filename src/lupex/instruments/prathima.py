"""PRATHIMA (ISRO permittivity and thermophysical probe): ice fraction from permittivity.

The probe measures the real permittivity of the regolith around its sensor at ``probe_depth_m``
below the surface. The true value follows the CRIM mixture of
:mod:`lupex.instruments.dielectric` (dry regolith 1.919**rho with ice in the pores); the reading
has a relative Gaussian error. Inverting the same mixture gives the ice abundance::

    w = wt%(v),  v = (sqrt(eps) - sqrt(eps_dry)) / (sqrt(eps_ice) - 1)

exact without noise; its 1-sigma follows by propagating the permittivity error through the
inversion (numerical derivative). The dry density is the column's (the probe's own density
estimate would add a systematic error, not modelled).

Limits: the thermophysical channel (temperature, conductivity) is not simulated; the probe
senses one depth; a probe inside the dry lag reports no ice.

References
----------
.. [1] JAXA, "Lunar Polar Exploration (LUPEX)", humans-in-space.jaxa.jp/en/biz-lab/tech/lupex
   (PRATHIMA: Permittivity and Thermophysical Investigation for Moon's Aquatic Scout).
.. [2] Birchak, J. R. et al. (1974). Proc. IEEE 62, 93-98 (CRIM).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pydantic import Field

from lupex.errors import ParameterError
from lupex.instruments.base import JAXA_LUPEX_PAGE, InstrumentSpec, Measurement, costs, normal
from lupex.instruments.column import Column
from lupex.instruments.dielectric import ice_wt_pct_from_permittivity, icy_permittivity


class PrathimaSpec(InstrumentSpec):
    """PRATHIMA (ISRO): permittivity probe, ice abundance by a mixing model."""

    name: str = Field("PRATHIMA", description="instrument name", json_schema_extra={"unit": ""})
    power_w: float = Field(5.0, ge=0, le=5000, description="power while measuring",
                           json_schema_extra={"unit": "W", "source": "estimate"})
    duration_s: float = Field(600.0, gt=0, le=1e7, description="one probe measurement",
                              json_schema_extra={"unit": "s", "source": "estimate"})
    data_mb: float = Field(0.05, ge=0, le=1e5, description="data of one measurement",
                           json_schema_extra={"unit": "MB", "source": "estimate"})
    footprint_m: float = Field(0.1, ge=0, le=1e4, description="sensed volume size",
                               json_schema_extra={"unit": "m", "source": "estimate"})
    source: str = Field(JAXA_LUPEX_PAGE + "; CRIM (Birchak et al. 1974); numbers estimates",
                        description="public sources of these numbers",
                        json_schema_extra={"unit": ""})
    probe_depth_m: float = Field(0.1, ge=0, le=2, description="depth of the sensor below the surface",
                                 json_schema_extra={"unit": "m", "source": "estimate"})
    sigma_rel: float = Field(0.02, ge=0, le=1, description="relative 1-sigma of the permittivity",
                             json_schema_extra={"unit": "1", "source": "estimate"})


@dataclass(frozen=True, kw_only=True)
class PrathimaMeasurement(Measurement):
    """Permittivity and the ice abundance inverted from it, with 1-sigma and truth."""

    permittivity: float
    permittivity_sigma: float
    permittivity_true: float
    ice_wt_pct: float
    ice_sigma_wt_pct: float
    ice_true_wt_pct: float
    probe_depth_m: float


def measure(column: Column, *, rng: np.random.Generator | None = None,
            spec: PrathimaSpec | None = None) -> PrathimaMeasurement:
    """Measure the permittivity at ``spec.probe_depth_m`` and invert it to ice [wt%]."""
    spec = spec or PrathimaSpec()
    if spec.probe_depth_m < 0:
        raise ParameterError("prathima: probe_depth_m must be >= 0 m.")
    rho = column.dry_density_kg_m3
    w_true = float(column.h2o_wt_pct_at(spec.probe_depth_m))
    eps_true = float(icy_permittivity(w_true, rho))
    sigma = spec.sigma_rel * eps_true
    eps = eps_true + normal(rng, sigma)
    w = float(ice_wt_pct_from_permittivity(eps, rho))
    h = 1e-6 * eps_true
    dw = float(ice_wt_pct_from_permittivity(eps + h, rho) - ice_wt_pct_from_permittivity(eps - h, rho))
    return PrathimaMeasurement(permittivity=eps, permittivity_sigma=sigma,
                               permittivity_true=eps_true, ice_wt_pct=w,
                               ice_sigma_wt_pct=abs(dw / (2 * h)) * sigma, ice_true_wt_pct=w_true,
                               probe_depth_m=spec.probe_depth_m, **costs(spec))
