"""Grid geometry against independent authorities.

- lat/lon: the spherical polar stereographic inverse (Snyder 1987 eqs. 20-14..20-18 with
  rho = 2 R tan(pi/4 - |lat|/2)); tolerance 1e-6 deg (= 3 cm on the ground; pyproj and the closed
  form agree to ~1e-12 deg, the slack is for other PROJ builds).
- xyz: a trigonometry-free construction of the stereographic projection (the line from the
  opposite pole through the map point meets the sphere); tolerance 1 mm.
- scale factor: pyproj ``Proj.get_factors`` and great-circle distances between pixel centres
  (pyproj.Geod on the sphere); Snyder's oblique stereographic k for the general path.
- convergence: equals lon in IAU_2015:30135 and -lon in IAU_2015:30130; PROJ's
  ``meridian_convergence`` (opposite sign) for an oblique projection.
"""

from __future__ import annotations

import numpy as np
import pyproj
import pytest
from _demfiles import NORTH, SOUTH, R, grid_dem, north_inverse, south_inverse, south_xy
from numpy.testing import assert_allclose

from lupex.terrain import (
    body_fixed_xyz_m,
    geo_to_grid_azimuth,
    grid_convergence_deg,
    grid_to_geo_azimuth,
    latlon_deg,
    latlon_to_xy_m,
    scale_factor,
)

# A DEM on the pole, one centred at 80 S (rho = 304 km, k = 1.0077) and one crossing 180 E.
X80, Y80 = south_xy(-80.0, 35.0)
CASES = {
    "pole": dict(x0_m=0.0, y0_m=0.0, pixel_m=250.0, n=41),
    "80S": dict(x0_m=X80, y0_m=Y80, pixel_m=500.0, n=41),
    "dateline": dict(x0_m=0.0, y0_m=-60_000.0, pixel_m=1000.0, n=21),
}


def _flat(case, crs=SOUTH):
    return grid_dem(lambda X, Y: np.zeros_like(X), crs=crs, **CASES[case])


@pytest.mark.parametrize("case", list(CASES))
def test_latlon_against_closed_form_south(case):
    dem = _flat(case)
    lat, lon = latlon_deg(dem)
    X, Y = np.meshgrid(dem["x"].values, dem["y"].values)
    lat_ref, lon_ref = south_inverse(X, Y)
    assert_allclose(lat, lat_ref, rtol=0, atol=1e-6)
    dlon = (lon - lon_ref + 180.0) % 360.0 - 180.0
    far = np.hypot(X, Y) > 1.0  # longitude is undefined at the pole itself
    assert_allclose(dlon[far], 0.0, atol=1e-6)
    assert np.all((lon > -180.0) & (lon <= 180.0))


def test_latlon_centre_of_80s_case():
    dem = _flat("80S")
    lat, lon = latlon_deg(dem)
    assert_allclose([lat[20, 20], lon[20, 20]], [-80.0, 35.0], atol=1e-9)


def test_latlon_wrong_radius_fails():
    # deliberately wrong authority (R = 1738.0 km) shows the tolerance can fail
    dem = _flat("80S")
    lat, _ = latlon_deg(dem)
    X, Y = np.meshgrid(dem["x"].values, dem["y"].values)
    rho = np.hypot(X, Y)
    lat_wrong = -(90.0 - 2.0 * np.degrees(np.arctan(rho / (2.0 * 1_738_000.0))))
    assert np.abs(lat - lat_wrong).max() > 1e-3


def test_latlon_north_polar():
    dem = grid_dem(lambda X, Y: np.zeros_like(X), crs=NORTH, x0_m=20_000.0, y0_m=-50_000.0,
                   pixel_m=500.0, n=21)
    lat, lon = latlon_deg(dem)
    X, Y = np.meshgrid(dem["x"].values, dem["y"].values)
    lat_ref, lon_ref = north_inverse(X, Y)
    assert_allclose(lat, lat_ref, atol=1e-6)
    assert_allclose(lon, lon_ref, atol=1e-6)


def test_latlon_to_xy_round_trip():
    dem = _flat("80S")
    lat, lon = latlon_deg(dem)
    x, y = latlon_to_xy_m(lat, lon, dem.rio.crs)
    X, Y = np.meshgrid(dem["x"].values, dem["y"].values)
    assert_allclose(x, X, atol=1e-6)
    assert_allclose(y, Y, atol=1e-6)


