"""Landing ellipse against Chandrayaan-3's landing area and SLIM's precision landing."""

from __future__ import annotations

import pytest
from numpy.testing import assert_allclose

from lupex.vehicles.navigation import LandingNavigation


def test_conventional_and_vision_ellipses_match_published_landers():
    # Chandrayaan-3: 4 km x 2.4 km landing area (3-sigma semi-axes 2.0 x 1.2 km); 5 %: the
    # published area is given to one or two digits
    a, b = LandingNavigation().ellipse_m()
    assert_allclose([2 * a, 2 * b], [4000.0, 2400.0], rtol=0.05)
    # SLIM: 100 m accuracy target (landed ~55 m off): the vision ellipse fits inside 100 m
    assert LandingNavigation(mode="vision").site_radius_m() <= 100.0
    # a 200 m vision fix error cannot meet SLIM's figure
    with pytest.raises(AssertionError):
        assert LandingNavigation(mode="vision", vision_fix_m=200.0).site_radius_m() <= 100.0


def test_root_sum_square_of_the_error_terms():
    nav = LandingNavigation(od_downrange_m=300.0, od_crossrange_m=0.0, od_velocity_m_s=0.0,
                            guidance_fraction=0.0, n_sigma=1.0)
    assert_allclose(nav.ellipse_m(), (300.0, 0.0))
    nav = LandingNavigation(od_downrange_m=300.0, od_crossrange_m=0.0, od_velocity_m_s=0.4,
                            descent_time_s=1000.0, guidance_fraction=0.0, n_sigma=2.0)
    assert_allclose(nav.ellipse_m(), (1000.0, 800.0))   # 2 x hypot(300, 400), 2 x 400
