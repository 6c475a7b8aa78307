"""REIWA (Resource Investigating Water Analyzer) on the drilled samples: LTGA, TRITON, ADORE.

JAXA lists REIWA's parts on its LUPEX page [1]: the Lunar Thermogravimetric Analyzer (LTGA),
the Triple-reflection Reflectron (TRITON, a time-of-flight mass spectrometer of the evolved
gases) and the Aquatic Detector using Optical Resonance (ADORE, water isotopes). Their
precisions are not public; the defaults are estimates and say so.

* LTGA: heating the sample releases its water; the mass loss gives the water content. The
  reading is the true thickness-mean water content plus a Gaussian error of 1-sigma
  ``hypot(sigma_abs, sigma_rel * w)``; noiseless it is exact.
* TRITON: each evolved species (water and the other cold-trapped species of the sample) is read
  with a relative 1-sigma and detected when its reading reaches the detection limit.
* ADORE: the D/H ratio of the released water as delta-D against VSMOW (D/H = 155.76e-6,
  [2]) with an absolute 1-sigma in per mil; it needs at least ``min_h2o_wt_pct`` of water.

References
----------
.. [1] JAXA, "Lunar Polar Exploration (LUPEX)", humans-in-space.jaxa.jp/en/biz-lab/tech/lupex
   (instrument list).
.. [2] de Wit, J. C., van der Straaten, C. M. & Mook, W. G. (1980). Determination of the
   absolute hydrogen isotopic ratio of V-SMOW and SLAP. Geostand. Newsl. 4, 33-36
   (D/H of VSMOW = 155.76e-6).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from pydantic import Field

from lupex.instruments.base import JAXA_LUPEX_PAGE, InstrumentSpec, Measurement, costs, normal
from lupex.instruments.column import Sample

VSMOW_D_H: float = 155.76e-6
"""D/H of Vienna Standard Mean Ocean Water (de Wit et al. 1980)."""


class LTGASpec(InstrumentSpec):
    """LTGA (REIWA): water content of a sample by thermogravimetry."""

    name: str = Field("LTGA", description="instrument name", json_schema_extra={"unit": ""})
    power_w: float = Field(30.0, ge=0, le=5000, description="power while heating",
                           json_schema_extra={"unit": "W", "source": "estimate"})
    duration_s: float = Field(3600.0, gt=0, le=1e7, description="one heating run",
                              json_schema_extra={"unit": "s", "source": "estimate"})
    data_mb: float = Field(0.5, ge=0, le=1e5, description="data of one run",
                           json_schema_extra={"unit": "MB", "source": "estimate"})
    footprint_m: float = Field(0.0, ge=0, le=1e4, description="(a sample analyser)",
                               json_schema_extra={"unit": "m", "source": "n/a"})
    source: str = Field(JAXA_LUPEX_PAGE + "; precision estimates", description="public sources of these numbers",
                        json_schema_extra={"unit": ""})
    sigma_abs_wt_pct: float = Field(0.05, ge=0, le=100, description="absolute 1-sigma",
                                    json_schema_extra={"unit": "wt%", "source": "estimate"})
    sigma_rel: float = Field(0.05, ge=0, le=10, description="relative 1-sigma",
                             json_schema_extra={"unit": "1", "source": "estimate"})


class TritonSpec(InstrumentSpec):
    """TRITON (REIWA): evolved-gas species of a sample by time-of-flight mass spectrometry."""

    name: str = Field("TRITON", description="instrument name", json_schema_extra={"unit": ""})
    power_w: float = Field(25.0, ge=0, le=5000, description="power while measuring",
                           json_schema_extra={"unit": "W", "source": "estimate"})
    duration_s: float = Field(3600.0, gt=0, le=1e7, description="one evolved-gas run",
                              json_schema_extra={"unit": "s", "source": "estimate"})
    data_mb: float = Field(2.0, ge=0, le=1e5, description="data of one run",
                           json_schema_extra={"unit": "MB", "source": "estimate"})
    footprint_m: float = Field(0.0, ge=0, le=1e4, description="(a sample analyser)",
                               json_schema_extra={"unit": "m", "source": "n/a"})
    source: str = Field(JAXA_LUPEX_PAGE + "; precision estimates", description="public sources of these numbers",
                        json_schema_extra={"unit": ""})
    sigma_rel: float = Field(0.1, ge=0, le=10, description="relative 1-sigma per species",
                             json_schema_extra={"unit": "1", "source": "estimate"})
    detection_limit_wt_pct: float = Field(0.01, ge=0, le=100, description="smallest abundance detected",
                                          json_schema_extra={"unit": "wt%", "source": "estimate"})


class AdoreSpec(InstrumentSpec):
    """ADORE (REIWA): D/H of the sample's water by optical resonance spectroscopy."""

    name: str = Field("ADORE", description="instrument name", json_schema_extra={"unit": ""})
    power_w: float = Field(20.0, ge=0, le=5000, description="power while measuring",
                           json_schema_extra={"unit": "W", "source": "estimate"})
    duration_s: float = Field(1800.0, gt=0, le=1e7, description="one isotope measurement",
                              json_schema_extra={"unit": "s", "source": "estimate"})
    data_mb: float = Field(0.2, ge=0, le=1e5, description="data of one measurement",
                           json_schema_extra={"unit": "MB", "source": "estimate"})
    footprint_m: float = Field(0.0, ge=0, le=1e4, description="(a sample analyser)",
                               json_schema_extra={"unit": "m", "source": "n/a"})
    source: str = Field(JAXA_LUPEX_PAGE + "; precision estimates", description="public sources of these numbers",
                        json_schema_extra={"unit": ""})
    sigma_permil: float = Field(20.0, ge=0, le=1e4, description="1-sigma of delta-D",
                                json_schema_extra={"unit": "permil", "source": "estimate"})
    min_h2o_wt_pct: float = Field(0.1, ge=0, le=100, description="least water it can measure",
                                  json_schema_extra={"unit": "wt%", "source": "estimate"})


