"""lupex.terrain: lunar DEMs (read/write), grid geometry, slope/aspect/roughness, synthetic and
regional terrain.

The DEM is a map (``xarray.DataArray``, dims ``(y, x)``, metres of a projected lunar CRS such as
IAU_2015:30135) of elevations [m] above the 1737.4 km lunar sphere. See docs/terrain.md.
"""

from lupex.terrain.dem import check_lunar_crs, fill_holes, read_dem, write_dem
from lupex.terrain.geometry import (
    body_fixed_xyz_m,
    crs_label,
    geo_to_grid_azimuth,
    geojson_lonlat,
    grid_convergence_deg,
    grid_to_geo_azimuth,
    latlon_deg,
    latlon_to_xy_m,
    scale_factor,
    xy_to_latlon_deg,
)
from lupex.terrain.regional import far_field_dem, regional_dem
from lupex.terrain.resample import block_mean
from lupex.terrain.slope import hurst_exponent, rms_slope_deg, roughness, slope_aspect
from lupex.terrain.summary import dem_summary
from lupex.terrain.synth import synthetic_south_pole

__all__ = [
    "block_mean",
    "body_fixed_xyz_m",
    "check_lunar_crs",
    "crs_label",
    "dem_summary",
    "far_field_dem",
    "fill_holes",
    "geo_to_grid_azimuth",
    "geojson_lonlat",
    "grid_convergence_deg",
    "grid_to_geo_azimuth",
    "hurst_exponent",
    "latlon_deg",
    "latlon_to_xy_m",
    "read_dem",
    "regional_dem",
    "rms_slope_deg",
    "roughness",
    "scale_factor",
    "slope_aspect",
    "synthetic_south_pole",
    "write_dem",
    "xy_to_latlon_deg",
]
