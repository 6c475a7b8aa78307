"""Saturation vapour pressure over the solid of water ice and other volatiles.

Each species carries its law, its source, the range the law was fitted on and the quality of
its extrapolation to the 20-120 K of lunar cold traps:

* H2O: Murphy & Koop (2005) eq. 7 (fitted above 110 K; the standard extrapolation below);
* CO2: Fray & Schmitt (2009), the polynomial ln(P / bar) = sum A_i / T^i fitted on 40-194.7 K;
* the others: the integrated Clausius-Clapeyron law from the triple point with a constant
  sublimation enthalpy, ln(p / p_t) = -(dH / R)(1/T - 1/T_t) ("approximate" in the table:
  the same construction for CO2 lands within ~1-2 K of Fray & Schmitt's stability temperature,
  see tests/volatiles). Triple points: NIST Chemistry WebBook (SRD 69); dH_sub: NIST /
  Fray & Schmitt (2009) review values near the triple point.

References
----------
.. [1] Murphy, D. M. & Koop, T. (2005). Review of the vapour pressures of ice and supercooled
   water for atmospheric applications. QJRMS 131, 1539-1565, eq. 7.
.. [2] Fray, N. & Schmitt, B. (2009). Sublimation of ices of astrophysical interest: a
   bibliographic review. Planet. Space Sci. 57, 2053-2080.
.. [3] NIST Chemistry WebBook, NIST Standard Reference Database 69 (phase-change data).
.. [4] Zhang, J. A. & Paige, D. A. (2009). Cold-trapped organic compounds at the poles of the
   Moon and Mercury: implications for origins. GRL 36, L16203 (cold-trap temperatures of
   volatiles and organics for a loss of 1 mm per Gyr — the same construction as here).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from lupex.errors import ParameterError

R_GAS = 8.314462618  # [J mol-1 K-1] (CODATA 2018)


def _murphy_koop_2005(t):
    return np.exp(9.550426 - 5723.265 / t + 3.53068 * np.log(t) - 0.00728332 * t)


_FRAY_CO2 = (1.476e1, -2.571e3, -7.781e4, 4.325e6, -1.207e8, 1.350e9)


def _fray_schmitt_co2(t):
    s = np.zeros_like(t)
    for i, a in enumerate(_FRAY_CO2):
        s = s + a / t**i
    return np.exp(s) * 1e5  # bar -> Pa


def _clausius_clapeyron(t_triple_k: float, p_triple_pa: float, dh_j_mol: float):
    def law(t):
        return p_triple_pa * np.exp(-dh_j_mol / R_GAS * (1.0 / t - 1.0 / t_triple_k))
    return law


@dataclass(frozen=True)
class Species:
    """A volatile and its vapour-pressure law.

    Attributes
    ----------
    key, name : str
        Formula used as key (``"H2O"``) and a readable name.
    molar_mass_g_mol : float
        Molar mass [g mol-1].
    ice_density_kg_m3 : float
        Density of the solid [kg m-3] (turns a mass loss into a recession rate).
    law : callable
        p(T) [Pa] for T [K].
    source : str
        Citation of the law.
    fit_range_k : (float, float)
        Temperatures the law was measured / fitted on [K].
    quality : str
        ``"measured-fit"`` or ``"approximate"`` (constant-enthalpy extrapolation).
    """

    key: str
    name: str
    molar_mass_g_mol: float
    ice_density_kg_m3: float
    law: Callable[[np.ndarray], np.ndarray]
    source: str
    fit_range_k: tuple[float, float]
    quality: str

    def vapor_pressure_pa(self, t_k):
        """Saturation vapour pressure over the solid [Pa] at ``t_k`` [K] (array-friendly)."""
        t = np.asarray(t_k, dtype=float)
        if np.any(t <= 0):
            raise ParameterError(f"{self.key}: temperatures must be > 0 K (got min {np.nanmin(t)!r}).")
        return self.law(t)


def _cc_species(key, name, m, rho, tt, pt, dh, src) -> Species:
    return Species(key, name, m, rho, _clausius_clapeyron(tt, pt, dh),
                   f"Clausius-Clapeyron from the triple point ({tt} K, {pt:g} Pa), "
                   f"dH_sub = {dh / 1e3:g} kJ/mol; {src}", (0.0, tt), "approximate")


SPECIES: dict[str, Species] = {
    "H2O": Species("H2O", "water ice (Ih)", 18.015, 930.0, _murphy_koop_2005,
                   "Murphy & Koop (2005) QJRMS 131, eq. 7", (110.0, 273.16), "measured-fit"),
    "CO2": Species("CO2", "carbon dioxide", 44.010, 1600.0, _fray_schmitt_co2,
                   "Fray & Schmitt (2009) PSS 57, polynomial fit", (40.0, 194.7), "measured-fit"),
    "NH3": _cc_species("NH3", "ammonia", 17.031, 820.0, 195.4, 6060.0, 31.2e3, "NIST WebBook"),
    "SO2": _cc_species("SO2", "sulfur dioxide", 64.066, 1900.0, 197.64, 1670.0, 34.4e3, "NIST WebBook"),
    "H2S": _cc_species("H2S", "hydrogen sulfide", 34.081, 1120.0, 187.7, 23200.0, 23.0e3, "NIST WebBook"),
    "HCN": _cc_species("HCN", "hydrogen cyanide", 27.025, 1000.0, 259.9, 18630.0, 35.0e3, "NIST WebBook"),
    "CH3OH": _cc_species("CH3OH", "methanol", 32.042, 1000.0, 175.6, 0.186, 45.5e3, "NIST WebBook"),
    "CH4": _cc_species("CH4", "methane", 16.043, 520.0, 90.69, 11696.0, 9.7e3, "NIST WebBook"),
    "CO": _cc_species("CO", "carbon monoxide", 28.010, 1030.0, 68.13, 15350.0, 7.6e3, "NIST WebBook"),
    "N2": _cc_species("N2", "nitrogen", 28.014, 1030.0, 63.15, 12520.0, 6.9e3, "NIST WebBook"),
}
"""The species lupex knows, keyed by formula."""


def get_species(key: str) -> Species:
    """Look a species up by formula (case-insensitive); the error lists the known ones."""
    for k, s in SPECIES.items():
        if k.lower() == str(key).lower():
            return s
    raise ParameterError(f"unknown species {key!r}; known: {', '.join(SPECIES)}.")


def vapor_pressure_pa(species: str | Species, t_k):
    """Saturation vapour pressure over the solid [Pa] of a species at ``t_k`` [K]."""
    sp = species if isinstance(species, Species) else get_species(species)
    return sp.vapor_pressure_pa(t_k)
