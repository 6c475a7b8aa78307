"""Tile-by-tile pixel geometry equals the whole-map geometry (so map runs stay tile-bounded)."""

from __future__ import annotations

import numpy as np

from lupex.illumination.frames import pixel_geometry
from lupex.terrain import synthetic_south_pole


def test_lazy_subset_equals_the_whole_map_subset():
    dem = synthetic_south_pole(size_km=6.0, pixel_m=200.0, seed=2)
    eager = pixel_geometry(dem, observer_height_m=2.0)
    lazy = pixel_geometry(dem, observer_height_m=2.0, lazy=True)
    np.testing.assert_allclose(lazy.ref_position_m, eager.ref_position_m, rtol=0, atol=1e-9)
    rows, cols = slice(5, 17), slice(3, 30)
    a, b = eager.subset(rows, cols), lazy.subset(rows, cols)
    assert a.shape == b.shape == (12, 27)
    # the same formulas on the same pixels: equal to rounding (1e-12 of a rotation, 1 um)
    np.testing.assert_allclose(b.rot, a.rot, rtol=0, atol=1e-12)
    np.testing.assert_allclose(b.offset_m, a.offset_m, rtol=0, atol=1e-6)
    np.testing.assert_allclose(b.convergence_deg, a.convergence_deg, rtol=0, atol=1e-12)
    # and a shifted window is a different geometry (the check can fail)
    c = lazy.subset(slice(6, 18), cols)
    assert np.max(np.abs(c.offset_m - a.offset_m)) > 100.0
