"""The row-decomposed disc min/max equals scipy's footprint filter (the reference)."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from scipy import ndimage

from lupex.sites import disc_footprint, disc_worst


@pytest.mark.parametrize("radius", [1.0, 2.5, 6.0, 12.3])
@pytest.mark.parametrize("worst", ["min", "max"])
def test_disc_worst_equals_footprint_filter(radius, worst):
    rng = np.random.default_rng(int(radius * 10))
    a = rng.normal(size=(60, 70))
    fp = disc_footprint(radius)
    f = ndimage.minimum_filter if worst == "min" else ndimage.maximum_filter
    ref = f(a, footprint=fp, mode="nearest")
    got = disc_worst(a, radius, worst=worst)
    n = int(np.floor(radius))
    inner = (slice(n, -n or None), slice(n, -n or None))
    # exact: both take the same extreme of the same set of values
    assert_array_equal(got[inner], ref[inner])
    # a disc reaching off the map is unknown
    assert np.isnan(got[0, 0]) and np.isnan(got[-1, -1])


def test_nan_inside_the_disc_poisons_the_site():
    a = np.ones((21, 21))
    a[10, 10] = np.nan
    got = disc_worst(a, 3.0, worst="min")
    assert np.isnan(got[10, 13]) and np.isfinite(got[10, 14])


def test_square_footprint_is_not_a_disc():
    # a deliberately wrong reference (square footprint) disagrees: the test can fail
    rng = np.random.default_rng(3)
    a = rng.normal(size=(40, 40))
    sq = ndimage.minimum_filter(a, size=13, mode="nearest")
    got = disc_worst(a, 6.0, worst="min")
    assert not np.array_equal(got[6:-6, 6:-6], sq[6:-6, 6:-6])
