"""Real LOLA south-pole crops from ../shared/data (slow; skipped with a message when absent).

Authorities: the crops' README (CRS, pixel, Shackleton's centre near x=+7.7 km, y=-6.4 km, i.e.
89.67 S, 129.8 E) and Zuber et al. (2012, Nature 486, 378) for Shackleton's inner-wall slopes
(30-35 deg); the two Shackleton crops (40 m and 200 m, the same smoothed LOLA source) for the
baseline logic of slope_aspect.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from lupex.terrain import (
    crs_label,
    dem_summary,
    fill_holes,
    read_dem,
    slope_aspect,
    xy_to_latlon_deg,
)

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(("fixture", "pixel", "shape"), [
    ("lola_shackleton", 200.0, (256, 256)),
    ("lola_ridge", 40.0, (256, 256)),
    ("lola_haworth", 300.0, (423, 406)),
])
def test_reads_with_contract(request, fixture, pixel, shape):
    dem = read_dem(request.getfixturevalue(fixture))
    assert crs_label(dem) == "IAU_2015:30135"
    assert dem.shape == shape
    assert_allclose(np.diff(dem["x"].values), pixel)
    assert_allclose(np.diff(dem["y"].values), -pixel)
    assert dem.attrs["nodata_pixels"] == 0
    s = dem_summary(dem)
    assert -90.0 < s["latitude_deg"]["min"] < s["latitude_deg"]["max"] < -84.0
    assert -6000.0 < s["elevation_m"]["min"] < s["elevation_m"]["max"] < 8000.0


def test_shackleton_centre_and_wall_slopes(lola_shackleton):
    dem = read_dem(lola_shackleton)
    lat, lon = xy_to_latlon_deg(np.array([7700.0]), np.array([-6400.0]), dem.rio.crs)
    # README: Shackleton's centre ~89.67 S, 129.8 E; 0.1 deg of longitude is 17 m here
    assert_allclose([lat[0], lon[0]], [-89.67, 129.8], atol=0.1)
    slope, _ = slope_aspect(dem)
    X, Y = np.meshgrid(dem["x"].values, dem["y"].values)
    r = np.hypot(X - 7700.0, Y + 6400.0)
    wall = np.median(slope.values[(r > 4000.0) & (r < 8000.0)])
    floor = np.median(slope.values[r < 2500.0])
    # Zuber et al. 2012: inner walls 30-35 deg; the 200 m crop is smoothed, so allow 27-35 deg
    assert 27.0 < wall < 35.0
    assert floor < 12.0


def test_slope_at_a_baseline_matches_the_coarser_crop(lola_shackleton, lola_ridge):
    # the 40 m crop at a 400 m baseline sees what Horn's stencil sees on the 200 m crop (400 m)
    coarse, _ = slope_aspect(read_dem(lola_shackleton))
    fine_dem = read_dem(lola_ridge)
    fine, _ = slope_aspect(fine_dem, baseline_m=400.0)
    native, _ = slope_aspect(fine_dem)
    a = coarse.interp(x=fine["x"], y=fine["y"]).values.ravel()
    ok = np.isfinite(a)
    b, c = fine.values.ravel()[ok], native.values.ravel()[ok]
    a = a[ok]
    # measured: correlation 0.89, median |difference| 0.36 deg
    assert np.corrcoef(a, b)[0, 1] > 0.85
    assert np.median(np.abs(a - b)) < 1.0
    # the native 80 m baseline is measurably different: the baseline changes what is measured
    assert np.median(np.abs(a - c)) > np.median(np.abs(a - b))


def test_hole_filled_on_real_terrain(lola_ridge):
    # a 5 x 5 px (200 m) hole on the 40 m connecting-ridge crop: Laplace fill within 15 m
    # (measured 7.1 m: the ridge has 10-15 deg slopes and curvature the fill cannot know)
    z = read_dem(lola_ridge).values.astype(float)
    holed = z.copy()
    holed[100:105, 100:105] = np.nan
    filled, n_px, n_holes = fill_holes(holed)
    assert (n_px, n_holes) == (25, 1)
    assert np.abs(filled - z)[100:105, 100:105].max() < 15.0
