"""read_dem: the map contract on good files, one clear LupexError per bad file.

Every bad file is made here in tmp_path; each refusal must be a LupexError subclass whose message
names the file and the fix.
"""

from __future__ import annotations

import numpy as np
import pyproj
import pytest
from _demfiles import SOUTH, from_origin, write_raster
from numpy.testing import assert_allclose
from rasterio.transform import Affine

from lupex.errors import CrsError, DemError, InputFileError, LupexError, ParameterError
from lupex.terrain import crs_label, read_dem


def _plane(ny=40, nx=50):
    r, c = np.mgrid[0:ny, 0:nx]
    return (100.0 + 2.0 * c - 3.0 * r).astype("float32")


# ---------------------------------------------------------------------------------- good files

def test_contract_coords_crs_attrs(tmp_path):
    z = _plane()
    p = write_raster(tmp_path / "dem.tif", z, transform=from_origin(-2500.0, 1000.0, 100.0, 100.0))
    da = read_dem(p)
    assert da.dims == ("y", "x")
    # pixel centres: first x = -2500 + 50, first y = 1000 - 50 (north-up, y decreasing)
    assert_allclose(da["x"].values[:2], [-2450.0, -2350.0])
    assert_allclose(da["y"].values[:2], [950.0, 850.0])
    assert_allclose(da.values, z)
    assert crs_label(da) == SOUTH
    assert pyproj.CRS(da.rio.crs.to_wkt()).ellipsoid.semi_major_metre == 1737400.0
    assert da.attrs["units"] == "m"
    assert "elevation" in da.attrs["long_name"]
    assert da.attrs["source_file"].endswith("dem.tif")
    assert da.attrs["filled_pixels"] == 0 and da.attrs["filled_holes"] == 0


def test_south_up_and_east_to_west_files_are_flipped_to_north_up(tmp_path):
    z = _plane(10, 12)
    t = Affine(-100.0, 0.0, 1200.0, 0.0, 100.0, -1000.0)  # x decreasing, y increasing
    da = read_dem(write_raster(tmp_path / "flip.tif", z, transform=t))
    assert np.all(np.diff(da["y"].values) < 0) and np.all(np.diff(da["x"].values) > 0)
    # value at the most north-east pixel: stored in the file's last row, first column
    assert da.values[0, -1] == z[-1, 0]


def test_rectangular_pixels_are_accepted(tmp_path):
    t = Affine(100.0, 0.0, 0.0, 0.0, -50.0, 0.0)
    da = read_dem(write_raster(tmp_path / "rect.tif", _plane(10, 10), transform=t))
    assert_allclose(np.diff(da["x"].values), 100.0)
    assert_allclose(np.diff(da["y"].values), -50.0)


def test_units_km_multiplies_by_1000(tmp_path):
    z = _plane() / 1000.0
    da = read_dem(write_raster(tmp_path / "km.tif", z), units="km")
    assert_allclose(da.values, z.astype("float64") * 1000.0, rtol=1e-6)
    assert da.attrs["source_units"] == "km"


def test_band_unit_km_read_as_metres_is_refused(tmp_path):
    p = write_raster(tmp_path / "kmtag.tif", _plane() / 1000.0, units="km")
    with pytest.raises(DemError, match=r"kmtag\.tif.*--units km"):
        read_dem(p)


def test_radii_instead_of_heights_are_refused(tmp_path):
    p = write_raster(tmp_path / "radius.tif", (1737400.0 + _plane()).astype("float64"))
    with pytest.raises(DemError, match=r"radius\.tif.*subtract 1737400"):
        read_dem(p)


def test_crs_override_for_file_without_crs(tmp_path):
    p = write_raster(tmp_path / "nocrs.tif", _plane(), crs=None)
    da = read_dem(p, crs="IAU_2015:30135")
    assert crs_label(da) == SOUTH


def test_int16_with_nodata_value(tmp_path):
    z = np.full((20, 20), 500, dtype="int16")
    z[5, 5] = -32768
    da = read_dem(write_raster(tmp_path / "i16.tif", z, nodata=-32768))
    assert da.dtype == np.float32
    assert da.attrs["nodata_pixels"] == 1 and da.attrs["filled_pixels"] == 1
    assert_allclose(da.values[5, 5], 500.0)


# ---------------------------------------------------------------------------------- bad files

def test_missing_file(tmp_path):
    with pytest.raises(InputFileError, match=r"nothere\.tif: file not found"):
        read_dem(tmp_path / "nothere.tif")


def test_text_file_renamed_tif(tmp_path):
    p = tmp_path / "notes.tif"
    p.write_text("this is not a raster\n")
    with pytest.raises(InputFileError, match=r"notes\.tif: not a readable raster"):
        read_dem(p)


