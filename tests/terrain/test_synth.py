"""Synthetic south-pole terrain: determinism, the Shackleton-like crater measured from the output
array (and from the real LOLA crop with the same extraction), roughness, crater statistics, the
spherical bowl closed form, the written file and the CLI.

The crater measurement below is independent of the generator: it finds the crater from the floor
pixels, samples radial profiles with scipy's bilinear ``map_coordinates`` and reads rim radius,
rim height, floor height and wall slope off them.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import ndimage

from lupex.errors import LupexError, ParameterError
from lupex.terrain import _craters
from lupex.terrain.geometry import crs_label
from lupex.terrain.synth import (
    SHACKLETON_LAT_DEG,
    SHACKLETON_LON_DEG,
    spherical_bowl_dem,
    synthetic_crater_catalogue,
    synthetic_south_pole,
    target_rms_slope_deg,
)

# a grid centred on Shackleton holds the whole crater at 30 km x 100 m (the small test grid)
ON_CRATER = dict(size_km=30.0, pixel_m=100.0, center_lat_deg=SHACKLETON_LAT_DEG,
                 center_lon_deg=SHACKLETON_LON_DEG)


@pytest.fixture(scope="module")
def crater_dem():
    return synthetic_south_pole(**ON_CRATER)


def measure_crater(z: np.ndarray, pixel_m: float, *, n_az: int = 72, r_max_m: float = 14_000.0,
                   near_rc: tuple[float, float] | None = None, look_m: float = 1_500.0):
    """Rim diameter, rim-to-floor depth and median inner-wall slope of the deepest bowl.

    Centre: centroid of the pixels within 300 m of the minimum (searched within 5 km of
    ``near_rc`` if given). Rim per azimuth: the first point of the radial profile beyond 3 km
    with nothing higher in the next ``look_m`` (so a massif behind the rim is not taken for it);
    crater values are medians over azimuths. Wall slope: the profile slope between 40 % and
    85 % of the rim radius.
    """
    zz = np.asarray(z, dtype=float).copy()
    if near_rc is not None:
        ii, jj = np.indices(zz.shape)
        zz[np.hypot(ii - near_rc[0], jj - near_rc[1]) * pixel_m > 5000.0] = np.inf
    floor = zz <= zz.min() + 300.0
    lab, _ = ndimage.label(floor)
    ci, cj = ndimage.center_of_mass(lab == lab.flat[np.argmin(zz)])
    step = pixel_m / 2.0
    r = np.arange(0.0, r_max_m, step)
    az = np.radians(np.arange(n_az) * 360.0 / n_az)
    rows = ci - np.outer(np.cos(az), r) / pixel_m   # +y (north) is up = decreasing row
    cols = cj + np.outer(np.sin(az), r) / pixel_m
    prof = ndimage.map_coordinates(np.asarray(z, dtype=float), [rows, cols], order=1,
                                   mode="nearest")
    k = round(look_m / step)
    ahead = ndimage.maximum_filter1d(prof, size=k, axis=1, origin=-(k // 2), mode="nearest")
    i_rim = np.argmax((prof >= ahead) & (r[None, :] > 3000.0), axis=1)
    rim_z = prof[np.arange(n_az), i_rim]
    radius = float(np.median(r[i_rim]))
    floor_z = np.median(prof[:, r < 1500.0])
    wall = (r > 0.4 * radius) & (r < 0.85 * radius)
    slope = np.degrees(np.arctan(np.abs(np.diff(prof, axis=1)) / step))[:, wall[1:]]
    return {"diameter_m": 2.0 * radius, "depth_m": float(np.median(rim_z) - floor_z),
            "wall_slope_deg": float(np.median(slope)), "centre_rc": (ci, cj)}


# ---------------------------------------------------------------------------------------------
# determinism
def test_same_seed_bit_identical_other_seed_different():
    a = synthetic_south_pole(size_km=10.0, pixel_m=100.0, seed=3)
    b = synthetic_south_pole(size_km=10.0, pixel_m=100.0, seed=3)
    c = synthetic_south_pole(size_km=10.0, pixel_m=100.0, seed=4)
    assert a.values.tobytes() == b.values.tobytes()
    assert_allclose(a["x"].values, b["x"].values, rtol=0, atol=0)
    assert a.dtype == np.float32
    # a different seed moves craters, massifs and roughness: most pixels change by metres
    assert np.mean(np.abs(a.values - c.values) > 1.0) > 0.5


def test_map_contract_and_attrs():
    d = synthetic_south_pole(size_km=8.0, pixel_m=100.0, seed=1)
    assert d.dims == ("y", "x")
    assert crs_label(d) == "IAU_2015:30135"
    assert d.attrs["units"] == "m" and d.attrs["seed"] == 1
    assert "Zuber" in d.attrs["references"] and "Rosenburg" in d.attrs["references"]
    # pixel centres, edges on multiples of the pixel, y decreasing
    assert_allclose(np.diff(d["x"].values), 100.0)
    assert_allclose(np.diff(d["y"].values), -100.0)
    assert_allclose((d["x"].values[0] - 50.0) % 100.0, 0.0, atol=1e-9)


# ---------------------------------------------------------------------------------------------
# the Shackleton-like crater
def test_shackleton_like_crater_dimensions(crater_dem):
    m = measure_crater(crater_dem.values, 100.0)
    # Zuber et al. 2012: 21 km rim to rim, 4.2 km deep; +-10 % covers the ridge and small
    # craters on the rim and the 100 m sampling of the profiles
    assert_allclose(m["diameter_m"], 21_000.0, rtol=0.10)
    assert_allclose(m["depth_m"], 4_200.0, rtol=0.10)
    # inner walls ~30-35 deg (Zuber 2012; Haruyama 2008)
    assert 25.0 <= m["wall_slope_deg"] <= 35.0, m
    # the crater sits where the generator says (Shackleton's real centre)
    ci, cj = m["centre_rc"]
    x = np.interp(cj, np.arange(crater_dem.sizes["x"]), crater_dem["x"].values)
    y = np.interp(ci, np.arange(crater_dem.sizes["y"]), crater_dem["y"].values)
    assert_allclose([x, y], [crater_dem.attrs["crater_center_x_m"],
                             crater_dem.attrs["crater_center_y_m"]], atol=500.0)


def test_crater_measurement_can_fail():
    # a deliberately wrong crater (26 km across, 2 km deep) must fail both tolerances
    bowl = spherical_bowl_dem(26_000.0, 2_000.0, 100.0, 32_000.0)
    m = measure_crater(bowl.values, 100.0, r_max_m=15_900.0)
    assert abs(m["diameter_m"] / 21_000.0 - 1.0) > 0.10
    assert abs(m["depth_m"] / 4_200.0 - 1.0) > 0.10


@pytest.mark.slow
def test_synthetic_crater_matches_real_lola_shackleton(crater_dem, lola_shackleton):
    """The same extraction on the real LOLA Shackleton crop (200 m, smoothed)."""
    import rioxarray

    real = rioxarray.open_rasterio(lola_shackleton).squeeze()
    # the crop holds deeper craters too: look for the floor near Shackleton's published centre
    near = (np.abs(real["y"].values + 6_400.0).argmin(), np.abs(real["x"].values - 7_700.0).argmin())
    mr = measure_crater(real.values, 200.0, near_rc=near)
    # the extraction reads the real crater as Zuber et al. 2012 describe it
    assert_allclose(mr["diameter_m"], 21_000.0, rtol=0.10)
    ms = measure_crater(crater_dem.values, 100.0)
    # the crop is median-smoothed (radius 3 px = 600 m), which rounds rim and floor: 10 %
    assert_allclose(ms["diameter_m"], mr["diameter_m"], rtol=0.10)
    assert_allclose(ms["depth_m"], mr["depth_m"], rtol=0.15)
    assert_allclose(ms["wall_slope_deg"], mr["wall_slope_deg"], atol=5.0)


def test_pole_on_the_rim_region_of_the_default_grid():
    d = synthetic_south_pole(size_km=20.0, pixel_m=80.0)
    cx, cy = d.attrs["crater_center_x_m"], d.attrs["crater_center_y_m"]
    # Shackleton's centre 89.67 S 129.8 E is ~10 km from the pole, inside the 10.5 km rim
    assert_allclose(math.hypot(cx, cy), 10_010.0, atol=50.0)
    assert_allclose(math.degrees(math.atan2(cx, cy)), 129.8, atol=0.01)
    # the pole is high on the wall: well above the floor, below the rim
    z_pole = float(d.interp(x=0.0, y=0.0))
    assert -1000.0 < z_pole < 2000.0


# ---------------------------------------------------------------------------------------------
# roughness
def test_rms_slope_of_texture_matches_target_and_is_lunar():
    from lupex.terrain.slope import rms_slope_deg

    d = synthetic_south_pole(size_km=16.0, pixel_m=40.0, shackleton=False, massifs=False)
    got = rms_slope_deg(d, 40.0)
    # the generator scales the fBm to the target; 0.3 deg allows the texture's anisotropy
    assert_allclose(got, target_rms_slope_deg(40.0), atol=0.3)
    # Rosenburg et al. 2011: highland RMS slopes ~5-10 deg at 25-40 m baselines
    assert 5.0 <= got <= 10.0
    # Hurst scaling: slope at 100 m baselines is lower, as L^(H-1)
    assert rms_slope_deg(d, 160.0) < got


def test_fbm_hurst_exponent():
    from lupex.terrain.slope import hurst_exponent

    d = synthetic_south_pole(size_km=20.48, pixel_m=40.0, shackleton=False, massifs=False,
                             crater_saturation=0.0, hurst=0.8)
    # B's deviogram fit over 40-640 m; 0.05 covers the finite-grid scatter of one realisation
    assert_allclose(hurst_exponent(d, [40.0, 80.0, 160.0, 320.0, 640.0]), 0.8, atol=0.05)


@pytest.mark.slow
def test_default_grid_is_fast_and_lunar_rough():
    from lupex.terrain.slope import rms_slope_deg

    synthetic_south_pole(size_km=4.0, pixel_m=40.0)  # compile the crater kernel
    t0 = time.perf_counter()
    d = synthetic_south_pole()  # 40 km at 40 m: 1000 x 1000
    elapsed = time.perf_counter() - t0
    assert d.shape == (1000, 1000)
    assert elapsed < 5.0, elapsed
    # RMS slope of the whole terrain outside the big crater (ridge, massifs, craters, fBm)
    xx, yy = np.meshgrid(d["x"].values, d["y"].values)
    r = np.hypot(xx - d.attrs["crater_center_x_m"], yy - d.attrs["crater_center_y_m"])
    outside = d.where(r > 1.3 * 10_500.0)
    assert 5.0 <= rms_slope_deg(outside, 40.0) <= 10.0


# ---------------------------------------------------------------------------------------------
# crater population
def _truncated_pareto_slope(d: np.ndarray, dmin: float, dmax: float) -> float:
    """Maximum-likelihood cumulative slope of a power law truncated to [dmin, dmax]."""
    from scipy.optimize import minimize_scalar

    ld = np.log(d / dmin)
    n = d.size
    q = math.log(dmax / dmin)

    def nll(a):
        return -(n * math.log(a) - a * ld.sum() - n * math.log1p(-math.exp(-a * q)))

    return -minimize_scalar(nll, bounds=(0.2, 6.0), method="bounded").x


def test_crater_population_follows_d_minus_2():
    dem = synthetic_south_pole(**ON_CRATER)
    cat = synthetic_crater_catalogue(**ON_CRATER)
    dmin, dmax = dem.attrs["population_d_min_m"], dem.attrs["population_d_max_m"]
    n = cat["diameter_m"].size
    assert n == dem.attrs["n_population_craters"] and n > 500
    slope = _truncated_pareto_slope(cat["diameter_m"], dmin, dmax)
    # MLE standard error ~ 2/sqrt(n) ~ 0.07 for n ~ 850: 0.2 is ~3 sigma
    assert_allclose(slope, -2.0, atol=0.2)
    # the test can fail: a D^-3 population is refused
    rng = np.random.default_rng(0)
    steep = dmin * (1.0 - rng.random(n) * (1.0 - (dmin / dmax) ** 3)) ** (-1.0 / 3.0)
    assert abs(_truncated_pareto_slope(steep, dmin, dmax) + 2.0) > 0.2


def test_catalogue_craters_are_in_the_dem():
    dem = synthetic_south_pole(size_km=20.0, pixel_m=50.0, center_lat_deg=-89.0,
                               center_lon_deg=0.0, massifs=False, rms_slope_ref_deg=1.0)
    cat = synthetic_crater_catalogue(size_km=20.0, pixel_m=50.0, center_lat_deg=-89.0,
                                     center_lon_deg=0.0)
    x, y = dem["x"].values, dem["y"].values
    big = ((cat["diameter_m"] > 600.0) & (cat["x_m"] > x[0] + 2e3) & (cat["x_m"] < x[-1] - 2e3)
           & (cat["y_m"] > y[-1] + 2e3) & (cat["y_m"] < y[0] - 2e3))
    assert big.sum() >= 5
    depths = []
    for cx, cy, dd in zip(cat["x_m"][big], cat["y_m"][big], cat["diameter_m"][big], strict=True):
        centre = float(dem.interp(x=cx, y=cy))
        ang = np.linspace(0, 2 * np.pi, 16, endpoint=False)
        rim = dem.interp(x=("p", cx + 0.5 * dd * np.sin(ang)), y=("p", cy + 0.5 * dd * np.cos(ang)))
        depths.append((float(rim.mean()) - centre) / dd)
    # overlapping craters disturb single ones, but as a group they are bowls of d/D 0.05-0.2
    assert 0.04 < np.median(depths) < 0.2


def test_radial_diffusion_matches_the_heat_kernel():
    """The degradation model's diffusion step against the closed-form 2-D heat kernel:
    z(u, t) = exp(-u^2 / (4 (t0 + t))) / (t0 + t) is an exact solution of dz/dt = lap z."""
    u = np.arange(0.0, 4.0 + 0.005, 0.01)
    t0, t1 = 0.05, 0.10

    def kernel(t):
        return np.exp(-(u**2) / (4.0 * t)) / t

    z = kernel(t0)
    dt = 0.2 * 0.01**2
    n = round((t1 - t0) / dt)
    for _ in range(n):
        z = z + dt * _craters.radial_laplacian(z, u)
    # second-order scheme, du = 0.01: 0.1 % of the peak (10) covers it
    assert_allclose(z, kernel(t0 + n * dt), rtol=0, atol=0.01)
    # and the test can fail: a plain 1-D Laplacian (no 1/u term) is far off
    z1 = kernel(t0)
    for _ in range(n):
        lap = np.zeros_like(z1)
        lap[1:-1] = np.diff(z1, 2) / 0.01**2
        lap[0] = 2 * (z1[1] - z1[0]) / 0.01**2
        z1 = z1 + dt * lap
    assert np.max(np.abs(z1 - kernel(t0 + n * dt))) > 0.5


def test_degraded_profiles_span_the_depth_range():
    u, ratio, table = _craters.degraded_profile_table()
    assert_allclose(ratio[0], 0.2, atol=1e-12)
    assert_allclose(ratio[-1], 0.05, atol=1e-3)
    assert np.all(np.diff(ratio) < 0)
    assert_allclose(table[0], _craters.fresh_profile(u), atol=1e-12)
    # each level's depth is what it says (rim crest minus centre)
    assert_allclose(table.max(axis=1) - table[:, 0], ratio, atol=1e-12)
    # degraded rims are lower and smoother than fresh ones
    assert table[-1].max() < table[0].max()


# ---------------------------------------------------------------------------------------------
# spherical bowl
def test_spherical_bowl_closed_form():
    d, h = 2000.0, 400.0
    bowl = spherical_bowl_dem(d, h, 20.0, 3020.0, center_x_m=1000.0, center_y_m=-500.0)
    s = bowl.attrs["sphere_radius_m"]
    assert_allclose(s, (d**2 / 4 + h**2) / (2 * h))
    xx, yy = np.meshgrid(bowl["x"].values - 1000.0, bowl["y"].values + 500.0)
    z = bowl.values
    inside = np.hypot(xx, yy) <= d / 2
    # every inside pixel lies on the sphere of radius S centred S - d above the floor
    assert_allclose(np.sqrt(xx**2 + yy**2 + (z - (s - h)) ** 2)[inside], s, rtol=0, atol=1e-6)
    assert_allclose(z[~inside], 0.0)
    # odd size/pixel: a pixel sits on the centre, at the full depth
    assert bowl.sizes["x"] % 2 == 1
    assert_allclose(z.min(), -h)
    assert crs_label(bowl) == "IAU_2015:30135"


# ---------------------------------------------------------------------------------------------
# bad input, files and CLI
@pytest.mark.parametrize("kwargs", [dict(size_km=0.0), dict(size_km=-1.0),
                                    dict(size_km=1.0, pixel_m=2000.0), dict(pixel_m=0.0),
                                    dict(size_km=1000.0, pixel_m=10.0), dict(seed=-1),
                                    dict(center_lat_deg=10.0), dict(size_km=float("nan")),
                                    dict(crater_d_max_m=0.0), dict(hurst=1.0),
                                    dict(crater_saturation=2.0)])
def test_bad_parameters_raise_one_lupex_error(kwargs):
    with pytest.raises(ParameterError) as exc:
        synthetic_south_pole(**kwargs)
    assert isinstance(exc.value, LupexError)
    assert "\n" not in str(exc.value)


def test_cli_writes_cog_and_quicklook(tmp_path):
    import rasterio
    from typer.testing import CliRunner

    from lupex.cli import app
    from lupex.terrain.dem import read_dem

    out = tmp_path / "dem.tif"
    res = CliRunner().invoke(app, ["terrain", "synth", "--size-km", "6", "--pixel-m", "60",
                                   "--seed", "5", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert out.exists() and out.with_suffix(".png").stat().st_size > 1000
    with rasterio.open(out) as ds:
        assert ds.crs is not None
        from pyproj import CRS

        assert crs_label(CRS.from_wkt(ds.crs.to_wkt())) == "IAU_2015:30135"
        assert "LUPEX_PROVENANCE" in ds.tags()
        assert ds.tags().get("LAYOUT", ds.tags(ns="IMAGE_STRUCTURE").get("LAYOUT")) in ("COG", None)
    back = read_dem(out)
    api = synthetic_south_pole(size_km=6.0, pixel_m=60.0, seed=5)
    assert_allclose(back.values, api.values, rtol=0, atol=0)
    assert_allclose(back["x"].values, api["x"].values)


def test_cli_bad_parameter_exits_2(tmp_path, capsys):
    from lupex.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["terrain", "synth", "--size-km", "0", "--out", str(tmp_path / "d.tif")])
    assert exc.value.code == 2
    assert "size_km" in capsys.readouterr().err
    assert not (tmp_path / "d.tif").exists()
