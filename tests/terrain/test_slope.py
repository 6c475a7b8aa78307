"""Slope, aspect and roughness against closed forms on analytic surfaces.

Authorities: a tilted plane and a cone on the sphere, whose true slope follows from the definition
(tan slope = ground gradient; ground distances from pyproj's scale factor or from great-circle
distances with pyproj.Geod) and whose aspect comes from pyproj.Geod azimuths; a sinusoid whose
finite-difference gradient at a baseline has a closed form; brute-force least squares for the
RMS height. Tolerance 0.01 deg on slopes and aspects (the brief's accuracy; Horn's stencil is
exact for planes and quadratics, so the residual is the cone's curvature and float rounding).
"""

from __future__ import annotations

import numpy as np
import pyproj
import pytest
from _demfiles import SOUTH, R, grid_dem, south_inverse, south_xy
from numpy.testing import assert_allclose

from lupex.errors import DemError, ParameterError
from lupex.terrain import (
    hurst_exponent,
    latlon_deg,
    rms_slope_deg,
    roughness,
    scale_factor,
    slope_aspect,
)

GEOD = pyproj.Geod(a=R, b=R)
X80, Y80 = south_xy(-80.0, 35.0)  # k = 1.0077 here


def _plane(a, b, *, x0, y0, pixel=100.0, n=41, z0=0.0):
    return grid_dem(lambda X, Y: z0 + a * (X - x0) + b * (Y - y0), x0_m=x0, y0_m=y0,
                    pixel_m=pixel, n=n)


def _downhill_azimuth(X, Y, a, b):
    """Geographic azimuth of the grid direction (-a, -b), from two points' lat/lon (closed-form
    inverse projection) and pyproj.Geod's forward azimuth: independent of lupex's convergence."""
    u = np.array([-a, -b]) / np.hypot(a, b)
    lat1, lon1 = south_inverse(X, Y)
    lat2, lon2 = south_inverse(X + 0.01 * u[0], Y + 0.01 * u[1])
    az, _, _ = GEOD.inv(lon1, lat1, lon2, lat2)
    return np.mod(az, 360.0)


@pytest.mark.parametrize("where", ["pole", "80S"])
def test_plane_slope_and_aspect(where):
    x0, y0 = (1500.0, -2500.0) if where == "pole" else (X80, Y80)
    a, b, z0 = 0.25, -0.25, 800.0
    dem = _plane(a, b, x0=x0, y0=y0, z0=z0)
    slope, aspect = slope_aspect(dem)
    lat, lon = latlon_deg(dem)
    k = np.asarray(pyproj.Proj(SOUTH).get_factors(lon.ravel(), lat.ravel()).meridional_scale
                   ).reshape(lat.shape)
    ref = np.degrees(np.arctan(k * R / (R + dem.values) * np.hypot(a, b)))
    assert_allclose(slope.values, ref, atol=0.01)  # edges included: odd padding keeps planes
    X, Y = np.meshgrid(dem["x"].values, dem["y"].values)
    d_az = (aspect.values - _downhill_azimuth(X, Y, a, b) + 180.0) % 360.0 - 180.0
    assert_allclose(d_az, 0.0, atol=0.01)
    assert slope.attrs["units"] == "deg" and aspect.attrs["units"] == "deg"
    assert slope.attrs["baseline_m"] == 200.0


def test_ignoring_scale_factor_fails_at_80s():
    # the deliberately wrong spacing (grid distance taken as ground distance) misses the slope by
    # ~0.14 deg at 80 S, far outside the 0.01 deg tolerance
    a, b = 0.25, -0.25
    dem = _plane(a, b, x0=X80, y0=Y80)
    wrong, _ = slope_aspect(dem, ground_distances=False)
    k = scale_factor(dem)
    ref = np.degrees(np.arctan(k * R / (R + dem.values) * np.hypot(a, b)))
    err = np.abs(wrong.values - ref)
    assert err.min() > 0.1
    with pytest.raises(AssertionError):
        assert_allclose(wrong.values, ref, atol=0.01)


