"""The partial-disc fraction against direct numerical integration of a disc."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import integrate

from lupex.errors import ParameterError
from lupex.illumination import angular_radius_deg, disc_fraction


def _grid_fraction(d: float, n: int = 4000) -> float:
    """Fraction of a unit disc above the line y = -d, by counting a fine midpoint grid."""
    c = (np.arange(n) + 0.5) / n * 2 - 1
    x, y = np.meshgrid(c, c)
    inside = x * x + y * y <= 1.0
    return float(np.sum(inside & (y > -d)) / np.sum(inside))


def _quad_fraction(d: float) -> float:
    """The same by adaptive quadrature of chord lengths 2 sqrt(1 - y^2) (no segment formula)."""
    above, _ = integrate.quad(lambda y: 2 * np.sqrt(max(1 - y * y, 0.0)), -d, 1.0,
                              epsabs=1e-13, epsrel=1e-13)
    return above / np.pi


@pytest.mark.parametrize("d", [-1.2, -1.0, -0.97, -0.6, -0.25, 0.0, 0.1, 0.5, 0.93, 1.0, 1.5])
def test_fraction_matches_numerical_integration(d):
    # authority: direct integration of the disc. Tolerance 1e-4 (the task's bar); the grid
    # count has a boundary error ~ (2/n)^1.5 ~ 1e-5 at n = 4000, the quadrature ~ 1e-12.
    r = 0.2665
    el, h = 1.0 + d * r, 1.0
    f = float(disc_fraction(el, h, r))
    dc = min(max(d, -1.0), 1.0)
    assert_allclose(f, _quad_fraction(dc), atol=1e-10)
    assert_allclose(f, _grid_fraction(dc), atol=1e-4)


def test_fraction_is_monotonic_and_symmetric():
    d = np.linspace(-1.5, 1.5, 3001)
    f = disc_fraction(d, 0.0, 1.0)
    assert np.all(np.diff(f) >= 0)
    assert_allclose(f + f[::-1], 1.0, atol=1e-12)  # f(d) + f(-d) = 1


def test_wrong_formula_fails():
    # a deliberately wrong model (the centre point only: 0/1 step) misses the integral by > 0.1
    d = 0.4
    step = 1.0 if d > 0 else 0.0
    assert abs(step - _quad_fraction(d)) > 0.1


def test_radius_must_be_positive():
    with pytest.raises(ParameterError):
        disc_fraction(0.0, 0.0, 0.0)


def test_angular_radii():
    # Sun at 1 AU: 695700 km / 149597870.7 km -> 0.26645 deg; Earth at 384400 km -> 0.9507 deg
    assert_allclose(angular_radius_deg(149_597_870_700.0, "sun"), 0.26645, atol=1e-4)
    assert_allclose(angular_radius_deg(384_400_000.0, "earth"), 0.9507, atol=1e-3)
