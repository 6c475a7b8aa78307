"""Smooth sphere closed form (authority: geometry of a sphere): 0 deg at h = 0 and
-acos(R / (R + h)) above it."""

from __future__ import annotations

import math

import numpy as np
import rioxarray  # noqa: F401
import xarray as xr
from numpy.testing import assert_allclose

from lupex.constants import MOON_RADIUS_M
from lupex.horizon import horizon_map


def _flat(n: int = 48, px: float = 200.0) -> xr.DataArray:
    x = (np.arange(n) - n / 2 + 0.5) * px
    return xr.DataArray(np.zeros((n, n), np.float32), dims=("y", "x"),
                        coords={"y": -x, "x": x}).rio.write_crs("IAU_2015:30135")


def test_sphere_two_heights() -> None:
    h = horizon_map(_flat(), n_azimuths=16, observer_height_m=2.0)
    assert h.dims == ("azimuth", "y", "x")
    assert_allclose(h.values, -math.degrees(math.acos(MOON_RADIUS_M / (MOON_RADIUS_M + 2.0))), atol=1e-3)
    h0 = horizon_map(_flat(), n_azimuths=16, observer_height_m=0.0)
    assert_allclose(h0.values, 0.0, atol=0.01)