def test_cone_on_the_sphere_at_80s():
    # z = -t * s, s = great-circle distance on the 1737.4 km sphere from the apex (pyproj.Geod):
    # true slope atan(t R / (R + z)) everywhere (the (R+z)/R term reaches 0.05 deg at z = -4 km),
    # aspect = direction away from the apex. Pixels within 30 px of the apex are excluded (the
    # cone's curvature 1/s makes Horn's stencil err by O((dx/s)^2): 0.013 deg at 20 px, 0.006 at
    # 30 px), and so is the outer ring of pixels (odd-reflection padding is exact for planes only).
    t, pixel, n = 0.5, 100.0, 161
    lat0, lon0 = -80.0, 35.0
    dem = grid_dem(lambda X, Y: np.zeros_like(X), x0_m=X80, y0_m=Y80, pixel_m=pixel, n=n)
    lat, lon = latlon_deg(dem)
    _, az21, s = GEOD.inv(np.full(lat.shape, lon0), np.full(lat.shape, lat0), lon, lat)
    dem = dem.copy(data=-t * s)
    slope, aspect = slope_aspect(dem)
    far = s > 30 * pixel
    far[[0, -1], :] = False
    far[:, [0, -1]] = False
    ref = np.degrees(np.arctan(t * R / (R + dem.values)))
    assert_allclose(slope.values[far], ref[far], atol=0.01)
    # deliberately wrong: without the (R + z)/R term the slope is off by up to 0.07 deg
    assert np.abs(slope.values - np.degrees(np.arctan(t)))[far].max() > 0.05
    away = np.mod(np.asarray(az21) + 180.0, 360.0)
    d_az = (aspect.values - away + 180.0) % 360.0 - 180.0
    assert_allclose(d_az[far], 0.0, atol=0.01)


@pytest.mark.parametrize("baseline_m", [None, 200.0, 600.0, 1000.0])
def test_sinusoid_at_a_baseline(baseline_m):
    # z = A sin(w X): a central difference with arms h gives A w cos(w X) sin(w h) / (w h)
    A, lam, pixel = 50.0, 2000.0, 50.0
    w = 2 * np.pi / lam
    dem = grid_dem(lambda X, Y: A * np.sin(w * X), x0_m=0.0, y0_m=-20_000.0, pixel_m=pixel, n=121)
    slope, _ = slope_aspect(dem, baseline_m=baseline_m)
    h = pixel if baseline_m is None else baseline_m / 2.0
    assert slope.attrs["baseline_m"] == 2 * h
    X = np.meshgrid(dem["x"].values, dem["y"].values)[0]
    g = A * w * np.cos(w * X) * np.sin(w * h) / (w * h)
    ref = np.degrees(np.arctan(scale_factor(dem) * R / (R + dem.values) * np.abs(g)))
    m = slice(25, -25)  # away from the edges (odd padding is exact only for planes)
    assert_allclose(slope.values[m, m], ref[m, m], atol=0.01)


def test_baseline_rounds_to_whole_pixels_and_clamps():
    dem = _plane(0.1, 0.0, x0=0.0, y0=-5000.0, pixel=40.0)
    s, _ = slope_aspect(dem, baseline_m=10.0)  # shorter than the DEM can resolve -> 2 pixels
    assert s.attrs["baseline_m"] == 80.0 and s.attrs["baseline_requested_m"] == 10.0
    s, _ = slope_aspect(dem, baseline_m=250.0)  # arms round(250 / 80) = 3 px -> 240 m
    assert s.attrs["baseline_m"] == 240.0


def test_flat_nan_and_bad_input():
    dem = _plane(0.0, 0.0, x0=0.0, y0=-5000.0, n=11)
    slope, aspect = slope_aspect(dem)
    assert_allclose(slope.values, 0.0, atol=1e-12)
    assert np.isnan(aspect.values).all()
    v = _plane(0.1, 0.2, x0=0.0, y0=-5000.0, n=11).values.copy()
    v[5, 5] = np.nan
    slope, _ = slope_aspect(dem.copy(data=v))
    assert np.isnan(slope.values).sum() == 9 and np.isnan(slope.values[4:7, 4:7]).all()
    with pytest.raises(ParameterError, match="baseline_m"):
        slope_aspect(dem, baseline_m=-5.0)
    with pytest.raises(ParameterError, match="longer than the DEM"):
        slope_aspect(dem, baseline_m=5000.0)
    with pytest.raises(DemError, match="3 x 3"):
        slope_aspect(dem.isel(x=slice(0, 2)))
    with pytest.raises(DemError, match="dims"):
        slope_aspect(dem.transpose("x", "y"))


# ---------------------------------------------------------------------------------- roughness

def _rough(n=64, seed=5, pixel=20.0):
    rng = np.random.default_rng(seed)
    return grid_dem(lambda X, Y: 0.2 * X - 0.1 * Y + rng.normal(0.0, 1.5, X.shape),
                    x0_m=0.0, y0_m=-8000.0, pixel_m=pixel, n=n)