@dataclass(frozen=True, kw_only=True)
class LTGAMeasurement(Measurement):
    """Water content of one sample: ``h2o_wt_pct`` +/- ``h2o_sigma_wt_pct`` against
    ``h2o_true_wt_pct`` [wt%], over the sample's ``top_m``-``bottom_m`` [m]."""

    h2o_wt_pct: float
    h2o_sigma_wt_pct: float
    h2o_true_wt_pct: float
    top_m: float
    bottom_m: float


@dataclass(frozen=True)
class SpeciesReading:
    """One species of a TRITON run [wt%]."""

    wt_pct: float
    sigma_wt_pct: float
    true_wt_pct: float
    detected: bool


@dataclass(frozen=True, kw_only=True)
class TritonMeasurement(Measurement):
    """Evolved-gas species of one sample: ``species`` maps a formula to its reading."""

    species: dict[str, SpeciesReading]
    top_m: float
    bottom_m: float


@dataclass(frozen=True, kw_only=True)
class AdoreMeasurement(Measurement):
    """delta-D of one sample's water [per mil VSMOW] (NaN when there was too little water)."""

    measured: bool
    dh_vsmow_permil: float
    dh_sigma_permil: float
    dh_true_vsmow_permil: float
    d_h_ratio: float


def measure_ltga(sample: Sample, *, rng: np.random.Generator | None = None,
                 spec: LTGASpec | None = None) -> LTGAMeasurement:
    """Water content of ``sample`` by thermogravimetry (exact with ``rng=None``)."""
    spec = spec or LTGASpec()
    w = sample.h2o_wt_pct
    sigma = math.hypot(spec.sigma_abs_wt_pct, spec.sigma_rel * w)
    return LTGAMeasurement(h2o_wt_pct=w + normal(rng, sigma), h2o_sigma_wt_pct=sigma,
                           h2o_true_wt_pct=w, top_m=sample.top_m, bottom_m=sample.bottom_m,
                           **costs(spec))


def measure_triton(sample: Sample, *, rng: np.random.Generator | None = None,
                   spec: TritonSpec | None = None) -> TritonMeasurement:
    """Evolved-gas species of ``sample`` (water and every other species it holds)."""
    spec = spec or TritonSpec()
    out = {}
    for name, w in {"H2O": sample.h2o_wt_pct, **sample.species_wt_pct}.items():
        sigma = spec.sigma_rel * w
        v = w + normal(rng, sigma)
        out[name] = SpeciesReading(wt_pct=v, sigma_wt_pct=sigma, true_wt_pct=w,
                                   detected=bool(v >= spec.detection_limit_wt_pct and v > 0))
    return TritonMeasurement(species=out, top_m=sample.top_m, bottom_m=sample.bottom_m,
                             **costs(spec))


def measure_adore(sample: Sample, *, rng: np.random.Generator | None = None,
                  spec: AdoreSpec | None = None) -> AdoreMeasurement:
    """delta-D of the water of ``sample``; refused (NaN) below ``spec.min_h2o_wt_pct``."""
    spec = spec or AdoreSpec()
    ok = sample.h2o_wt_pct >= spec.min_h2o_wt_pct and sample.h2o_wt_pct > 0
    dd = sample.dh_vsmow_permil + normal(rng, spec.sigma_permil) if ok else math.nan
    return AdoreMeasurement(measured=bool(ok), dh_vsmow_permil=dd,
                            dh_sigma_permil=spec.sigma_permil if ok else math.nan,
                            dh_true_vsmow_permil=sample.dh_vsmow_permil,
                            d_h_ratio=VSMOW_D_H * (1.0 + dd / 1000.0), **costs(spec))
