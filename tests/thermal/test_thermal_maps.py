"""`thermal_maps`: a map pixel equals the single-facet tool; terrain radiosity warms a crater."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from lupex.errors import ParameterError
from lupex.io.maps import make_map
from lupex.terrain.geometry import latlon_to_xy_m
from lupex.thermal.maps import thermal_maps
from lupex.thermal.point import point_temperature

CRS = "IAU_2015:30135"
WINDOW = ("2028-01-01T00:00", "2028-01-04T00:00", "3h")


def _flat_dem(n=3, pixel_m=100.0, lat=-89.45, lon=222.7, z=None):
    x0, y0 = latlon_to_xy_m(np.array([lat]), np.array([lon]), CRS)
    x = x0[0] + (np.arange(n) - n // 2) * pixel_m
    y = y0[0] - (np.arange(n) - n // 2) * pixel_m
    return make_map(np.zeros((n, n)) if z is None else z, x=x, y=y, crs=CRS, name="elevation_m",
                    units="m", long_name="test DEM")


def test_map_pixel_matches_the_point_tool():
    # Authority: lupex.thermal.point (same physics, the ephemeris at the exact point). A flat
    # DEM with a 0-degree horizon is the point tool's flat facet; 0.05 K allows for the Sun
    # direction being transported from the map's reference point (100 m away).
    dem = _flat_dem()
    ds = thermal_maps(dem, np.zeros((36, 3, 3), np.float32), *WINDOW, depths_m=[0, 0.1],
                      spinup_days=30, series_pixels=[(1, 1)])
    p = point_temperature(-89.45, 222.7, start=WINDOW[0], days=3, dt_s=3 * 3600.0,
                          depths_m=[0.1], spinup_days=30)
    assert_allclose(ds["t_surface_series_k"].values[:-1, 0], p["t_surface_k"].values, atol=0.05)
    assert_allclose(ds["t_0.1m_max_k"].values[1, 1], p["t_0.1m_k"].values.max(), atol=0.05)
    assert ds["t_max_nodes_k"].dims == ("node_depth_m", "y", "x")
    assert ds["t_surface_max_k"].rio.crs is not None and ds.attrs["spinup_converged"] == 1


def test_nan_pixels_stay_nan_and_bad_view_factors_are_refused():
    z = np.zeros((3, 3))
    z[0, 0] = np.nan
    dem = _flat_dem(z=z)
    ds = thermal_maps(dem, np.zeros((36, 3, 3), np.float32), *WINDOW, spinup_days=0)
    assert np.isnan(ds["t_surface_mean_k"].values[0, 0])
    assert np.isfinite(ds["t_surface_mean_k"].values[1:, 1:]).all()
    import scipy.sparse as sp

    with pytest.raises(ParameterError, match="view_factors"):
        thermal_maps(dem, np.zeros((36, 3, 3), np.float32), *WINDOW, view_factors=sp.eye(4))


def test_terrain_radiosity_warms_a_bowl_floor():
    # Physical bound, not a fit: scattered light and terrain infrared only add energy, so every
    # pixel is at least as warm with view factors as without, and a shadowed bowl floor facing
    # a sunlit wall warms by tens of kelvin (Ingersoll et al. 1992; the bowl itself is checked
    # against Ingersoll's closed form in test_ingersoll*.py). Horizons are left at 0 deg here.
    from lupex.thermal import view_factor_matrix

    n = 7
    yy, xx = np.mgrid[0:n, 0:n] - n // 2
    r = np.hypot(xx, yy) * 50.0
    dem = _flat_dem(n=n, pixel_m=50.0, z=np.where(r < 150, -45 * (1 - (r / 150) ** 2), 0.0))
    F = view_factor_matrix(dem)
    window = ("2028-01-01T00:00", "2028-01-02T00:00", "6h")
    hor = np.zeros((36, n, n), np.float32)
    a = thermal_maps(dem, hor, *window, spinup_days=5)
    b = thermal_maps(dem, hor, *window, spinup_days=5, view_factors=F)
    ta, tb = a["t_surface_mean_k"].values, b["t_surface_mean_k"].values
    assert (tb >= ta - 1e-3).all()
    assert (tb - ta)[n // 2, n // 2] > 10.0
    # flat ground sees no other facet: F = 0, nothing changes
    assert view_factor_matrix(_flat_dem(n=5)).nnz == 0
