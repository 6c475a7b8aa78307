"""Slow: temperature maps of Shackleton crater's floor on the real LOLA crop (../shared/data)."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

import lupex.horizon
from lupex.terrain.dem import read_dem
from lupex.thermal import RegolithParams, thermal_maps, view_factor_matrix

pytestmark = pytest.mark.slow


@pytest.fixture
def floor_crop(lola_shackleton):
    if not hasattr(lupex.horizon, "horizon_map"):
        pytest.skip("lupex.horizon.horizon_map not available")
    dem = read_dem(lola_shackleton)
    ix = int(np.argmin(np.abs(dem.x.values - 7700.0)))  # Shackleton's centre (data README)
    iy = int(np.argmin(np.abs(dem.y.values + 6400.0)))
    crop = dem.isel(x=slice(ix - 16, ix + 16), y=slice(iy - 16, iy + 16)).coarsen(x=2, y=2).mean()
    return crop.rio.write_crs(dem.rio.crs)


def test_shackleton_floor_is_at_geothermal_equilibrium_without_radiosity_and_warms_with_it(floor_crop):
    # Authority: a column that never sees the Sun and receives nothing from its surroundings
    # sits at eps sigma T^4 = Q_b (24.04 K) at the surface: the PSR floor without radiosity.
    # With terrain infrared and scattered light (view factors) it must be warmer everywhere,
    # by tens of kelvin on the floor (Ingersoll et al. 1992; Paige et al. 2010 Science 330).
    hor = lupex.horizon.horizon_map(floor_crop, n_azimuths=180)
    window = ("2028-01-01T00:00", "2028-02-01T00:00", "6h")
    plain = thermal_maps(floor_crop, hor, *window, spinup_days=60)
    p = RegolithParams()
    t_geo = (p.geothermal_flux_w_m2 / (p.emissivity * 5.670374419e-8)) ** 0.25
    tmax = plain["t_surface_max_k"].values
    assert_allclose(np.nanmin(tmax), t_geo, atol=0.05)
    F = view_factor_matrix(floor_crop)
    rad = thermal_maps(floor_crop, hor, *window, spinup_days=60, view_factors=F,
                       ir_reflection=False)
    trad = rad["t_surface_max_k"].values
    assert (trad >= tmax - 0.01).all()
    floor = tmax < t_geo + 0.05
    assert floor.sum() >= 4 and np.median(trad[floor] - tmax[floor]) > 10.0
