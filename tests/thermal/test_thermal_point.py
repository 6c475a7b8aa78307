"""`point_temperature` and `lupex thermal point`: plumbing checked under an idealised Sun.

The ephemeris is replaced by an exact textbook Sun (equator, zero declination, 1 AU, synodic
day), so the single-facet pipeline must reproduce the Hayne et al. (2017) equatorial curve;
the real-ephemeris run is exercised when lupex.ephemeris.topocentric is present.
"""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from numpy.testing import assert_allclose

import lupex.ephemeris
from lupex.constants import AU_M
from lupex.thermal import SYNODIC_MONTH_S

pytest.importorskip("lupex.illumination.disc")

T_NOON = np.datetime64("2028-01-01T00:00", "ns")


def _fake_topocentric(lat_deg, lon_deg, times, *, height_m=0.0):
    t = np.asarray(times, dtype="datetime64[ns]")
    dt_s = (t - T_NOON).astype("timedelta64[ns]").astype(float) / 1e9
    sub_lon = lon_deg - 360.0 * dt_s / SYNODIC_MONTH_S
    h = np.radians(((lon_deg - sub_lon) + 180.0) % 360.0 - 180.0)
    el = np.degrees(np.arcsin(np.cos(h)))          # equator, declination 0
    az = np.where(h < 0, 90.0, 270.0)               # morning: east; afternoon: west
    n = t.size
    return xr.Dataset({"sun_azimuth_deg": ("time", az), "sun_elevation_deg": ("time", el),
                       "sun_radius_deg": ("time", np.full(n, 0.2665)),
                       "sun_distance_m": ("time", np.full(n, AU_M)),
                       "subsolar_lon_deg": ("time", sub_lon % 360.0),
                       "subsolar_lat_deg": ("time", np.zeros(n))}, coords={"time": t})


@pytest.fixture
def fake_sun(monkeypatch):
    monkeypatch.setattr(lupex.ephemeris, "topocentric", _fake_topocentric, raising=False)


def test_point_reproduces_the_equatorial_curve(fake_sun):
    from lupex.thermal.point import point_temperature

    ds = point_temperature(0.0, 0.0, start="2028-01-01T00:00", days=29.5, dt_s=3600.0,
                           depths_m=[0.1])
    assert set(ds.data_vars) >= {"local_time_h", "t_surface_k", "t_0.1m_k"}
    assert_allclose(ds["local_time_h"].values[0], 12.0, atol=1e-6)
    # Hayne et al. (2017) Table A2 noon ~385 K (the finite solar disc and the annual spin-up
    # change it by < 1 K); 3 K tolerance as in the conduction tests.
    assert_allclose(ds["t_surface_k"].values[0], 385.0, atol=3.0)
    night = ds["t_surface_k"].where(np.abs(ds["local_time_h"] - 0.0) < 0.6, drop=True)
    assert_allclose(float(night.mean()), 101.0, atol=3.0)
    assert ds.attrs["spinup_converged"] == 1


def test_tilted_facet_facing_east_is_warmer_in_the_morning(fake_sun):
    from lupex.thermal.point import point_temperature

    flat = point_temperature(0.0, 0.0, start="2028-01-01T00:00", days=29.5)
    east = point_temperature(0.0, 0.0, start="2028-01-01T00:00", days=29.5, slope_deg=20.0,
                             aspect_deg=90.0)
    morning = (flat["local_time_h"] > 7.0) & (flat["local_time_h"] < 10.0)
    assert (east["t_surface_k"][morning] > flat["t_surface_k"][morning] + 5).all()


def test_cli_point_prints_the_columns(fake_sun, cli_main, capsys):
    cli_main(["thermal", "point", "--lat", "0", "--lon", "0", "--start", "2028-01-01T00:00",
          "--days", "1", "--step-h", "2", "--depth-m", "0.05", "--format", "csv"])
    out = capsys.readouterr().out.strip().splitlines()
    assert out[0] == "time_utc,local_time_h,t_surface_k,t_0.05m_k"
    assert len(out) == 1 + 12
    assert out[1].startswith("2028-01-01T00:00:00Z,12.0000,")


def test_cli_point_rejects_bad_latitude(fake_sun, cli_main, capsys):
    with pytest.raises(SystemExit) as e:
        cli_main(["thermal", "point", "--lat", "95", "--lon", "0"])
    assert e.value.code == 2
    assert "--lat" in capsys.readouterr().err


@pytest.mark.parametrize("start", ["garbage", "1900-06-01T00:00"])
def test_cli_point_rejects_bad_or_out_of_span_start(cli_main, capsys, start):
    # a time that does not parse, and one whose spin-up year falls before the ephemeris span
    if not hasattr(lupex.ephemeris, "topocentric"):
        pytest.skip("lupex.ephemeris.topocentric not available yet")
    with pytest.raises(SystemExit) as e:
        cli_main(["thermal", "point", "--lat", "-89", "--lon", "0", "--start", start])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "error:" in err and "Traceback" not in err


def test_real_ephemeris_at_the_south_pole():
    if not hasattr(lupex.ephemeris, "topocentric"):
        pytest.skip("lupex.ephemeris.topocentric not available yet")
    from lupex.thermal.point import point_temperature

    ds = point_temperature(-89.45, 222.7, start="2028-01-01T00:00", days=2, dt_s=3600.0,
                           depths_m=[0.5])
    t = ds["t_surface_k"].values
    # a flat facet near the pole: grazing Sun, so far colder than the equator, warmer than a PSR
    assert np.isfinite(t).all() and 30.0 < t.min() and t.max() < 280.0

