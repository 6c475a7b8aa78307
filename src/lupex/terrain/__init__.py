"""lupex.terrain: lunar DEMs (read/write), grid geometry, slope/aspect/roughness, synthetic and
regional terrain.

The DEM is a map (``xarray.DataArray``, dims ``(y, x)``, metres of a projected lunar CRS such as
IAU_2015:30135) of elevations [m] above the 1737.4 km lunar sphere.
"""

from lupex.terrain.dem import fill_holes, read_dem, write_dem
from lupex.terrain.geometry import (
    body_fixed_xyz_m,
    geo_to_grid_azimuth,
    grid_convergence_deg,
    grid_to_geo_azimuth,
    latlon_deg,
    latlon_to_xy_m,
    scale_factor,
    xy_to_latlon_deg,
)

# task C's modules (synthetic south pole, regional LOLA far field)
# from lupex.terrain.synth import synthetic_south_pole
# from lupex.terrain.regional import regional_dem, far_field_dem

__all__ = [
    "body_fixed_xyz_m",
    "fill_holes",
    "geo_to_grid_azimuth",
    "grid_convergence_deg",
    "grid_to_geo_azimuth",
    "latlon_deg",
    "latlon_to_xy_m",
    "read_dem",
    "scale_factor",
    "write_dem",
    "xy_to_latlon_deg",
]
