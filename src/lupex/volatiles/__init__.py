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
from lupex.volatiles.vapor_pressure import SPECIES, Species, get_species, vapor_pressure_pa


def stability_table(loss_mm_per_gyr: float = 1.0) -> list[dict]:
    """One row per species: stability temperature [K] for the loss rate, and the law's source."""
    return [dict(species=s.key, name=s.name, t_stability_k=stability_temperature_k(s, loss_mm_per_gyr),
                 quality=s.quality, source=s.source) for s in SPECIES.values()]


__all__ = [
    "CLASS_NAMES", "NO_DATA", "SPECIES", "STABLE_AT_DEPTH", "STABLE_AT_SURFACE", "UNSTABLE_IN_GRID",
    "Species", "cold_trap_map", "get_species", "ice_stability_depth", "recession_rate_m_per_gyr",
    "stability_table", "stability_temperature_k", "sublimation_rate_kg_m2_s", "vapor_pressure_pa",
    "volatile_maps",
]
