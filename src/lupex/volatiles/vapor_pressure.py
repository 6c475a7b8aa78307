"""Saturation vapour pressure over the solid of water ice and other volatiles.

Each :class:`Species` carries its law p(T), the citation of that law (paper + equation or
table), the temperature range it was fitted on and its quality:

* ``"measured-fit"`` — a published fit to measured sublimation pressures (or to thermodynamic
  data anchored on them); every species except methanol;
* ``"approximate"`` — methanol only: a constant-enthalpy Clausius-Clapeyron law from the NIST
  triple point, because the only low-temperature fit we could read fails the triple point by a
  factor ~35 (see docs/volatiles.md).

The laws, with p in Pa and T in K:

=====  ====================================================================  ================
key    law                                                                   fitted range [K]
=====  ====================================================================  ================
H2O    Murphy & Koop (2005) eq. 7                                            110 - 273.16
CO2    Fray & Schmitt (2009) Table 3: ln(p/bar) = sum_i A_i / T^i            40 - 216.58
       (two branches, switch at 194.7 K; the low branch is Brown & Ziegler
       1980 converted to bar)
NH3    Fray & Schmitt (2009) Table 3, one branch                             15 - 195.4
SO2    Schörghofer & Williams (2024): ln(p/Pa) = b0 - b1/T + b2 ln T         ? - 197.64
H2S    Fray & Schmitt (2009) Table 3: ln(p/bar) = A0 + A1/T                  ? - 187.7
HCN    Schörghofer & Williams (2024): ln(p/Pa) = b0 - b1/T; phase II below   ? - 259.9
       170 K from Hudson & Gerakines (2023)
CH3OH  Clausius-Clapeyron from the triple point (approximate)                 none
CH4    Fray & Schmitt (2009) Table 3 (= Brown & Ziegler 1980 in bar)         ? - 90.69
CO     Brown & Ziegler (1980): ln(p/mmHg) = sum_i A_i / T^i, alpha and beta  14 - 68.13
       branches (switch 61.544 K)
N2     Fray & Schmitt (2009) Table 3, alpha and beta branches (35.61 K)      10 - 63.14
=====  ====================================================================  ================

"?" = the lower end of the fit is not stated in any source we could read; the laws of
Schörghofer & Williams (2024) were made for lunar cold-trap temperatures. Below a stated lower
end the law is extrapolated: :meth:`Species.vapor_pressure_pa` warns once per species
(:class:`ExtrapolationWarning`) and never fails. For CO we use Brown & Ziegler rather than
Fray & Schmitt's CO fit, which lies 1.9x (40 K) to 11x (20 K) above it (Grundy et al. 2024
are reported to find it above their laboratory data); the two give 1 mm/Gyr at 17.7 and 16.8 K.

Coefficients were read from public transcriptions of the papers (Planetary-Code-Collection
by N. Schörghofer for Schörghofer & Williams 2024; mini-cloud / exoplanet cloud codes and
the ``frostvap`` routine for Fray & Schmitt and Brown & Ziegler); each law is checked against
the NIST triple point and, where one exists, an independent published law (tests/volatiles).

References
----------
.. [1] Murphy, D. M. & Koop, T. (2005). Review of the vapour pressures of ice and supercooled
   water for atmospheric applications. QJRMS 131, 1539-1565, eq. 7.
.. [2] Fray, N. & Schmitt, B. (2009). Sublimation of ices of astrophysical interest: a
   bibliographic review. Planet. Space Sci. 57, 2053-2080, Table 3.
.. [3] Brown, G. N. & Ziegler, W. T. (1980). Vapor pressure and heats of vaporization and
   sublimation of liquids and solids of interest in cryogenics below 1-atm pressure.
   Adv. Cryog. Eng. 25, 662-670.
.. [4] Schörghofer, N. & Williams, J.-P. (2024). Sublimation pressures of common volatiles at
   low temperature and maps of supervolatile cold traps on the Moon. Icarus 416, 116086.
.. [5] Hudson, R. L. & Gerakines, P. A. (2023), HCN phase II sublimation (via [4]).
.. [6] NIST Chemistry WebBook, SRD 69 (triple points, sublimation enthalpies).
.. [7] Grundy, W. M. et al. (2024). Laboratory measurement of volatile ice vapor pressures with
   a quartz crystal microbalance. Icarus 410, 115767.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from lupex.errors import ParameterError

R_GAS = 8.314462618  # [J mol-1 K-1] (CODATA 2018)
BAR_PA = 1.0e5  # [Pa]
MMHG_PA = 133.322387415  # [Pa] (1 mmHg = 101325/760 Pa)


class ExtrapolationWarning(UserWarning):
    """A vapour-pressure law was evaluated below the temperatures it was fitted on."""


def _murphy_koop_2005(t):
    return np.exp(9.550426 - 5723.265 / t + 3.53068 * np.log(t) - 0.00728332 * t)


def _inverse_powers(coefs: Sequence[float], unit_pa: float):
    """ln(p / unit) = sum_i A_i / T^i (the form of Fray & Schmitt 2009 and Brown & Ziegler 1980)."""
    a = tuple(float(c) for c in coefs)

    def law(t):
        s = np.zeros_like(t)
        for i, ai in enumerate(a):
            s = s + ai / t**i
        return np.exp(s) * unit_pa
    return law


def _log_linear(b0: float, b1: float, b2: float = 0.0):
    """ln(p / Pa) = b0 - b1 / T + b2 ln T (the form of Schörghofer & Williams 2024)."""
    def law(t):
        return np.exp(b0 - b1 / t + b2 * np.log(t))
    return law


def _branches(t_switch_k: float, below, above):
    """``below`` for T < t_switch, ``above`` from t_switch on (two solid phases or two fits)."""
    def law(t):
        with np.errstate(over="ignore", under="ignore"):
            return np.where(t < t_switch_k, below(t), above(t))
    return law


def _clausius_clapeyron(t_triple_k: float, p_triple_pa: float, dh_j_mol: float):
    def law(t):
        return p_triple_pa * np.exp(-dh_j_mol / R_GAS * (1.0 / t - 1.0 / t_triple_k))
    return law


_WARNED: set[str] = set()


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
        p(T) [Pa] for T [K] (numpy arrays).
    source : str
        Citation of the law (paper + equation or table).
    fit_range_k : (float, float)
        Temperatures the law was fitted on [K]; NaN where the source we read does not state
        that end.
    quality : str
        ``"measured-fit"`` (a published fit) or ``"approximate"`` (constant-enthalpy
        extrapolation from the triple point).
    """

    key: str
    name: str
    molar_mass_g_mol: float
    ice_density_kg_m3: float
    law: Callable[[np.ndarray], np.ndarray]
    source: str
    fit_range_k: tuple[float, float]
    quality: str

    def in_fit_range(self, t_k) -> np.ndarray:
        """True where ``t_k`` [K] is not below the stated lower end of the fit (NaN end: True)."""
        lo = self.fit_range_k[0]
        t = np.asarray(t_k, dtype=float)
        return np.ones(t.shape, bool) if not np.isfinite(lo) else ~(t < lo)

    def vapor_pressure_pa(self, t_k, *, warn: bool = True):
        """Saturation vapour pressure over the solid [Pa] at ``t_k`` [K] (array-friendly).

        Below the fitted range the law is extrapolated; with ``warn`` an
        :class:`ExtrapolationWarning` says so once per species and process.
        """
        t = np.asarray(t_k, dtype=float)
        if np.any(t <= 0):
            raise ParameterError(f"{self.key}: temperatures must be > 0 K (got min {np.nanmin(t)!r}).")
        if warn and self.key not in _WARNED and not np.all(self.in_fit_range(t)):
            _WARNED.add(self.key)
            warnings.warn(
                f"{self.key}: vapour pressure extrapolated below {self.fit_range_k[0]:g} K, the "
                f"lower end of the fitted law ({self.source}); min T {np.nanmin(t):.1f} K.",
                ExtrapolationWarning, stacklevel=2)
        with np.errstate(over="ignore", under="ignore"):
            return self.law(t)


