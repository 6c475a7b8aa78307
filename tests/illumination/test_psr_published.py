"""The crater-outline helpers of scripts/validation/psr_published.py against closed forms.

The real-terrain comparison itself (minutes of horizons) is the script; these fast tests check
that "the PSR of crater X" is measured right: the rim circle has the area of a circle, and the
connected region picked at a published centroid is that region and no other.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose

from lupex.illumination.maps import area_km2
from lupex.terrain import latlon_to_xy_m, xy_to_latlon_deg

from ._synthetic import dem_map

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "validation" / "psr_published.py"


@pytest.fixture(scope="module")
def pp():
    spec = importlib.util.spec_from_file_location("psr_published", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses resolve their module through sys.modules
    spec.loader.exec_module(mod)
    return mod


def _disc(dem, x0_m, y0_m, r_m):
    x, y = np.meshgrid(dem.x.values, dem.y.values)
    return np.hypot(x - x0_m, y - y0_m) <= r_m


def test_rim_circle_area_is_pi_r2(pp):
    # Shackleton's IAU circle on a 100 m grid around it: area = pi (D/2)^2 = 343.07 km2.
    # Tolerance 0.5 %: pixel-count error of a 105-px-radius disc (~perimeter x dx / area / 2,
    # ~0.3 %) plus the true-area scale factor 1/k^2 (< 1e-5 at 89.7 S).
    c = pp.CRATERS["Shackleton"]
    cx, cy = latlon_to_xy_m(np.array([c.lat_deg]), np.array([c.lon_deg]), "IAU_2015:30135")
    dem = dem_map(260, 100.0, x0=float(cx[0]), y0=float(cy[0]))
    got = area_km2(pp.rim_mask(dem, c), dem)
    assert_allclose(got, np.pi * (c.diameter_km / 2) ** 2, rtol=5e-3)
    # wrong input: the longitude read as west (sign flipped) moves the circle ~15 km, mostly
    # off this map
    bad = pp.Crater(c.lat_deg, -c.lon_deg, c.diameter_km)
    assert abs(area_km2(pp.rim_mask(dem, bad), dem) / got - 1.0) > 0.2


def test_component_at_centroid_picks_that_region(pp):
    # two separate PSR discs (r = 4 km and 2 km) on a 200 m grid near 88 S; the region picked
    # at A's centre has A's area pi r^2 = 50.27 km2 (pixel-count tolerance 2 %), not A + B
    dem = dem_map(200, 200.0, x0=30_000.0, y0=40_000.0)
    a = _disc(dem, 25_000.0, 40_000.0, 4_000.0)
    b = _disc(dem, 40_000.0, 40_000.0, 2_000.0)
    lat, lon = xy_to_latlon_deg(np.array([25_000.0]), np.array([40_000.0]), dem.rio.crs)
    comp = pp.component_at(a | b, dem, float(lat[0]), float(lon[0]))
    assert_allclose(area_km2(comp, dem), np.pi * 4.0**2, rtol=2e-2)
    assert not np.any(comp & b)
    # a centroid one pixel off a region still finds it (search window), far off finds nothing
    lat1, lon1 = xy_to_latlon_deg(np.array([25_000.0 + 4_300.0]), np.array([40_000.0]),
                                  dem.rio.crs)
    near = pp.component_at(a | b, dem, float(lat1[0]), float(lon1[0]))
    assert np.array_equal(near, comp)
    lat2, lon2 = xy_to_latlon_deg(np.array([32_000.0]), np.array([30_000.0]), dem.rio.crs)
    assert not pp.component_at(a | b, dem, float(lat2[0]), float(lon2[0])).any()


@pytest.mark.slow
def test_shackleton_psr_matches_published(pp, lola_shackleton):
    # Real terrain (~2 min on 2 cores): the 18.61-yr PSR of the 200 m LOLA crop with the LOLA
    # far field against the LROC/LOLA PSR product's Shackleton polygon (233.7 km2 at 60 m).
    # Tolerance 5 %: what resolution (200 vs 60 m), the smoothed crop and the span could move
    # it by; measured -0.6 % (docs/validation.md).
    from lupex.terrain import read_dem

    dem = read_dem(lola_shackleton)
    psr, _ = pp.psr_map(dem)
    pub = pp.PUBLISHED["Shackleton"]
    comp = pp.component_at(psr, dem, pub.lat_deg, pub.lon_deg)
    assert_allclose(area_km2(comp, dem), pub.area_km2, rtol=0.05)
    inside = area_km2(psr & pp.rim_mask(dem, pp.CRATERS["Shackleton"]), dem)
    assert_allclose(inside, pub.area_km2, rtol=0.05)
    # wrong input: Shoemaker's published centroid lies outside this crop -> no region found
    other = pp.PUBLISHED["Shoemaker"]
    assert not pp.component_at(psr, dem, other.lat_deg, other.lon_deg).any()
