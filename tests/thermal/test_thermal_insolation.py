"""Direct sunlight on facets and the incidence-dependent albedo, against closed forms."""

from __future__ import annotations

import numpy as np
from numpy.testing import assert_allclose

from lupex.constants import AU_M
from lupex.thermal import (
    RegolithParams,
    absorbed_direct_flux,
    albedo_at_incidence,
    cos_incidence,
    solar_flux_on_facet,
)

S0 = RegolithParams().solar_constant_w_m2


def test_flat_and_tilted_facets_closed_form():
    # flat: F = S0 sin(el); facet tilted toward the Sun by s: F = S0 sin(el + s) (exact geometry)
    assert_allclose(solar_flux_on_facet(123.0, 30.0), S0 * 0.5, rtol=1e-12)
    assert_allclose(solar_flux_on_facet(90.0, 10.0, slope_deg=20.0, aspect_deg=90.0),
                    S0 * np.sin(np.radians(30.0)), rtol=1e-12)
    # facing away: sin(el - s); Sun behind the facet: zero, never negative
    assert_allclose(solar_flux_on_facet(90.0, 10.0, slope_deg=5.0, aspect_deg=270.0),
                    S0 * np.sin(np.radians(5.0)), rtol=1e-12)
    assert solar_flux_on_facet(90.0, 10.0, slope_deg=20.0, aspect_deg=270.0) == 0.0
    # facet facing sideways: cos i = sin(el) cos(s)
    assert_allclose(cos_incidence(0.0, 40.0, slope_deg=25.0, aspect_deg=90.0),
                    np.sin(np.radians(40)) * np.cos(np.radians(25)), rtol=1e-12)


def test_distance_and_visible_fraction_scale_the_flux():
    f1 = solar_flux_on_facet(0.0, 90.0, sun_distance_m=AU_M)
    f2 = solar_flux_on_facet(0.0, 90.0, sun_distance_m=1.0167 * AU_M, visible_fraction=0.25)
    assert_allclose(f1, S0, rtol=1e-12)
    assert_allclose(f2, 0.25 * S0 / 1.0167**2, rtol=1e-12)


def test_albedo_law_hayne_eq_a5():
    # A(0) = A0; A(pi/4) = A0 + a + b/256; A(pi/2) = A0 + 8a + b (Hayne 2017 eq. A5)
    assert_allclose(albedo_at_incidence(0.0), 0.12)
    assert_allclose(albedo_at_incidence(np.pi / 4), 0.12 + 0.06 + 0.25 / 256)
    assert_allclose(albedo_at_incidence(np.pi / 2), 0.12 + 0.48 + 0.25)
    assert_allclose(absorbed_direct_flux(1000.0, 1.0), 880.0)