_NAN = float("nan")

_CO2_FS = _branches(194.7, _inverse_powers((1.476e1, -2.571e3, -7.781e4, 4.325e6, -1.207e8, 1.350e9),
                                           BAR_PA),
                    _inverse_powers((1.861e1, -4.154e3, 1.041e5), BAR_PA))
_NH3_FS = _inverse_powers((1.596e1, -3.537e3, -3.310e4, 1.742e6, -2.995e7), BAR_PA)
_H2S_FS = _inverse_powers((1.298e1, -2.707e3), BAR_PA)
_CH4_FS = _inverse_powers((1.051e1, -1.110e3, -4.341e3, 1.035e5, -7.910e5), BAR_PA)
_N2_FS = _branches(35.61, _inverse_powers((1.240e1, -8.074e2, -3.926e3, 6.297e4, -4.633e5, 1.325e6),
                                          BAR_PA),
                   _inverse_powers((8.514, -4.584e2, -1.987e4, 4.800e5, -4.524e6), BAR_PA))
_CO_BZ = _branches(61.544, _inverse_powers((1.80741183e1, -7.69842078e2, -1.21487759e4, 2.73500950e5,
                                            -2.90874670e6, 1.20319418e7), MMHG_PA),
                   _inverse_powers((1.68655152e1, -7.48151471e2, -5.84330795e3, 3.93853859e4),
                                   MMHG_PA))
