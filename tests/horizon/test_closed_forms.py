"""Horizon engine against closed forms (authority: the geometry of a sphere, a cone, a spherical
bowl and a Gaussian hillock, each with the exact lunar curvature written out below).

Tolerances: 0.01 deg unless stated. The engine's own numerical error on these smooth shapes is
<1e-4 deg (exact bilinear near field, exact great-circle geometry); what remains is the DEM's
discretisation (bilinear between pixel centres), which the chosen shapes keep below ~1e-3 deg
(apex / rim on a pixel centre, rays along which the bilinear surface is linear or the profile is
smooth on the pixel scale). 0.01 deg is 1/50 of the 0.5 deg azimuth bin of a 720-azimuth cube and
~ 1/27 of the Sun's radius, the accuracy illumination needs.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import rioxarray  # noqa: F401
import xarray as xr
from numpy.testing import assert_allclose
from scipy.optimize import minimize_scalar

from lupex.constants import MOON_RADIUS_M as R
from lupex.horizon import compute_horizon_tile, horizon_map

CRS = "IAU_2015:30135"


def _grid(z: np.ndarray, px: float) -> xr.DataArray:
    ny, nx = z.shape
    x = (np.arange(nx) - (nx - 1) / 2) * px
    y = -(np.arange(ny) - (ny - 1) / 2) * px
    return xr.DataArray(z.astype(np.float32), dims=("y", "x"), coords={"y": y, "x": x}).rio.write_crs(CRS)


def _exact_el_deg(z_obs: float, z_pt: float, dist_m: float, h: float = 0.0) -> float:
    """Exact elevation of a point at ground distance ``dist_m`` on the sphere [deg]."""
    th = dist_m / R
    return math.degrees(math.atan2((R + z_pt) * math.cos(th) - (R + z_obs + h), (R + z_pt) * math.sin(th)))


# ---------------------------------------------------------------- smooth sphere


@pytest.mark.parametrize("h", [0.0, 2.0, 50.0])
def test_smooth_sphere(h: float) -> None:
    # authority: a flat DEM is the bare 1737.4 km sphere; its horizon is 0 at h = 0 and the
    # tangent dip -acos(R / (R + h)) above it, in every direction (for h = 50 m the tangent
    # point is 13 km away, inside the 40 km grid for central pixels; edge pixels use the
    # analytic sphere continuation).
    dem = _grid(np.zeros((81, 81)), 500.0)
    hm = horizon_map(dem, n_azimuths=24, observer_height_m=h)
    expected = -math.degrees(math.acos(R / (R + h)))
    assert_allclose(hm.values, expected, atol=0.002)


def test_sphere_fails_with_curvature_off(monkeypatch) -> None:
    # a deliberately wrong input: the engine on a (nearly) flat world misses the 0.087 deg dip
    import lupex.horizon.core as core

    monkeypatch.setattr(core, "MOON_RADIUS_M", 1.0e12)
    dem = _grid(np.zeros((41, 41)), 500.0)
    hm = horizon_map(dem, n_azimuths=8, observer_height_m=2.0)
    with pytest.raises(AssertionError):
        assert_allclose(hm.values, -math.degrees(math.acos(R / (R + 2.0))), atol=0.002)


# ---------------------------------------------------------------- cone


def test_cone() -> None:
    # A cone of height H and base radius Rc, apex on a pixel centre. (1) From the plain the
    # horizon toward the apex is the apex itself: along the ray the near flank rises as
    # (H/Rc)(1 - (D - Rc)/s) - s/(2R), increasing, so the apex (distance D) is the maximum.
    # (2) On the flank, looking at the apex, the profile is z0 + (H/Rc) s - s^2/(2R): concave,
    # so the horizon is the local slope, tan(el) = (H/Rc) R/(R + z0) (limit s -> 0+).
    px, n, H, Rc = 50.0, 161, 800.0, 2000.0
    c = (n - 1) // 2
    yy, xx = np.mgrid[0:n, 0:n]
    r = np.hypot(xx - c, yy - c) * px
    dem = _grid(np.clip(H * (1 - r / Rc), 0.0, None), px)
    # observers: on the plain 60 px east of the apex (looking west, 270 deg) and 50 px north
    # (looking south, 180 deg); on the flank 20 px west (looking east, 90 deg).
    got = compute_horizon_tile(dem, [270.0, 180.0, 90.0])
    assert_allclose(got[0, c, c + 60], _exact_el_deg(0.0, H, 60 * px), atol=0.01)
    assert_allclose(got[1, c - 50, c], _exact_el_deg(0.0, H, 50 * px), atol=0.01)
    z0 = H * (1 - 20 * px / Rc)
    assert_allclose(got[2, c, c - 20], math.degrees(math.atan(H / Rc * R / (R + z0))), atol=0.01)


# ---------------------------------------------------------------- spherical bowl


def _bowl(D: float, d: float, px: float, n: int) -> tuple[xr.DataArray, float]:
    S = (D**2 / 4 + d**2) / (2 * d)
    c = (n - 1) // 2
    yy, xx = np.mgrid[0:n, 0:n]
    r = np.hypot(xx - c, yy - c) * px
    z = np.where(r <= D / 2, (S - d) - np.sqrt(np.maximum(S**2 - r**2, 0.0)), 0.0)
    return _grid(z, px), S


@pytest.mark.parametrize("h", [0.0, 2.0])
def test_spherical_bowl(h: float) -> None:
    # Inside a spherical bowl every chord to the rim runs above the (convex) floor, so the
    # horizon in any direction is the rim point in that direction: tan(el) from the exact sphere
    # formula with the rim at z = 0 and ground distance t to the rim. Rays along grid rows and
    # columns with the rim on a pixel centre keep the bilinear DEM exact on the ray.
    D, d, px, n = 4000.0, 800.0, 20.0, 241
    dem, S = _bowl(D, d, px, n)
    c = (n - 1) // 2
    az = [90.0, 270.0, 0.0, 180.0]
    got = compute_horizon_tile(dem, az, observer_height_m=h)
    for k in (0, 30, -45, 70):  # observers on the row / column through the centre [px]
        rr = abs(k) * px
        z0 = (S - d) - math.sqrt(S**2 - rr**2)
        for ia, (sgn, axis) in enumerate([(1, "x"), (-1, "x"), (1, "y"), (-1, "y")]):
            t = D / 2 - sgn * k * px  # distance to the rim along the ray
            if axis == "x":
                val = got[ia, c, c + k]
            else:  # rows go south: +y is up the array
                val = got[ia, c - k, c]
            assert_allclose(val, _exact_el_deg(z0, 0.0, t, h), atol=0.01,
                            err_msg=f"az {az[ia]}, offset {k} px")


def test_spherical_bowl_off_axis_rays() -> None:
    # Off-axis rays cross the rim between pixel centres, where the bilinear DEM cuts the rim
    # corner by up to ~1 pixel: the horizon then lies between the closed form with the rim at
    # t and at t + sqrt(2) px; checked with a tolerance of that width (< 0.2 deg here).
    D, d, px, n = 4000.0, 800.0, 20.0, 241
    dem, _ = _bowl(D, d, px, n)
    c = (n - 1) // 2
    az = np.array([30.0, 45.0, 120.0, 225.0, 333.0])
    got = compute_horizon_tile(dem, az)
    z0 = -d
    for ia in range(az.size):
        hi = _exact_el_deg(z0, 0.0, D / 2)
        lo = _exact_el_deg(z0, 0.0, D / 2 + math.sqrt(2) * px)
        assert lo - 1e-3 <= got[ia, c, c] <= hi + 1e-3


# ---------------------------------------------------------------- symmetric hillock, diagonals


def _hill_profile_max_deg(H: float, sigma: float, D: float, h: float = 0.0) -> float:
    """Max exact elevation along the ray from distance D straight at a Gaussian hill's top."""
    z0 = H * math.exp(-(D**2) / (2 * sigma**2))  # the observer stands on the hill's foot

    def neg(s: float) -> float:
        zq = H * math.exp(-((D - s) ** 2) / (2 * sigma**2))
        return -_exact_el_deg(z0, zq, s, h)

    res = minimize_scalar(neg, bounds=(1e-3, D + 4 * sigma), method="bounded",
                          options={"xatol": 1e-6})
    return -float(res.fun)


