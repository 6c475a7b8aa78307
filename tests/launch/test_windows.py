"""Landing windows: a ridge in the horizon closes a window a flat horizon opens; the Sun and
Earth elevations of a window edge against SPICE; the window logic on a hand-made series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from numpy.testing import assert_allclose

from lupex.launch.windows import find_windows, landing_windows
from lupex.scenario.launch import WindowsTable

SITE = (-89.9, 0.0)
# a short span with coarse steps; the whole-disc Sun and a 1-day Earth look-ahead keep it fast
W = WindowsTable(step_h=2.0, earth_days=1.0, darkness_days=3.0, stations=["DSS-43", "DSS-14",
                                                                          "DSS-63"])


def _site_grid(horizon_deg):
    from _synthetic import dem_map

    dem = dem_map(3, 200.0, y0=-3000.0)  # ~3 km from the pole (lat -89.9)
    sub = dem.isel(y=slice(1, 2), x=slice(1, 2))
    az = np.arange(360) * 1.0
    hor = xr.DataArray(np.asarray(horizon_deg, np.float32).reshape(360, 1, 1),
                       dims=("azimuth", "y", "x"),
                       coords={"azimuth": az, "y": sub.y.values, "x": sub.x.values},
                       attrs={"units": "deg", "azimuth_reference": "grid_north"})
    return sub, hor


def _lat_lon(sub):
    from lupex.terrain.geometry import latlon_deg

    la, lo = latlon_deg(sub)
    return float(np.ravel(la)[0]), float(np.ravel(lo)[0])


@pytest.fixture(scope="module")
def flat():
    sub, hor = _site_grid(np.zeros(360))
    lat, lon = _lat_lon(sub)
    res = landing_windows(sub, hor, lat, lon, "2028-09-01", "2028-09-15", windows=W,
                          descent_h=1.0, max_darkness_h=100.0)
    return sub, lat, lon, res


def test_a_ridge_closes_the_window_a_flat_horizon_opens(flat):
    sub, lat, lon, res = flat
    assert len(res.windows) >= 1
    first = res.windows.iloc[0]
    # a 3-deg ridge toward the Sun's azimuths during the best window (the Sun at the pole stays
    # below ~1.6 deg): the same site, the same epochs, now in the ridge's shadow
    prof = res.profiles[res.profiles["rank"] == 1]
    t0 = pd.Timestamp(first["start_utc"])
    series = res.series
    times = pd.to_datetime(series["time_utc"].str.rstrip("Z"))
    in_win = (times >= t0) & (times <= pd.Timestamp(first["stop_utc"]))
    from lupex.illumination import pixel_geometry

    conv = float(pixel_geometry(sub).convergence_deg[0])   # horizons are in grid azimuth
    az = series.loc[in_win, "sun_azimuth_deg"].to_numpy() + conv
    ridge = np.zeros(360)
    for a in az:
        for d in range(-20, 21):
            ridge[round(a + d) % 360] = 3.0
    sub2, hor2 = _site_grid(ridge)
    res2 = landing_windows(sub2, hor2, lat, lon, "2028-09-01", "2028-09-15", windows=W,
                           descent_h=1.0, max_darkness_h=100.0)
    starts = set(res2.windows["start_utc"])
    assert first["start_utc"] not in starts
    assert len(prof) > 0
    # the deliberately wrong claim: the ridge changes nothing
    with pytest.raises(AssertionError):
        assert set(res.windows["start_utc"]) == starts


def test_window_edge_elevations_agree_with_spice(flat, spice):
    # SPICE azlcpo (LT+S, the site on the 1737.4 km sphere, MOON_ME) at the best window's
    # start: 0.01 deg covers SPICE's and lupex's LT+S implementations (~1 arcsec) and the
    # ellipsoid-vs-sphere frame (spiceypy's lunar radii set to the sphere here)
    _sub, lat, lon, res = flat
    first = res.windows.iloc[0]
    row = res.series[res.series["time_utc"].str.startswith(first["start_utc"])].iloc[0]
    sp = spice
    sp.pdpool("BODY301_RADII", [1737.4, 1737.4, 1737.4])
    et = sp.str2et(first["start_utc"].replace("T", " ") + " UTC")
    obs = sp.latrec(1737.4, np.radians(lon), np.radians(lat))
    out = {}
    for body in ("SUN", "EARTH"):
        azl, _ = sp.azlcpo("ELLIPSOID", body, et, "LT+S", False, True, obs, "MOON", "MOON_ME")
        out[body] = np.degrees(azl[2])
    assert_allclose(row["sun_elevation_deg"], out["SUN"], atol=0.01)
    assert_allclose(row["earth_elevation_deg"], out["EARTH"], atol=0.01)
    assert first["min_sun_elevation_deg"] <= row["sun_elevation_deg"] + 1e-9
    with pytest.raises(AssertionError):   # 3 days later the Earth's elevation differs
        et2 = et + 3600 * 24 * 3
        azl, _ = sp.azlcpo("ELLIPSOID", "EARTH", et2, "LT+S", False, True, obs, "MOON", "MOON_ME")
        assert_allclose(row["earth_elevation_deg"], np.degrees(azl[2]), atol=0.01)


def test_window_logic_on_a_hand_made_series():
    # 1-h steps: lit except hours 30-39 (dark 10 h); Earth in view from hour 5 on;
    # a station always; descent 2 h, Earth 3 h ahead, darkness look-ahead 12 h, limit 5 h
    n = 60
    t = pd.date_range("2028-01-01", periods=n, freq="h")
    sun = np.ones(n)
    sun[30:40] = 0.0
    earth = (np.arange(n) >= 5).astype(float)
    s = pd.DataFrame({"time_utc": t.strftime("%Y-%m-%dT%H:%M:%SZ"), "sun_fraction": sun,
                      "earth_fraction": earth, "sun_elevation_deg": 1.0,
                      "earth_elevation_deg": 1.0, "horizon_deg_at_sun": 0.0})
    r = find_windows(s, np.ones(n, bool), step_h=1.0, descent_h=2.0, min_sun_fraction=1.0,
                     earth_days=3 / 24, min_earth_fraction=0.0, darkness_days=0.5,
                     max_darkness_h=5.0, top=5)
    # hours 7 .. 23: Earth since hour 5 covers [t-2, t+3]; the 12-h look-ahead must not hold
    # more than 5 dark hours: dark from 30, so t + 12 <= 34 -> t <= 22 (5 dark samples 30-34);
    # after the dark: lit descent from hour 42, judged while t + 12 < 60 -> t <= 47
    w = r.windows.sort_values("start_utc")
    assert list(w["start_utc"]) == ["2028-01-01T07:00:00", "2028-01-02T18:00:00"]
    assert list(w["stop_utc"]) == ["2028-01-01T22:00:00", "2028-01-02T23:00:00"]