_SO2_SW = _log_linear(9.435, 3775.0, 3.225)
_HCN_SW = _branches(170.0, _log_linear(26.50, 4568.0), _log_linear(27.03, 4472.0))
_CH3OH_CC = _clausius_clapeyron(175.6, 0.186, 45.5e3)

_FS = "Fray & Schmitt (2009) PSS 57, 2053, Table 3"
_SW = "Schörghofer & Williams (2024) Icarus 416, 116086"

SPECIES: dict[str, Species] = {
    "H2O": Species("H2O", "water ice (Ih)", 18.015, 930.0, _murphy_koop_2005,
                   "Murphy & Koop (2005) QJRMS 131, eq. 7", (110.0, 273.16), "measured-fit"),
    "CO2": Species("CO2", "carbon dioxide", 44.010, 1600.0, _CO2_FS,
                   f"{_FS} (low branch = Brown & Ziegler 1980)", (40.0, 216.58), "measured-fit"),
    "NH3": Species("NH3", "ammonia", 17.031, 820.0, _NH3_FS, _FS, (15.0, 195.4), "measured-fit"),
    "SO2": Species("SO2", "sulfur dioxide", 64.066, 1900.0, _SO2_SW, f"{_SW}, low-T fit",
                   (_NAN, 197.64), "measured-fit"),
    "H2S": Species("H2S", "hydrogen sulfide", 34.081, 1120.0, _H2S_FS, _FS, (_NAN, 187.7),
                   "measured-fit"),
    "HCN": Species("HCN", "hydrogen cyanide", 27.025, 1000.0, _HCN_SW,
                   f"{_SW}, low-T fit (phase II < 170 K: Hudson & Gerakines 2023)",
                   (_NAN, 259.9), "measured-fit"),
    "CH3OH": Species("CH3OH", "methanol", 32.042, 1000.0, _CH3OH_CC,
                     "Clausius-Clapeyron from the NIST triple point (175.6 K, 0.186 Pa), "
                     "dH_sub = 45.5 kJ/mol; no usable low-T fit found", (_NAN, 175.6),
                     "approximate"),
    "CH4": Species("CH4", "methane", 16.043, 520.0, _CH4_FS,
                   f"{_FS} (= Brown & Ziegler 1980 in bar)", (_NAN, 90.69), "measured-fit"),
    "CO": Species("CO", "carbon monoxide", 28.010, 1030.0, _CO_BZ,
                  "Brown & Ziegler (1980) Adv. Cryog. Eng. 25, 662 (alpha/beta CO)", (14.0, 68.13),
                  "measured-fit"),
    "N2": Species("N2", "nitrogen", 28.014, 1030.0, _N2_FS, f"{_FS} (alpha/beta N2)", (10.0, 63.14),
                  "measured-fit"),
}
"""The species lupex knows, keyed by formula."""


def get_species(key: str) -> Species:
    """Look a species up by formula (case-insensitive); the error lists the known ones."""
    for k, s in SPECIES.items():
        if k.lower() == str(key).lower():
            return s
    raise ParameterError(f"unknown species {key!r}; known: {', '.join(SPECIES)}.")


def vapor_pressure_pa(species: str | Species, t_k):
    """Saturation vapour pressure over the solid [Pa] of a species at ``t_k`` [K].

    Below the law's fitted range it warns once per species (:class:`ExtrapolationWarning`).
    """
    sp = species if isinstance(species, Species) else get_species(species)
    return sp.vapor_pressure_pa(t_k)
