"""The rover's drill (JAXA, a 1.5 m auger): steps, time, energy, refusal and samples.

The drill advances in steps of ``step_m`` (10 cm by default) down to ``max_depth_m`` (1.5 m,
JAXA's LUPEX page). Each step costs a fixed overhead (bite, retract, transfer the cuttings;
an estimate) plus the cutting time. The cutting energy follows Teale's specific energy [1]: the
energy per volume of rock removed is at least of the order of the rock's uniaxial compressive
strength (UCS), reached with an efficiency ``eta``::

    E_step = UCS * A * dz / eta,   t_cut = E_step / P_cut                              (1)

with ``A`` the bore area. Loose dry regolith is weak (UCS ~ kPa, from the cohesion of 0.1-1 kPa
in Carrier et al. [2]), so dry steps are overhead-bound. Ice cements the grains: the strength
rises with the fraction ``S`` of the pore space the ice fills [3]; here linearly,
``UCS = UCS_dry + S (UCS_sat - UCS_dry)`` with ``UCS_sat`` an estimate of tens of MPa for
ice-saturated regolith at ~100 K (the trend is that of [3]; the values are estimates). The drill
refuses (stops) at the first step whose UCS exceeds ``refusal_ucs_pa``.

Each completed step yields one :class:`~lupex.instruments.column.Sample` of that interval with
its true composition (thickness mean), for the analysers. ``rng`` scatters each step's time by
a lognormal factor (operations uncertainty, ``time_scatter`` its log-sigma, an estimate).

References
----------
.. [1] Teale, R. (1965). The concept of specific energy in rock drilling. Int. J. Rock Mech.
   Min. Sci. 2, 57-73.
.. [2] Carrier, W. D., Olhoeft, G. R. & Mendell, W. (1991). Physical properties of the lunar
   surface. Lunar Sourcebook, ch. 9 (cohesion 0.1-1 kPa).
.. [3] Gertsch, L. S., Gustafson, R. & Gertsch, R. (2006). Effect of water ice content on
   excavatability of lunar regolith. AIP Conf. Proc. 813, 1093-1100 (strength of icy simulant
   rises steeply with ice content).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
from pydantic import Field

from lupex.errors import ParameterError
from lupex.instruments.base import JAXA_LUPEX_PAGE, InstrumentSpec, Measurement
from lupex.instruments.column import Column, Sample
from lupex.instruments.dielectric import ice_volume_fraction, porosity
from lupex.times import SECONDS_PER_HOUR


class DrillSpec(InstrumentSpec):
    """Drill (JAXA, 1.5 m auger): time and energy per step, refusal, samples."""

    name: str = Field("drill", description="instrument name", json_schema_extra={"unit": ""})
    power_w: float = Field(100.0, ge=0, le=5000, description="power while drilling",
                           json_schema_extra={"unit": "W", "source": "estimate"})
    duration_s: float = Field(300.0, gt=0, le=1e7, description="fixed overhead of one step (bite, retract, transfer)",
                              json_schema_extra={"unit": "s", "source": "estimate"})
    data_mb: float = Field(0.2, ge=0, le=1e5, description="telemetry of one step (currents, images)",
                           json_schema_extra={"unit": "MB", "source": "estimate"})
    footprint_m: float = Field(0.05, ge=0, le=1e4, description="bore diameter",
                               json_schema_extra={"unit": "m", "source": "estimate"})
    source: str = Field(JAXA_LUPEX_PAGE + "; Teale 1965 specific energy; other numbers estimates",
                        description="public sources of these numbers",
                        json_schema_extra={"unit": ""})
    max_depth_m: float = Field(1.5, gt=0, le=20, description="deepest reach",
                               json_schema_extra={"unit": "m", "source": JAXA_LUPEX_PAGE})
    step_m: float = Field(0.1, gt=0, le=5, description="depth of one step (one sample)",
                          json_schema_extra={"unit": "m", "source": "estimate"})
    efficiency: float = Field(0.1, gt=0, le=1, description="UCS / specific energy actually reached (Teale 1965)",
                              json_schema_extra={"unit": "1", "source": "estimate"})
    ucs_dry_pa: float = Field(5e3, ge=0, le=1e9, description="strength of loose dry regolith",
                              json_schema_extra={"unit": "Pa", "source": "estimate (cohesion 0.1-1 kPa, Carrier et al. 1991)"})
    ucs_saturated_pa: float = Field(30e6, ge=0, le=1e9, description="strength of ice-saturated regolith at ~100 K",
                                    json_schema_extra={"unit": "Pa", "source": "estimate (trend: Gertsch et al. 2006)"})
    refusal_ucs_pa: float = Field(15e6, gt=0, le=1e9, description="strongest material the drill cuts",
                                  json_schema_extra={"unit": "Pa", "source": "estimate"})
    time_scatter: float = Field(0.2, ge=0, le=3, description="log-sigma of the step-time scatter (with an rng)",
                                json_schema_extra={"unit": "1", "source": "estimate"})


@dataclass(frozen=True, kw_only=True)
class DrillResult(Measurement):
    """A drilling campaign at one place.

    Attributes
    ----------
    samples : tuple of Sample
        One per completed step, shallowest first.
    depth_reached_m : float
        Bottom of the last completed step [m].
    refused : bool
        Whether the drill stopped on material stronger than ``refusal_ucs_pa``.
    refusal_depth_m : float
        Top of the refused step [m] (NaN if not refused).
    step_durations_s : tuple of float
        Time of each completed step [s].
    step_ucs_pa : tuple of float
        Strength met in each completed step [Pa].
    """

    samples: tuple[Sample, ...]
    depth_reached_m: float
    refused: bool
    refusal_depth_m: float
    step_durations_s: tuple[float, ...]
    step_ucs_pa: tuple[float, ...]


def strength_pa(ice_wt_pct, *, dry_density_kg_m3: float, grain_density_kg_m3: float,
                spec: DrillSpec):
    """UCS of regolith holding ``ice_wt_pct`` [wt%] -> [Pa] (linear in pore saturation)."""
    sat = np.clip(ice_volume_fraction(ice_wt_pct, dry_density_kg_m3)
                  / porosity(dry_density_kg_m3, grain_density_kg_m3), 0.0, 1.0)
    return spec.ucs_dry_pa + sat * (spec.ucs_saturated_pa - spec.ucs_dry_pa)


def step_time_s(ucs_pa: float, dz_m: float, spec: DrillSpec) -> float:
    """Overhead plus the cutting time of Eq. (1) [s]."""
    area = math.pi * (spec.footprint_m / 2.0) ** 2
    return spec.duration_s + ucs_pa * area * dz_m / spec.efficiency / spec.power_w


def measure(column: Column, *, rng: np.random.Generator | None = None,
            spec: DrillSpec | None = None, target_depth_m: float | None = None) -> DrillResult:
    """Drill ``column`` step by step to ``target_depth_m`` (default ``spec.max_depth_m``).

    Returns the samples of the completed steps and the time and energy it took; it stops at
    the first step stronger than ``spec.refusal_ucs_pa``.
    """
    spec = spec or DrillSpec()
    target = spec.max_depth_m if target_depth_m is None else float(target_depth_m)
    if not 0 < target <= spec.max_depth_m:
        raise ParameterError(f"drill: target_depth_m = {target_depth_m!r} must lie in "
                             f"(0, {spec.max_depth_m:g}] m (the drill's max_depth_m).")
    if spec.power_w <= 0:
        raise ParameterError("drill: power_w must be > 0 W to drill.")
    area = math.pi * (spec.footprint_m / 2.0) ** 2
    n = max(1, round(target / spec.step_m))
    edges = np.linspace(0.0, target, n + 1)
    samples, times, ucs_list = [], [], []
    refused, refusal = False, math.nan
    for top, bottom in itertools.pairwise(edges):
        # the strongest layer met in the step decides (a cemented layer stops the bit)
        inside = column.depth_m[(column.depth_m > top) & (column.depth_m < bottom)]
        probes = np.concatenate([[top], inside])
        w_max = float(np.max(column.h2o_wt_pct_at(probes)))
        ucs = float(strength_pa(w_max, dry_density_kg_m3=column.dry_density_kg_m3,
                                grain_density_kg_m3=column.grain_density_kg_m3, spec=spec))
        if ucs > spec.refusal_ucs_pa:
            refused, refusal = True, float(top)
            break
        t = step_time_s(ucs, bottom - top, spec)
        if rng is not None and spec.time_scatter > 0:
            t *= float(rng.lognormal(0.0, spec.time_scatter))
        sample_kg = area * (bottom - top) * column.dry_density_kg_m3
        samples.append(Sample.from_column(column, top, bottom, mass_g=1e3 * sample_kg))
        times.append(t)
        ucs_list.append(ucs)
    total = float(sum(times))
    return DrillResult(samples=tuple(samples),
                       depth_reached_m=float(samples[-1].bottom_m) if samples else 0.0,
                       refused=refused, refusal_depth_m=refusal, step_durations_s=tuple(times),
                       step_ucs_pa=tuple(ucs_list), instrument=spec.name, host=spec.host,
                       duration_s=total, energy_wh=spec.power_w * total / SECONDS_PER_HOUR,
                       data_mb=spec.data_mb * len(samples))
