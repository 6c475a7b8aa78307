"""Instruments with no measurement model: power and data loads only.

EMS-L (Exospheric Mass Spectrometer for LUPEX, ESA) samples the tenuous exosphere and MIR (the
Mid-Infrared Imaging Spectrometer) images thermal emission; lupex simulates neither measurement
(the truth field has no exosphere and no thermal-infrared spectra). In the timeline they only
draw power for their duration and produce their data volume, and say so with
``has_measurement_model = false``.

References
----------
.. [1] JAXA, "Lunar Polar Exploration (LUPEX)", humans-in-space.jaxa.jp/en/biz-lab/tech/lupex
   (EMS-L and MIR in the instrument list).
"""

from __future__ import annotations

from dataclasses import dataclass

from lupex.instruments.base import JAXA_LUPEX_PAGE, InstrumentSpec, Measurement, costs


class LoadSpec(InstrumentSpec):
    """An instrument flown as a power and data load (no measurement model)."""


EMS_L = LoadSpec(name="EMS-L", power_w=10.0, duration_s=3600.0, data_mb=5.0, footprint_m=0.0,
                 source=JAXA_LUPEX_PAGE + "; power/data estimates; no measurement model",
                 has_measurement_model=False)
"""Exospheric Mass Spectrometer for LUPEX (ESA): default load."""

MIR = LoadSpec(name="MIR", power_w=15.0, duration_s=300.0, data_mb=30.0, footprint_m=2.0,
               source=JAXA_LUPEX_PAGE + "; power/data estimates; no measurement model",
               has_measurement_model=False)
"""Mid-Infrared Imaging Spectrometer: default load."""


@dataclass(frozen=True, kw_only=True)
class LoadRecord(Measurement):
    """One operation of a load: costs only (``modelled`` is always False)."""

    modelled: bool = False


def operate(spec: InstrumentSpec, *, duration_s: float | None = None) -> LoadRecord:
    """Run a load for ``duration_s`` (default ``spec.duration_s``): its energy and data."""
    d = spec.duration_s if duration_s is None else float(duration_s)
    return LoadRecord(**costs(spec, d, data_scale=d / spec.duration_s))