def _xyz_stereographic(X, Y, h):
    """Moon-fixed position of map point (X, Y) of the south polar stereographic map, without
    trigonometry: the map plane touches the sphere at the south pole (k0 = 1) and the point on the
    sphere lies on the line from the north pole N = (0, 0, R) to Q = (Y, X, -R) (x_map = rho sin
    lon is body +y, y_map = rho cos lon is body +x). |N + t (Q - N)| = R gives t = 4R^2/|Q - N|^2.
    """
    D = np.stack([Y, X, np.full_like(X, -2.0 * R)], axis=-1)
    t = 4.0 * R * R / np.sum(D * D, axis=-1)
    P = np.array([0.0, 0.0, R]) + t[..., None] * D
    return P * ((R + h) / R)[..., None]


@pytest.mark.parametrize("case", list(CASES))
def test_xyz_against_stereographic_construction(case):
    dem = grid_dem(lambda X, Y: 1500.0 * np.sin(X / 7000.0) - 0.01 * Y, **CASES[case])
    xyz = body_fixed_xyz_m(dem)
    X, Y = np.meshgrid(dem["x"].values, dem["y"].values)
    assert_allclose(xyz, _xyz_stereographic(X, Y, dem.values), rtol=0, atol=1e-3)  # 1 mm
    xyz_h = body_fixed_xyz_m(dem, height_m=2.0)
    assert_allclose(np.linalg.norm(xyz_h, axis=-1) - np.linalg.norm(xyz, axis=-1), 2.0, atol=1e-6)


def test_xyz_nan_elevation_gives_nan():
    dem = _flat("pole")
    v = dem.values.copy()
    v[3, 3] = np.nan
    xyz = body_fixed_xyz_m(dem.copy(data=v))
    assert np.isnan(xyz[3, 3]).all() and np.isfinite(xyz[4, 4]).all()


@pytest.mark.parametrize("case", list(CASES))
def test_scale_factor_against_pyproj_factors(case):
    dem = _flat(case)
    k = scale_factor(dem)
    lat, lon = latlon_deg(dem)
    f = pyproj.Proj(SOUTH).get_factors(lon.ravel(), lat.ravel())
    assert_allclose(k, np.asarray(f.meridional_scale).reshape(k.shape), rtol=1e-9)
    assert_allclose(k, np.asarray(f.parallel_scale).reshape(k.shape), rtol=1e-9)


def test_scale_factor_closed_form_and_ground_distance():
    dem = _flat("80S")
    k = scale_factor(dem)
    lat, lon = latlon_deg(dem)
    assert_allclose(k, 2.0 / (1.0 + np.abs(np.sin(np.radians(lat)))), rtol=1e-12)
    assert k[20, 20] == pytest.approx(2.0 / (1.0 + np.sin(np.radians(80.0))), rel=1e-12)
    # ground distance between neighbouring pixel centres = grid distance / k (great circle on
    # the 1737.4 km sphere; k varies by 1e-5 across one pixel, so use the mean of the two ends)
    geod = pyproj.Geod(a=R, b=R)
    _, _, d = geod.inv(lon[:, :-1], lat[:, :-1], lon[:, 1:], lat[:, 1:])
    kmid = 0.5 * (k[:, :-1] + k[:, 1:])
    assert_allclose(d, 500.0 / kmid, rtol=1e-7)
    assert np.abs(d - 500.0).max() > 3.0  # ignoring k is wrong by 0.77 % (3.8 m per pixel)


def test_scale_factor_general_path_oblique_stereographic():
    # a non-polar conformal projection goes through pyproj; check against Snyder eq. 21-4
    lat0, lon0 = -85.0, 30.0
    crs = f"+proj=stere +lat_0={lat0} +lon_0={lon0} +k=1 +R={R} +units=m +no_defs +type=crs"
    dem = grid_dem(lambda X, Y: np.zeros_like(X), crs=crs, x0_m=40_000.0, y0_m=-20_000.0,
                   pixel_m=2000.0, n=11)
    k = scale_factor(dem)
    lat, lon = np.radians(latlon_deg(dem))
    p0, l0 = np.radians(lat0), np.radians(lon0)
    k_ref = 2.0 / (1.0 + np.sin(p0) * np.sin(lat) + np.cos(p0) * np.cos(lat) * np.cos(lon - l0))
    assert_allclose(k, k_ref, rtol=1e-9)


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("method", ["auto", "numeric"])
def test_convergence_equals_lon_south(case, method):
    dem = _flat(case)
    conv = grid_convergence_deg(dem, method=method)
    _, lon = latlon_deg(dem)
    X, Y = np.meshgrid(dem["x"].values, dem["y"].values)
    far = np.hypot(X, Y) > 1.0
    d = (conv - lon + 180.0) % 360.0 - 180.0
    assert_allclose(d[far], 0.0, atol=1e-6)


