"""Free sublimation into vacuum (Hertz-Knudsen) and the temperature of stability per loss rate.

E = p_v(T) sqrt(m / (2 pi k T))  [kg m-2 s-1]  (evaporation coefficient 1), and the recession
rate E / rho_ice, reported in m per Gyr. The stability temperature of a species is the
temperature at which the recession equals a loss rate the user sets (default 1 mm per Gyr, the
usual cold-trap criterion, e.g. Zhang & Paige 2009; Siegler et al. 2016).

References
----------
.. [1] Hertz, H. (1882); Knudsen, M. (1915) — free molecular evaporation; e.g. Schorghofer, N.
   (2008). The lifetime of ice on main belt asteroids. ApJ 682, 697 (same expression).
"""

from __future__ import annotations

import numpy as np

from lupex.errors import check_range
from lupex.times import SECONDS_PER_DAY
from lupex.volatiles.vapor_pressure import Species, get_species

BOLTZMANN = 1.380649e-23  # [J K-1] (SI exact)
AMU_KG = 1.66053906660e-27  # [kg] (CODATA 2018)
GYR_S = 1e9 * 365.25 * SECONDS_PER_DAY  # [s] (Julian years)


def _sp(species) -> Species:
    return species if isinstance(species, Species) else get_species(species)


def sublimation_rate_kg_m2_s(species: str | Species, t_k, *, warn: bool = True):
    """Hertz-Knudsen free sublimation rate into vacuum [kg m-2 s-1] at ``t_k`` [K].

    ``warn``: say once per species when ``t_k`` is below the vapour-pressure law's fitted range.
    """
    sp = _sp(species)
    t = np.asarray(t_k, dtype=float)
    m = sp.molar_mass_g_mol * AMU_KG
    return sp.vapor_pressure_pa(t, warn=warn) * np.sqrt(m / (2.0 * np.pi * BOLTZMANN * t))


def recession_rate_m_per_gyr(species: str | Species, t_k, *, ice_density_kg_m3: float | None = None,
                             warn: bool = True):
    """Surface recession of pure ice sublimating freely [m per Gyr] at ``t_k`` [K].

    ``ice_density_kg_m3`` defaults to the species' solid density (930 for H2O).
    """
    sp = _sp(species)
    rho = sp.ice_density_kg_m3 if ice_density_kg_m3 is None else ice_density_kg_m3
    return sublimation_rate_kg_m2_s(sp, t_k, warn=warn) / rho * GYR_S


def stability_temperature_k(species: str | Species, loss_mm_per_gyr: float = 1.0, *,
                            ice_density_kg_m3: float | None = None, warn: bool = True) -> float:
    """Temperature [K] at which free sublimation removes ``loss_mm_per_gyr`` of ice per Gyr.

    Ice whose annual maximum temperature stays below this loses less than that rate.
    Solved by bisection on log(rate), which increases monotonically with T. Where the result
    lies below the fitted range of the species' law, an ``ExtrapolationWarning`` says so (once
    per species; ``warn=False`` silences it, :meth:`Species.in_fit_range` tells it quietly).
    """
    check_range("--loss-mm-per-gyr", loss_mm_per_gyr, 0, None, lo_open=True, unit="mm/Gyr")
    sp = _sp(species)
    target = np.log(loss_mm_per_gyr * 1e-3)
    lo, hi = 5.0, 400.0

    def f(t):
        with np.errstate(under="ignore", over="ignore", divide="ignore"):
            return np.log(recession_rate_m_per_gyr(sp, t, ice_density_kg_m3=ice_density_kg_m3,
                                                   warn=False)) - target

    for _ in range(100):
        mid = 0.5 * (lo + hi)
        if f(mid) > 0:
            hi = mid
        else:
            lo = mid
        if hi - lo < 1e-6:
            break
    t_stab = 0.5 * (lo + hi)
    if warn:
        sp.vapor_pressure_pa(t_stab)  # warns once if t_stab is an extrapolation of the law
    return t_stab


def cold_trap_map(t_max_k, species: str | Species = "H2O", loss_mm_per_gyr: float = 1.0):
    """Boolean cold-trap mask: annual maximum surface temperature below the stability temperature.

    Parameters
    ----------
    t_max_k : array_like or xarray.DataArray
        Annual maximum surface temperature [K]; NaN gives False.
    species : str or Species
        The volatile (see :data:`lupex.volatiles.SPECIES`).
    loss_mm_per_gyr : float
        Allowed loss [mm per Gyr] (default 1).

    Returns
    -------
    Same type as ``t_max_k`` (DataArray keeps coords and gets attrs), dtype bool.
    """
    t_stab = stability_temperature_k(species, loss_mm_per_gyr)
    sp = _sp(species)
    try:
        import xarray as xr
        if isinstance(t_max_k, xr.DataArray):
            out = (t_max_k < t_stab).fillna(False)
            out.name = f"cold_trap_{sp.key}"
            out.attrs = {"units": "1", "long_name": f"{sp.key} cold trap (annual max T < {t_stab:.2f} K)",
                         "loss_mm_per_gyr": loss_mm_per_gyr, "stability_temperature_k": t_stab,
                         "vapor_pressure_source": sp.source}
            return out
    except ImportError:  # pragma: no cover
        pass
    t = np.asarray(t_max_k, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(t), t < t_stab, False)