def test_rms_height_against_brute_force_least_squares():
    dem = _rough()
    rh = roughness(dem, baseline_m=100.0)  # 5 x 5 px window
    assert rh.attrs["units"] == "m" and rh.attrs["baseline_m"] == 100.0
    z = dem.values
    for i, j in [(10, 10), (30, 45), (2, 2), (61, 33)]:
        win = z[i - 2:i + 3, j - 2:j + 3]
        if win.shape != (5, 5):
            continue
        v, u = np.mgrid[-2:3, -2:3]
        A = np.column_stack([np.ones(25), u.ravel(), v.ravel()])
        coef, *_ = np.linalg.lstsq(A, win.ravel(), rcond=None)
        res = win.ravel() - A @ coef
        assert rh.values[i, j] == pytest.approx(np.sqrt(np.mean(res**2)), rel=1e-5)


def test_rms_height_of_plane_is_zero_and_nan_spreads_over_window():
    dem = _plane(0.3, -0.2, x0=0.0, y0=-5000.0, n=21)
    rh = roughness(dem, baseline_m=300.0)
    assert_allclose(rh.values, 0.0, atol=1e-4)  # whole map, edges too (odd padding)
    v = dem.values.copy()
    v[10, 10] = np.nan
    rh = roughness(dem.copy(data=v), baseline_m=300.0)  # 3 x 3 window
    assert np.isnan(rh.values).sum() == 9


def test_rms_slope_map_and_global_against_brute_force():
    dem = _rough(pixel=20.0)
    z = dem.values
    k = scale_factor(dem)
    L = 40.0  # 2 px lag
    # global: every x- and y-pair 2 px apart, true ground distance
    tx = (z[:, 2:] - z[:, :-2]) * 0.5 * (k[:, 2:] + k[:, :-2]) / L
    ty = (z[2:, :] - z[:-2, :]) * 0.5 * (k[2:, :] + k[:-2, :]) / L
    ref = np.degrees(np.arctan(np.sqrt(np.mean(np.concatenate([tx.ravel(), ty.ravel()]) ** 2))))
    assert rms_slope_deg(dem, L) == pytest.approx(ref, rel=1e-12)
    # map: pairs starting inside a 5 x 5 window around (30, 30)
    rs = roughness(dem, baseline_m=L, kind="rms_slope", window_m=100.0)
    assert rs.attrs["window_px"] == 5
    win = np.concatenate([tx[28:33, 28:33].ravel(), ty[28:33, 28:33].ravel()])
    assert rs.values[30, 30] == pytest.approx(np.degrees(np.arctan(np.sqrt(np.mean(win**2)))),
                                              rel=1e-6)


def test_hurst_exponent_plane_and_random_walk():
    # a plane's RMS slope does not change with baseline: H = 1
    dem = _plane(0.1, 0.05, x0=0.0, y0=-5000.0, pixel=10.0, n=101)
    assert hurst_exponent(dem, [10, 20, 40, 80]) == pytest.approx(1.0, abs=1e-6)
    # fractional Brownian surfaces by spectral synthesis (power spectrum ~ f^-(2H+2)): a discrete
    # periodic grid is only approximately self-affine at lags of 1-8 px (estimates run +0.07
    # high for H = 0.5 over 4 seeds), hence the 0.1 tolerance; H = 0.5 and 0.8 stay apart
    est = {h: hurst_exponent(_fbm(256, h, seed=2), [10, 20, 40, 80]) for h in (0.5, 0.8)}
    assert est[0.5] == pytest.approx(0.5, abs=0.1)
    assert est[0.8] == pytest.approx(0.8, abs=0.1)
    assert est[0.8] - est[0.5] > 0.15


def _fbm(n, hurst, *, seed):
    rng = np.random.default_rng(seed)
    f = np.fft.fftfreq(n)
    fr = np.hypot(*np.meshgrid(f, f))
    fr[0, 0] = 1.0
    amp = fr ** -(hurst + 1.0)
    amp[0, 0] = 0.0
    z = np.real(np.fft.ifft2(amp * (rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n)))))
    return grid_dem(lambda X, Y: z, x0_m=0.0, y0_m=-5000.0, pixel_m=10.0, n=n)


def test_roughness_bad_input():
    dem = _rough(n=16)
    with pytest.raises(ParameterError, match="kind"):
        roughness(dem, baseline_m=40.0, kind="fractal")
    with pytest.raises(ParameterError, match="baseline_m"):
        roughness(dem, baseline_m=0.0)
    with pytest.raises(ParameterError, match="wider than the DEM"):
        roughness(dem, baseline_m=1000.0)
    with pytest.raises(ParameterError, match="at least two"):
        hurst_exponent(dem, [40.0])
