"""UTC parsing, time grids, the UTC -> TDB conversion (against SPICE STR2ET) and the span."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from _ephem_spice import random_utc, spice_et
from numpy.testing import assert_allclose, assert_array_equal

import lupex.ephemeris as eph
from lupex.ephemeris.timescales import utc_to_tdb_seconds
from lupex.errors import EphemerisRangeError, LupexError, ParameterError


def test_utc_to_tdb_matches_spice_str2et(spice):
    # Tolerance 50 us: SPICE's TDB-TT uses a 2-term formula, lupex the USNO C179 series; they
    # differ by < 30 us. (50 us of lunar rotation is 3e-5 arcsec.) A leap second error (1 s)
    # or the 32.184 s TT-TAI offset would be 4 to 6 orders of magnitude above it.
    t = random_utc(500, seed=7, lo="1950-01-01", hi="2050-12-31")
    assert_allclose(utc_to_tdb_seconds(t), spice_et(spice, t), rtol=0, atol=50e-6)


@pytest.mark.parametrize("label", ["1971-12-31T23:59:59", "1972-01-01T00:00:00",
                                   "2016-12-31T23:59:59", "2017-01-01T00:00:00",
                                   "1999-01-01T00:00:00", "2049-06-30T12:00:00"])
def test_leap_second_boundaries_match_spice(spice, label):
    t = np.array([label], dtype="datetime64[ns]")
    assert_allclose(utc_to_tdb_seconds(t), spice_et(spice, t), rtol=0, atol=50e-6)


def test_leap_second_step_is_two_seconds_of_tdb():
    # 2016-12-31T23:59:60 exists in UTC: one UTC second label later is two TDB seconds later
    t = np.array(["2016-12-31T23:59:59", "2017-01-01T00:00:00"], dtype="datetime64[ns]")
    assert_allclose(np.diff(utc_to_tdb_seconds(t)), [2.0], atol=1e-6)


def test_check_times_accepts_common_inputs():
    ref = np.array(["2028-01-01T06:00:00"], dtype="datetime64[ns]")
    for v in ("2028-01-01T06:00", "2028-01-01T06:00:00Z", "2028-01-01 06:00",
              "2028-01-01T07:00+01:00", dt.datetime(2028, 1, 1, 6),
              dt.datetime(2028, 1, 1, 6, tzinfo=dt.UTC), np.datetime64("2028-01-01T06", "h"),
              ["2028-01-01T06:00"], np.array(["2028-01-01T06:00Z"])):
        assert_array_equal(eph.check_times(v), ref, err_msg=repr(v))
    assert eph.check_times(ref).dtype == np.dtype("datetime64[ns]")


@pytest.mark.parametrize("bad", ["2028-13-01", "yesterday", 12345.0, [np.datetime64("NaT")],
                                 np.array([1, 2, 3])])
def test_check_times_refuses_non_times(bad):
    with pytest.raises(ParameterError):
        eph.check_times(bad)


@pytest.mark.parametrize("bad", ["2061-01-01T00:00", "1899-06-01", "2051-01-01",
                                 np.datetime64("3000-01-01", "D")])
def test_out_of_span_raises_naming_the_span(bad):
    with pytest.raises(EphemerisRangeError) as err:
        eph.check_times(["2028-01-01", bad])
    msg = str(err.value)
    lo, hi = eph.usable_span_utc()
    assert lo in msg and hi in msg and "DE421" in msg and "moon_pa_de421_1900-2050.bpc" in msg
    assert isinstance(err.value, LupexError)


def test_span_is_the_intersection_of_the_kernels():
    # the bpc covers 1900-01-01 .. 2051-01-01 TDB; in UTC that is 41.18 s / 69.18 s earlier
    lo, hi = eph.usable_span_utc()
    assert (lo, hi) == ("1899-12-31T23:59:19", "2050-12-31T23:58:50")
    eph.check_times([lo, hi])  # the ends themselves are usable
    with pytest.raises(EphemerisRangeError):
        eph.check_times(np.datetime64(hi) + np.timedelta64(1, "s"))
    with pytest.raises(EphemerisRangeError):
        eph.check_times(np.datetime64(lo) - np.timedelta64(1, "s"))


def test_vectors_raise_out_of_span():
    with pytest.raises(EphemerisRangeError, match="2061-01-01T00:00:00: outside"):
        eph.sun_direction_me(["2061-01-01T00:00"])


def test_time_grid():
    g = eph.time_grid("2028-01-01", "2028-01-02", "6h")
    assert g.dtype == np.dtype("datetime64[ns]")
    assert_array_equal(g, np.arange(np.datetime64("2028-01-01T00", "ns"),
                                    np.datetime64("2028-01-02T00:00:01", "ns"),
                                    np.timedelta64(6, "h")))
    assert eph.time_grid("2028-01-01", "2028-01-01T00:01", "10s").size == 7
    assert eph.time_grid("2028-01-01", "2028-01-01T01:00", "25min").size == 3  # stop not on grid
    assert eph.time_grid("2028-01-01", "2028-01-01", "1d").size == 1
    assert eph.time_grid("2028-01-01", "2028-01-02", dt.timedelta(hours=12)).size == 3
    assert eph.time_grid("2028-01-01", "2028-01-01T00:00:01", "0.5s").size == 3


@pytest.mark.parametrize("step", ["1x", "h", "-1h", "0s", "1 month", ""])
def test_time_grid_refuses_bad_steps(step):
    with pytest.raises(ParameterError, match="step"):
        eph.time_grid("2028-01-01", "2028-01-02", step)


def test_time_grid_refuses_reversed_or_out_of_span():
    with pytest.raises(ParameterError, match="before start"):
        eph.time_grid("2028-01-02", "2028-01-01", "1h")
    with pytest.raises(EphemerisRangeError):
        eph.time_grid("2050-06-01", "2061-01-01", "1d")
    with pytest.raises(ParameterError, match="epochs"):
        eph.time_grid("1950-01-01", "2049-01-01", "1s")  # 3e9 epochs


def test_empty_input_gives_empty_outputs():
    assert eph.check_times([]).shape == (0,)
    assert eph.sun_direction_me([])[0].shape == (0, 3)
    assert eph.sun_earth_vectors_me([])["earth_m"].shape == (0, 3)
