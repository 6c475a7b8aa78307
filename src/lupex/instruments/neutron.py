"""Neutron spectrometer (NASA): epithermal neutron suppression by hydrogen.

Galactic cosmic rays make fast neutrons in the regolith; hydrogen slows them down efficiently,
so the epithermal leakage flux falls as the water-equivalent hydrogen (WEH) rises [1, 2]. The
model has three steps.

1. WEH of each layer: water ice counts as itself; another hydrogen-bearing species s counts by
   its hydrogen mass, ``WEH_s = wt%_s * (n_H,s / M_s) / (2 / M_H2O)``.
2. Sensing depth: the instrument sees a depth-weighted WEH with an exponential kernel in column
   mass ``m = rho z`` [g cm-2]: ``W_app = sum_l W_l [exp(-m_top,l / L) - exp(-m_bot,l / L)]``.
   A dry lag of thickness D over a half-space W gives ``W_app = W exp(-rho D / L)``: the
   buried-layer attenuation of [2, 3] in its simplest form. ``L`` = 40 g cm-2 (0.27 m at
   1.5 g cm-3) makes 95 % of the signal come from the top ~0.8 m, the "top ~0.5-1 m" that
   planetary neutron spectrometers sense [1, 3] (L is an estimate).
3. Count rate: ``C(W) = C_dry / (1 + W / W_half)`` (2), the hyperbolic form of the epithermal
   flux against hydrogen used for cosmic-ray neutron moisture probes [4] (its additive constant
   set to 0). ``C_dry`` and ``W_half`` are estimates for a rover-borne 3He spectrometer like
   VIPER's NSS [5]; replace them with the flight calibration.

Counting is Poisson: N ~ Poisson(C t). The WEH estimate inverts (2),
``W = W_half (C_dry / (N/t) - 1)``, with ``sigma_W = W_half C_dry / C^2 * sqrt(N) / t``, which
falls as ``1 / sqrt(t)``. While driving, several columns share the integration time: the
expected rate is their mean rate (equal dwell), so the estimate is the WEH whose rate equals the
mean rate (nearly the mean WEH for small contrasts).

Limits: no thermal-neutron channel (so no separation of burial depth and abundance from one
reading: use :func:`buried_weh_wt_pct` with a depth from the radar); no dependence on the
regolith's major-element composition or on the instrument's height; the footprint is a value
of the spec (about the 1 m scale for a detector ~1 m above the ground, an estimate).

References
----------
.. [1] Feldman, W. C. et al. (2001). Evidence for water ice near the lunar poles. JGR 106(E10),
   23231-23251.
.. [2] Lawrence, D. J. et al. (2006). Improved modeling of Lunar Prospector neutron spectrometer
   data: Implications for hydrogen deposits at the lunar poles. JGR 111, E08001.
.. [3] Mitrofanov, I. G. et al. (2010). Hydrogen mapping of the lunar south pole using the LRO
   neutron detector experiment LEND. Science 330, 483-486.
.. [4] Desilets, D., Zreda, M. & Ferre, T. P. A. (2010). Nature's neutron probe: land surface
   hydrology at an elusive scale with cosmic rays. Water Resour. Res. 46, W11505 (eq. 1).
.. [5] Elphic, R. C. et al. (2015). Simulated real-time lunar volatiles prospecting with a
   rover-borne neutron spectrometer. Adv. Space Res. 55, 2438-2450.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from pydantic import Field

from lupex.errors import ParameterError
from lupex.instruments.base import InstrumentSpec, Measurement, costs
from lupex.instruments.column import Column

H2O_MOLAR_MASS_G_MOL = 18.015

HYDROGEN_CARRIERS: dict[str, tuple[int, float]] = {
    "H2O": (2, 18.015), "NH3": (3, 17.031), "H2S": (2, 34.081), "CH4": (4, 16.043),
    "CH3OH": (4, 32.042), "HCN": (1, 27.025), "C2H4": (4, 28.054),
}
"""Hydrogen atoms and molar mass [g mol-1] of the hydrogen-bearing cold-trapped species."""


class NeutronSpec(InstrumentSpec):
    """Neutron spectrometer (NASA): epithermal count rate against water-equivalent hydrogen."""

    name: str = Field("NS", description="instrument name", json_schema_extra={"unit": ""})
    power_w: float = Field(3.0, ge=0, le=5000, description="power while counting",
                           json_schema_extra={"unit": "W", "source": "estimate"})
    duration_s: float = Field(600.0, gt=0, le=1e7, description="integration time of a stop",
                              json_schema_extra={"unit": "s", "source": "estimate"})
    data_mb: float = Field(0.01, ge=0, le=1e5, description="data of one integration",
                           json_schema_extra={"unit": "MB", "source": "estimate"})
    footprint_m: float = Field(1.5, ge=0, le=1e4, description="footprint diameter",
                               json_schema_extra={"unit": "m", "source": "estimate"})
    source: str = Field("Elphic et al. 2015 ASR 55 (rover neutron prospecting); numbers estimates",
                        description="public sources of these numbers",
                        json_schema_extra={"unit": ""})
    dry_count_rate_cps: float = Field(
        30.0, gt=0, le=1e6, description="epithermal count rate over dry regolith",
        json_schema_extra={"unit": "1/s", "source": "estimate"})
    weh_half_wt_pct: float = Field(
        6.0, gt=0, le=100, description="WEH that halves the epithermal rate (hyperbola of Desilets et al. 2010)",
        json_schema_extra={"unit": "wt%", "source": "estimate"})
    attenuation_g_cm2: float = Field(
        40.0, gt=0, le=1000, description="e-folding column mass of the sensing kernel",
        json_schema_extra={"unit": "g/cm2", "source": "estimate (top ~0.5-1 m: Feldman et al. 2001)"})


@dataclass(frozen=True, kw_only=True)
class NeutronMeasurement(Measurement):
    """One neutron integration (at a stop or along a drive).

    Attributes
    ----------
    counts : float
        Epithermal counts (an integer draw; the expected value when noiseless).
    count_rate_cps, count_rate_sigma_cps : float
        Measured rate and its Poisson 1-sigma [s-1].
    weh_wt_pct, weh_sigma_wt_pct : float
        Apparent WEH of the footprint and its 1-sigma [wt%].
    weh_true_wt_pct : float
        The apparent WEH a perfect counter would report (the truth to compare with) [wt%].
    n_columns : int
        Columns averaged (footprint samples or points along the drive).
    """

    counts: float
    count_rate_cps: float
    count_rate_sigma_cps: float
    weh_wt_pct: float
    weh_sigma_wt_pct: float
    weh_true_wt_pct: float
    n_columns: int


def weh_factor(species: str) -> float:
    """WEH [wt%] of 1 wt% of ``species`` (0 for species without hydrogen)."""
    n_h, m = HYDROGEN_CARRIERS.get(species, (0, 1.0))
    return (n_h / m) / (2.0 / H2O_MOLAR_MASS_G_MOL)


def layer_weh_wt_pct(column: Column) -> np.ndarray:
    """WEH of each layer of ``column`` [wt%] (water plus hydrogen-bearing species)."""
    w = column.h2o_layer_wt_pct.copy()
    for k, v in column.species_layer_wt_pct.items():
        w = w + weh_factor(k) * v
    return w


def apparent_weh_wt_pct(column: Column, *, attenuation_g_cm2: float) -> float:
    """Depth-weighted WEH the spectrometer senses (step 2 of the module docstring) [wt%]."""
    m_top = column.depth_m * column.dry_density_kg_m3 / 10.0  # kg m-2 -> g cm-2
    top = np.exp(-m_top / attenuation_g_cm2)
    bottom = np.append(top[1:], 0.0)
    return float(np.sum(layer_weh_wt_pct(column) * (top - bottom)))


def buried_weh_wt_pct(apparent_wt_pct, lag_thickness_m, *, attenuation_g_cm2: float,
                      dry_density_kg_m3: float):
    """WEH of a half-space under a dry lag of known thickness (invert step 2) [wt%]."""
    return np.asarray(apparent_wt_pct) * np.exp(
        np.asarray(lag_thickness_m) * dry_density_kg_m3 / 10.0 / attenuation_g_cm2)


def count_rate_cps(weh_wt_pct, *, dry_count_rate_cps: float, weh_half_wt_pct: float):
    """Epithermal count rate ``C_dry / (1 + W / W_half)`` [s-1]."""
    return dry_count_rate_cps / (1.0 + np.asarray(weh_wt_pct, dtype=float) / weh_half_wt_pct)


def weh_from_count_rate(rate_cps, *, dry_count_rate_cps: float, weh_half_wt_pct: float):
    """Inverse of :func:`count_rate_cps`: WEH [wt%] from a rate [s-1]."""
    r = np.asarray(rate_cps, dtype=float)
    if np.any(r <= 0):
        raise ParameterError(f"weh_from_count_rate: rate {rate_cps!r} must be > 0 counts/s.")
    return weh_half_wt_pct * (dry_count_rate_cps / r - 1.0)


def measure(columns: Column | Sequence[Column], *, rng: np.random.Generator | None = None,
            spec: NeutronSpec | None = None, duration_s: float | None = None
            ) -> NeutronMeasurement:
    """Count epithermal neutrons over one column (a stop) or several (a footprint or a drive).

    Parameters
    ----------
    columns : Column or sequence of Column
        What the detector sees; a sequence shares the integration time equally (the columns
        along a drive, or samples across the footprint).
    rng : numpy.random.Generator, optional
        Source of the Poisson draw; None is the noiseless instrument (expected counts).
    spec : NeutronSpec, optional
        Instrument parameters (default: :class:`NeutronSpec()`).
    duration_s : float, optional
        Integration time [s] (default: ``spec.duration_s``); for a drive, the driving time.

    Returns
    -------
    NeutronMeasurement
    """
    spec = spec or NeutronSpec()
    cols = [columns] if isinstance(columns, Column) else list(columns)
    if not cols:
        raise ParameterError("neutron.measure: no columns to measure.")
    t = spec.duration_s if duration_s is None else float(duration_s)
    if not t > 0:
        raise ParameterError(f"neutron.measure: duration_s = {duration_s!r} must be > 0 s.")
    cal = dict(dry_count_rate_cps=spec.dry_count_rate_cps, weh_half_wt_pct=spec.weh_half_wt_pct)
    w_app = np.array([apparent_weh_wt_pct(c, attenuation_g_cm2=spec.attenuation_g_cm2)
                      for c in cols])
    rate_true = float(np.mean(count_rate_cps(w_app, **cal)))
    counts = rate_true * t if rng is None else float(rng.poisson(rate_true * t))
    rate = max(counts, 1.0) / t  # zero counts: report the one-count upper bound
    sigma_rate = np.sqrt(max(counts, 1.0)) / t
    weh = float(weh_from_count_rate(rate, **cal))
    sigma_weh = float(spec.weh_half_wt_pct * spec.dry_count_rate_cps / rate**2 * sigma_rate)
    return NeutronMeasurement(
        counts=counts, count_rate_cps=counts / t, count_rate_sigma_cps=float(sigma_rate),
        weh_wt_pct=weh, weh_sigma_wt_pct=sigma_weh,
        weh_true_wt_pct=float(weh_from_count_rate(rate_true, **cal)), n_columns=len(cols),
        **costs(spec, t, data_scale=max(1.0, t / spec.duration_s)))
