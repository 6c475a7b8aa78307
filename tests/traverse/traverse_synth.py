"""Synthetic grids and visibility providers for the planner tests (imported by them)."""

from __future__ import annotations

import numpy as np

from lupex.io.maps import make_map

PIX = 20.0
T0 = np.datetime64("2028-03-01T00:00:00")


def flat_dem(ny: int, nx: int, elev=None):
    x = np.arange(nx) * PIX
    y = -np.arange(ny) * PIX
    z = np.zeros((ny, nx)) if elev is None else elev
    return make_map(z, x=x, y=y, crs="IAU_2015:30135", name="elevation", units="m", long_name="test DEM")


def xy(i: int, j: int) -> tuple[float, float]:
    """Pixel (row, col) -> (x_m, y_m) on :func:`flat_dem` grids."""
    return j * PIX, -i * PIX


def hours(n: int):
    return T0 + np.arange(n) * np.timedelta64(1, "h")