@pytest.mark.parametrize("keep", [1000, "half"])
def test_truncated_geotiff(tmp_path, keep):
    full = write_raster(tmp_path / "full.tif", np.random.default_rng(1).random((300, 300)))
    data = full.read_bytes()
    p = tmp_path / "cut.tif"
    p.write_bytes(data[: (len(data) // 2 if keep == "half" else keep)])
    with pytest.raises(InputFileError, match=r"cut\.tif: not a readable raster.*truncated"):
        read_dem(p)


def test_folder_instead_of_file(tmp_path):
    with pytest.raises(InputFileError, match="is a folder"):
        read_dem(tmp_path)


def test_band_out_of_range(tmp_path):
    p = write_raster(tmp_path / "one.tif", _plane())
    with pytest.raises(InputFileError, match=r"one\.tif: band 2 does not exist"):
        read_dem(p, band=2)


def test_earth_geographic_crs(tmp_path):
    p = write_raster(tmp_path / "dem.tif", _plane(), crs="EPSG:4326",
                     transform=from_origin(10.0, 50.0, 0.01, 0.01))
    with pytest.raises(CrsError) as ei:
        read_dem(p)
    # the exact wording the design notes give
    assert str(ei.value) == ("dem.tif: CRS is EPSG:4326 (an Earth CRS). lupex needs a lunar CRS such "
                             "as IAU_2015:30135; reproject with gdalwarp or pass --crs.")


def test_earth_polar_stereographic_crs(tmp_path):
    p = write_raster(tmp_path / "ant.tif", _plane(), crs="EPSG:3031")
    with pytest.raises(CrsError, match=r"ant\.tif: CRS is EPSG:3031 \(an Earth CRS\)"):
        read_dem(p)


def test_other_body_crs(tmp_path):
    p = write_raster(tmp_path / "mars.tif", _plane(), crs="IAU_2015:49935")
    with pytest.raises(CrsError, match=r"mars\.tif: .*not a lunar CRS.*3396\.2 km"):
        read_dem(p)


def test_missing_crs_suggests_south_polar(tmp_path):
    p = write_raster(tmp_path / "nocrs.tif", _plane(), crs=None)
    with pytest.raises(CrsError, match=r"nocrs\.tif: the raster has no CRS.*--crs IAU_2015:30135"):
        read_dem(p)


def test_geographic_lunar_crs(tmp_path):
    p = write_raster(tmp_path / "geo.tif", _plane(), crs="IAU_2015:30100",
                     transform=from_origin(0.0, -80.0, 0.01, 0.01))
    with pytest.raises(CrsError, match=r"geo\.tif: .*geographic lunar CRS.*gdalwarp -t_srs IAU_2015:30135"):
        read_dem(p)


def test_bad_crs_override(tmp_path):
    p = write_raster(tmp_path / "nocrs.tif", _plane(), crs=None)
    with pytest.raises(CrsError, match=r"nocrs\.tif: CRS 'not-a-crs' is not understood"):
        read_dem(p, crs="not-a-crs")
    with pytest.raises(CrsError, match="Earth"):
        read_dem(p, crs="EPSG:3031")


def test_rotated_geotransform_refused(tmp_path):
    t = Affine(100.0, 10.0, 0.0, 10.0, -100.0, 0.0)
    p = write_raster(tmp_path / "rot.tif", _plane(), transform=t)
    with pytest.raises(DemError, match=r"rot\.tif: the geotransform is rotated.*gdalwarp"):
        read_dem(p)


def test_all_nan(tmp_path):
    p = write_raster(tmp_path / "nan.tif", np.full((20, 20), np.nan, dtype="float32"))
    with pytest.raises(DemError, match=r"nan\.tif: every pixel is nodata"):
        read_dem(p)


def test_all_nodata_value(tmp_path):
    p = write_raster(tmp_path / "nd.tif", np.full((20, 20), -9999.0, dtype="float32"), nodata=-9999.0)
    with pytest.raises(DemError, match=r"nd\.tif: every pixel is nodata"):
        read_dem(p)


def test_bad_parameters():
    with pytest.raises(ParameterError):
        read_dem("x.tif", units="ft")
    with pytest.raises(ParameterError):
        read_dem("x.tif", fill_max_hole_px=-1)


def test_every_refusal_is_a_lupex_error():
    assert issubclass(CrsError, LupexError) and issubclass(InputFileError, LupexError)


# ---------------------------------------------------------------------------------- holes

def _bowl(n=80, pixel=50.0):
    """A spherical bowl (radius of curvature 20 km) on a tilted plane, heights [m]."""
    r, c = np.mgrid[0:n, 0:n]
    x, y = (c - n / 2) * pixel, (n / 2 - r) * pixel
    return 300.0 + 0.05 * x - 0.02 * y + (x * x + y * y) / (2 * 20_000.0), x, y


def test_small_hole_in_plane_is_filled_exactly(tmp_path):
    # Laplace interpolation reproduces any plane exactly (a plane is harmonic)
    z = _plane()
    true = z.copy()
    z[10:15, 20:24] = np.nan  # 20 px
    z[30, 3] = np.nan  # 1 px
    da = read_dem(write_raster(tmp_path / "holes.tif", z))
    assert da.attrs["filled_pixels"] == 21 and da.attrs["filled_holes"] == 2
    assert da.attrs["nodata_pixels"] == 21
    assert_allclose(da.values, true, atol=1e-3)  # float32 storage of ~200 m values: 1e-5 m


def test_small_hole_in_curved_surface_is_close(tmp_path):
    # Laplace fill of a 6 x 6 px hole in a bowl z = r^2 / (2 Rc), Rc = 20 km (Laplacian 2/Rc):
    # the error e solves Laplace(e) = -2/Rc with e = 0 on the known rim, a square of side
    # L = 7 px = 350 m, so max e = 0.0737 L^2 * 2/Rc = 0.90 m (torsion function of a square,
    # Timoshenko & Goodier 1951 sect. 105). Demand 0.95 m.
    z, _, _ = _bowl()
    true = z.copy()
    z[30:36, 40:46] = np.nan
    da = read_dem(write_raster(tmp_path / "bowl.tif", z.astype("float64")))
    err = np.abs(da.values - true)[30:36, 40:46]
    assert err.max() < 0.95
    # the deliberately wrong fill (the hole's mean rim height everywhere) is much worse,
    # showing the test can fail
    flat = np.nanmean(np.concatenate([true[29, 40:46], true[36, 40:46], true[30:36, 39], true[30:36, 46]]))
    assert np.abs(flat - true[30:36, 40:46]).max() > 2.0


def test_hole_touching_edge_is_filled(tmp_path):
    z = _plane()
    z[0:3, 0:4] = np.nan
    da = read_dem(write_raster(tmp_path / "edge.tif", z))
    assert da.attrs["filled_pixels"] == 12
    assert np.isfinite(da.values).all()


def test_big_hole_refused_with_location(tmp_path):
    # hole of 10 x 12 = 120 px centred on pixel (row 24.5, col 30.5) of a 100 m grid whose
    # top-left corner is (x=-2500, y=+1000): centre x = -2500 + 31*100 = +600 m,
    # y = 1000 - 25*100 = -1500 m
    z = _plane()
    z[20:30, 25:37] = np.nan
    p = write_raster(tmp_path / "big.tif", z, transform=from_origin(-2500.0, 1000.0, 100.0, 100.0))
    with pytest.raises(DemError) as ei:
        read_dem(p)
    msg = str(ei.value)
    assert msg.startswith("big.tif: a nodata hole of 120 pixels")
    assert "x = +0.60 km, y = -1.50 km" in msg
    # rho = 1.616 km -> lat = -(90 - 1.616/1737.4 rad) = 89.947 S; lon = atan2(0.6, -1.5) = 158.199 E
    assert "(89.947 S, 158.199 E)" in msg
    assert "gdal_fillnodata" in msg and "crop" in msg
    # the same hole is filled when the limit allows it
    assert read_dem(p, fill_max_hole_px=120).attrs["filled_pixels"] == 120
    with pytest.raises(DemError):
        read_dem(p, fill_max_hole_px=119)


def test_fill_disabled(tmp_path):
    z = _plane()
    z[5, 5] = np.nan
    with pytest.raises(DemError, match="1 pixels"):
        read_dem(write_raster(tmp_path / "one.tif", z), fill_max_hole_px=0)


@pytest.mark.parametrize(("driver", "name"), [("ENVI", "dem.img"), ("HFA", "dem_hfa.img"),
                                              ("AAIGrid", "dem.asc")])
def test_other_gdal_formats(tmp_path, driver, name):
    import rasterio

    z = _plane(10, 12)
    with rasterio.open(tmp_path / name, "w", driver=driver, width=12, height=10, count=1,
                       dtype="float32", crs=SOUTH, transform=from_origin(0.0, 0.0, 100.0, 100.0)) as ds:
        ds.write(z, 1)
    da = read_dem(tmp_path / name)
    assert crs_label(da) == SOUTH
    assert_allclose(da.values, z)
