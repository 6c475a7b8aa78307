"""lupex.volatiles: sublimation of water ice and other volatiles, cold traps, ice stability depth.

* ``vapor_pressure`` — p_v(T) per species with its cited law (:data:`SPECIES`);
* ``sublimation`` — Hertz-Knudsen loss, recession in m per Gyr, stability temperature per loss
  rate, cold-trap masks from annual maximum temperatures;
* ``stability`` — depth of ice stability (Siegler et al. 2016) with explicit class codes;
* ``maps`` — cold-trap and stability-depth maps from the thermal maps.
"""

from lupex.volatiles.maps import volatile_maps
from lupex.volatiles.stability import (
    CLASS_NAMES,
    NO_DATA,
    STABLE_AT_DEPTH,
    STABLE_AT_SURFACE,
    UNSTABLE_IN_GRID,
    ice_stability_depth,
)
from lupex.volatiles.sublimation import (
    cold_trap_map,
    recession_rate_m_per_gyr,
    stability_temperature_k,
    sublimation_rate_kg_m2_s,
)
from lupex.volatiles.vapor_pressure import (
    SPECIES,
    ExtrapolationWarning,
    Species,
    get_species,
    vapor_pressure_pa,
)


def stability_table(loss_mm_per_gyr: float = 1.0) -> list[dict]:
    """One row per species: stability temperature [K] for the loss rate and the law behind it.

    Keys: ``species``, ``name``, ``t_stability_k``, ``quality``, ``source``, ``fit_range_k``
    (lower, upper; NaN where not stated) and ``in_fit_range`` (False where the stability
    temperature is an extrapolation of the law below its fitted range). No warnings: the
    ``in_fit_range`` column states the extrapolation.
    """
    rows = []
    for s in SPECIES.values():
        t = stability_temperature_k(s, loss_mm_per_gyr, warn=False)
        rows.append(dict(species=s.key, name=s.name, t_stability_k=t, quality=s.quality,
                         source=s.source, fit_range_k=s.fit_range_k,
                         in_fit_range=bool(s.in_fit_range(t))))
    return rows


__all__ = [
    "CLASS_NAMES", "NO_DATA", "SPECIES", "STABLE_AT_DEPTH", "STABLE_AT_SURFACE", "UNSTABLE_IN_GRID",
    "ExtrapolationWarning", "Species", "cold_trap_map", "get_species", "ice_stability_depth", "recession_rate_m_per_gyr",
    "stability_table", "stability_temperature_k", "sublimation_rate_kg_m2_s", "vapor_pressure_pa",
    "volatile_maps",
]
