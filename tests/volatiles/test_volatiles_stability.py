"""Ice stability depth classes on profiles whose answer is known."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from lupex.errors import ParameterError
from lupex.volatiles import (
    NO_DATA,
    STABLE_AT_DEPTH,
    STABLE_AT_SURFACE,
    UNSTABLE_IN_GRID,
    ice_stability_depth,
)

Z = np.array([0.0, 0.1, 0.2, 0.4])


def test_classes_and_linear_crossing():
    t = np.array([
        [90.0, 92.0, 93.0, 94.0],     # cold at the surface
        [150.0, 120.0, 100.0, 90.0],  # crosses 110 K halfway between 0.1 and 0.2 m
        [200.0, 180.0, 150.0, 130.0], # never stable
        [np.nan, 100.0, 90.0, 80.0],  # no data
    ])
    depth, cls = ice_stability_depth(t, Z, threshold_k=110.0)
    assert_array_equal(cls, [STABLE_AT_SURFACE, STABLE_AT_DEPTH, UNSTABLE_IN_GRID, NO_DATA])
    assert_allclose(depth[:2], [0.0, 0.15])
    assert np.isnan(depth[2:]).all()


def test_default_threshold_is_water_at_1_mm_per_gyr():
    t = np.array([[105.0, 101.0, 100.0, 99.0]])
    depth, cls = ice_stability_depth(t, Z)  # threshold ~100.6 K
    assert cls[0] == STABLE_AT_DEPTH and 0.1 < depth[0] < 0.2
    # works on maps (..., nz)
    d2, c2 = ice_stability_depth(np.broadcast_to(t, (3, 5, 4)), Z)
    assert d2.shape == (3, 5) and (c2 == STABLE_AT_DEPTH).all()


def test_shape_mismatch_is_refused():
    with pytest.raises(ParameterError, match="depths"):
        ice_stability_depth(np.zeros((2, 3)), Z)