def test_hillock_symmetry_and_diagonals() -> None:
    # A rotationally symmetric Gaussian hillock (H = 600 m, sigma = 1 km) at the grid centre.
    # Observers on the axes and on the diagonals look straight at its top (0, 45, 90, ...
    # deg); each must match the 1-D closed-form profile maximum (exact sphere formula, scipy
    # bounded minimisation to 1e-6 m) within 0.01 deg: no artefact at diagonal azimuths (the
    # known failure of grid-line horizon tools) and a symmetric horizon.
    px, n, H, sigma = 50.0, 201, 600.0, 1000.0
    c = (n - 1) // 2
    yy, xx = np.mgrid[0:n, 0:n]
    z = H * np.exp(-(((xx - c) ** 2 + (yy - c) ** 2) * px**2) / (2 * sigma**2))
    dem = _grid(z, px)
    az = np.arange(8) * 45.0
    got = compute_horizon_tile(dem, az)
    k = 60  # axis observers 60 px away; diagonal ones 42 px along each axis (59.4 px away)
    cases = {0.0: (c + k, c), 180.0: (c - k, c), 90.0: (c, c - k), 270.0: (c, c + k),
             45.0: (c + 42, c - 42), 135.0: (c - 42, c - 42), 225.0: (c - 42, c + 42),
             315.0: (c + 42, c + 42)}
    axis_vals, diag_vals = [], []
    for a, (r, col) in cases.items():
        dist = math.hypot(r - c, col - c) * px
        val = got[int(a // 45), r, col]
        assert_allclose(val, _hill_profile_max_deg(H, sigma, dist), atol=0.01, err_msg=f"az {a}")
        (axis_vals if a % 90 == 0 else diag_vals).append(val)
    assert_allclose(axis_vals, axis_vals[0], atol=1e-4)
    assert_allclose(diag_vals, diag_vals[0], atol=1e-4)
    # the 720-azimuth map is symmetric: the horizon of the centre-row pixel k px east at
    # azimuth 270 equals that of the pixel k px west at 90 (mirror) and of k px north at 180
    hm = horizon_map(dem.isel(y=slice(c - 70, c + 71), x=slice(c - 70, c + 71)), n_azimuths=8)
    cc = 70
    assert_allclose(hm.sel(azimuth=270.0).values[cc, cc + 40], hm.sel(azimuth=90.0).values[cc, cc - 40],
                    atol=1e-4)
    assert_allclose(hm.sel(azimuth=270.0).values[cc, cc + 40], hm.sel(azimuth=180.0).values[cc - 40, cc],
                    atol=1e-4)