@pytest.mark.parametrize("method", ["auto", "numeric"])
def test_convergence_is_minus_lon_north(method):
    dem = grid_dem(lambda X, Y: np.zeros_like(X), crs=NORTH, x0_m=20_000.0, y0_m=-50_000.0,
                   pixel_m=500.0, n=21)
    conv = grid_convergence_deg(dem, method=method)
    _, lon = latlon_deg(dem)
    assert_allclose((conv + lon + 180.0) % 360.0 - 180.0, 0.0, atol=1e-6)
    # deliberately wrong: the south-polar rule (conv = lon) fails here
    assert np.abs((conv - lon + 180.0) % 360.0 - 180.0).max() > 1.0


def test_convergence_general_path_against_proj():
    crs = f"+proj=stere +lat_0=-85 +lon_0=30 +k=1 +R={R} +units=m +no_defs +type=crs"
    dem = grid_dem(lambda X, Y: np.zeros_like(X), crs=crs, x0_m=40_000.0, y0_m=-20_000.0,
                   pixel_m=2000.0, n=11)
    conv = grid_convergence_deg(dem)
    lat, lon = latlon_deg(dem)
    f = pyproj.Proj(crs).get_factors(lon.ravel(), lat.ravel())
    assert_allclose(conv, -np.asarray(f.meridian_convergence).reshape(conv.shape), atol=1e-5)


def test_azimuth_conversions():
    # at lon = 90 E on the south polar map, local north points along grid +x (grid azimuth 90)
    # and local east (increasing lon) along grid -y (grid azimuth 180)
    assert geo_to_grid_azimuth(0.0, 90.0) == pytest.approx(90.0)
    assert geo_to_grid_azimuth(90.0, 90.0) == pytest.approx(180.0)
    az = np.linspace(0.0, 359.0, 50)
    conv = np.linspace(-179.0, 180.0, 50)
    assert_allclose(grid_to_geo_azimuth(geo_to_grid_azimuth(az, conv), conv), az, atol=1e-9)
    # check against an independent direction: the grid direction of a small eastward step
    lat, lon = -85.0, 90.0
    x1, y1 = south_xy(lat, lon)
    x2, y2 = south_xy(lat, lon + 1e-6)
    az_grid = np.degrees(np.arctan2(x2 - x1, y2 - y1)) % 360.0
    assert geo_to_grid_azimuth(90.0, lon) == pytest.approx(az_grid, abs=1e-6)


def test_scale_factor_refuses_non_conformal_crs():
    # the IAU 2015 equirectangular (30115) stretches parallels by 1/cos(lat): no single k
    from lupex.errors import DemError

    dem = grid_dem(lambda X, Y: np.zeros_like(X), crs="IAU_2015:30115", x0_m=0.0,
                   y0_m=-2_500_000.0, pixel_m=1000.0, n=5)
    with pytest.raises(DemError, match=r"not conformal.*gdalwarp -t_srs IAU_2015:30135"):
        scale_factor(dem)


def test_polar_stereographic_variant_b_with_standard_parallel_and_lon0():
    # lat_ts = -80 (k0 = (1 + sin 80)/2 = 0.9924, Snyder eq. 21-7) and lon_0 = 30: the closed-form
    # path must still match PROJ, and the convergence is lon - lon_0
    crs = f"+proj=stere +lat_0=-90 +lat_ts=-80 +lon_0=30 +R={R} +units=m +no_defs +type=crs"
    dem = grid_dem(lambda X, Y: np.zeros_like(X), crs=crs, x0_m=150_000.0, y0_m=-90_000.0,
                   pixel_m=5000.0, n=11)
    lat, lon = latlon_deg(dem)
    f = pyproj.Proj(crs).get_factors(lon.ravel(), lat.ravel())
    assert_allclose(scale_factor(dem), np.asarray(f.meridional_scale).reshape(lat.shape), rtol=1e-9)
    conv = grid_convergence_deg(dem)
    assert_allclose((conv - (lon - 30.0) + 180.0) % 360.0 - 180.0, 0.0, atol=1e-9)
    assert_allclose(conv, grid_convergence_deg(dem, method="numeric"), atol=1e-6)
    from lupex.errors import ParameterError

    with pytest.raises(ParameterError, match="method"):
        grid_convergence_deg(dem, method="exact")
