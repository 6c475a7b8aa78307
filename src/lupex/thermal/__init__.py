"""lupex.thermal: surface and subsurface temperature of regolith columns.

The 1-D conduction model of Hayne et al. (2017) (``conduction``), its parameters
(``params``), layer grid (``grid``) and direct-sunlight forcing (``insolation``); a single
facet under the real Sun (``point``); temperature maps of a DEM (``maps``). Terrain radiosity lives in ``radiosity`` /
``viewfactors``.
"""

from lupex.thermal.conduction import (
    SpinupInfo,
    ThermalState,
    ThermalStats,
    equilibrate,
    initial_state,
    integrate,
    simulate,
)
from lupex.thermal.grid import SYNODIC_MONTH_S, YEAR_S, LayerGrid, layer_grid, skin_depth_m
from lupex.thermal.insolation import (
    absorbed_direct_flux,
    cos_incidence,
    idealized_diurnal_flux,
    solar_flux_on_facet,
)
from lupex.thermal.maps import thermal_maps
from lupex.thermal.params import (
    RegolithParams,
    albedo_at_incidence,
    conductivity,
    contact_conductivity,
    density,
    heat_capacity,
    radiative_equilibrium_k,
)
from lupex.thermal.radiosity import (
    absorbed_flux,
    equilibrium_temperature,
    infrared_flux,
    ingersoll_bowl_temperature,
    radiosity_fluxes,
    scattered_flux,
)
from lupex.thermal.viewfactors import (
    Facets,
    facets_from_dem,
    facets_from_mesh,
    sky_view_factor,
    view_factor_matrix,
)

__all__ = [
    "SYNODIC_MONTH_S",
    "YEAR_S",
    "Facets",
    "LayerGrid",
    "RegolithParams",
    "SpinupInfo",
    "ThermalState",
    "ThermalStats",
    "absorbed_direct_flux",
    "absorbed_flux",
    "albedo_at_incidence",
    "conductivity",
    "contact_conductivity",
    "cos_incidence",
    "density",
    "equilibrate",
    "equilibrium_temperature",
    "facets_from_dem",
    "facets_from_mesh",
    "heat_capacity",
    "idealized_diurnal_flux",
    "infrared_flux",
    "ingersoll_bowl_temperature",
    "initial_state",
    "integrate",
    "layer_grid",
    "radiative_equilibrium_k",
    "radiosity_fluxes",
    "scattered_flux",
    "simulate",
    "skin_depth_m",
    "sky_view_factor",
    "solar_flux_on_facet",
    "thermal_maps",
    "view_factor_matrix",
]
