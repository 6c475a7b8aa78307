"""The Moon from Earth ground stations, against astropy (ERFA + the same DE421 file) and pyproj."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import xarray as xr
from numpy.testing import assert_allclose, assert_array_equal

import lupex.ephemeris as eph
from lupex.ephemeris.stations import geodetic_from_itrf, resolve_stations
from lupex.errors import ParameterError


def test_dsn_geodetic_coordinates_match_pyproj():
    # authority: PROJ's ECEF -> geodetic conversion on WGS84 (EPSG:4978 -> EPSG:4979)
    from pyproj import Transformer

    tr = Transformer.from_crs("EPSG:4978", "EPSG:4979", always_xy=True)
    for xyz in [(-2353621.420, -4641341.472, 3677052.318), (-4460894.917, 2682361.507,
                                                            -3674748.152),
                (4849092.518, -360180.348, 4115109.251), (0.0, 6378137.0, 0.0),
                (1.0, 0.0, 6356752.3142 + 100.0)]:
        lon, lat, h = tr.transform(*xyz)
        # 1e-9 deg is 0.1 mm on the ground; 1 mm in height
        ours = geodetic_from_itrf(*xyz)
        assert_allclose(ours[:2], (lat, lon), rtol=0, atol=1e-9)
        assert_allclose(ours[2], h, rtol=0, atol=1e-3)


def test_moon_altaz_matches_astropy():
    # Authority: astropy (ERFA, IERS-B Earth orientation, the same de421.bsp), no refraction.
    # Tolerance 2 arcsec: skyfield's WGS84 station ignores polar motion (<= 0.5 arcsec), and
    # the two use different UT1 tables (the Moon moves 15 arcsec per second of UT1). Measured:
    # <= 0.5 arcsec. Epochs in 2015-2024, inside astropy's bundled IERS-B table.
    pytest.importorskip("astropy")  # installed with lunarsky
    from astropy import units as u
    from astropy.coordinates import AltAz, EarthLocation, get_body, solar_system_ephemeris
    from astropy.time import Time
    from astropy.utils import iers

    from lupex.ephemeris.kernels import kernel_paths

    iers.conf.auto_download = False
    t = eph.time_grid("2015-01-01", "2024-12-31", "97h")[::9][:40]
    ds = eph.ground_station_visibility(t)
    tt = Time(t, scale="utc")
    with solar_system_ephemeris.set(str(kernel_paths()["de421"])), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for j, name in enumerate(ds["station"].values):
            s = eph.STATIONS[str(name)]
            loc = EarthLocation.from_geodetic(s.lon_deg * u.deg, s.lat_deg * u.deg,
                                              s.height_m * u.m)
            aa = get_body("moon", tt, loc).transform_to(AltAz(obstime=tt, location=loc,
                                                              pressure=0))
            el = ds["moon_elevation_deg"].values[:, j]
            d_az = (ds["moon_azimuth_deg"].values[:, j] - aa.az.deg + 180) % 360 - 180
            assert_allclose(el, aa.alt.deg, rtol=0, atol=2 / 3600)
            assert_allclose(d_az * np.cos(np.deg2rad(el)), 0.0, atol=2 / 3600)
            assert_allclose(ds["moon_distance_m"].values[:, j], aa.distance.m, rtol=1e-6)


def test_wrong_station_fails_the_astropy_comparison():
    # DSS-14 and DSS-63 swapped: the same comparison must fail
    pytest.importorskip("astropy")
    from astropy import units as u
    from astropy.coordinates import AltAz, EarthLocation, get_body, solar_system_ephemeris
    from astropy.time import Time
    from astropy.utils import iers

    from lupex.ephemeris.kernels import kernel_paths

    iers.conf.auto_download = False
    t = eph.time_grid("2020-01-01", "2020-01-05", "6h")
    ds = eph.ground_station_visibility(t, ["DSS-14"])
    s = eph.STATIONS["DSS-63"]
    tt = Time(t, scale="utc")
    with solar_system_ephemeris.set(str(kernel_paths()["de421"])), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loc = EarthLocation.from_geodetic(s.lon_deg * u.deg, s.lat_deg * u.deg, s.height_m * u.m)
        aa = get_body("moon", tt, loc).transform_to(AltAz(obstime=tt, location=loc, pressure=0))
    with pytest.raises(AssertionError):
        assert_allclose(ds["moon_elevation_deg"].values[:, 0], aa.alt.deg, atol=2 / 3600)


def test_lunar_point_and_visibility_flags():
    t = eph.time_grid("2028-01-01", "2028-01-03", "30min")
    ds = eph.ground_station_visibility(t, ["DSS-43", ("Home", 48.1, 11.6, 500.0)],
                                       min_elevation_deg=10.0, lunar_point=(-89.45, 222.7))
    assert ds["moon_elevation_deg"].dims == ("time", "station")
    assert list(ds["station"].values) == ["DSS-43", "Home"]
    # a surface point is at most one lunar radius (0.26-0.29 deg) from the Moon's centre
    d = np.abs(ds["point_elevation_deg"] - ds["moon_elevation_deg"])
    assert float(d.max()) < 0.3
    assert_array_equal(ds["visible"], ds["point_elevation_deg"] >= 10.0)
    assert_array_equal(ds["any_visible"], ds["visible"].any("station"))
    centre = eph.ground_station_visibility(t, ["DSS-43"], min_elevation_deg=10.0)
    assert_array_equal(centre["visible"][:, 0], centre["moon_elevation_deg"][:, 0] >= 10.0)


def test_visibility_windows_from_flags():
    t = np.arange(np.datetime64("2028-01-01T00", "ns"), np.datetime64("2028-01-01T10", "ns"),
                  np.timedelta64(1, "h"))
    vis = np.array([[1, 0], [1, 0], [0, 0], [0, 1], [1, 1], [1, 1], [0, 0], [0, 0], [0, 1],
                    [0, 1]], dtype=bool)
    el = np.where(vis, 20.0, 5.0) + np.arange(10)[:, None]
    ds = xr.Dataset({"visible": (("time", "station"), vis),
                     "moon_elevation_deg": (("time", "station"), el)},
                    coords={"time": t, "station": ["A", "B"]})
    w = eph.visibility_windows(ds)
    assert [(r["station"], r["start_utc"][11:13], r["stop_utc"][11:13]) for r in w] == [
        ("A", "00", "01"), ("B", "03", "05"), ("A", "04", "05"), ("B", "08", "09")]
    assert [r["duration_h"] for r in w] == [1.0, 2.0, 1.0, 1.0]
    assert w[1]["max_elevation_deg"] == 25.0


def test_station_resolution_and_errors():
    assert [s.name for s in resolve_stations(None)] == list(eph.STATIONS)
    assert resolve_stations("dss-43")[0] is eph.STATIONS["DSS-43"]
    assert resolve_stations({"X": (1.0, 2.0, 3.0)})[0] == eph.Station("X", 1.0, 2.0, 3.0)
    with pytest.raises(ParameterError, match="unknown"):
        resolve_stations(["NOPE"])
    with pytest.raises(ParameterError, match="latitude"):
        resolve_stations([("bad", 95.0, 0.0, 0.0)])
    with pytest.raises(ParameterError, match="duplicate"):
        resolve_stations(["DSS-43", "dss-43"])
    with pytest.raises(ParameterError, match="min_elevation_deg"):
        eph.ground_station_visibility("2028-01-01", min_elevation_deg=float("nan"))


def test_every_named_station_cites_a_source():
    for s in eph.STATIONS.values():
        assert s.source and s.source != "user"
    assert {"IDSN-32", "UDSC-64", "MDSS-54", "DSS-14", "DSS-43", "DSS-63"} <= set(eph.STATIONS)
