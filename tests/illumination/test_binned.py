"""Binned span statistics against the brute-force per-epoch computation; closed forms."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from lupex.illumination import (
    binned_statistics,
    pixel_geometry_from_arrays,
    span_tables,
    stream_statistics,
)
from lupex.illumination.binned import azel_from_reference_vectors

from ._synthetic import pit_horizons, polar_latlon, smooth_random_horizons, synthetic_sun_me


def _setup(n=40, pixel_m=400.0, n_az=360, seed=1, offset=0.5, x0=0.0, y0=0.0, amplitude=1.0):
    x, y, lat, lon = polar_latlon(n, pixel_m, x0=x0, y0=y0)
    rlat, rlon = lat[n // 2, n // 2], lon[n // 2, n // 2]
    g = pixel_geometry_from_arrays(lat, lon, lon, 0.0, ref_lat_deg=rlat, ref_lon_deg=rlon,
                                   ref_convergence_deg=rlon)
    hor = smooth_random_horizons(n * n, n_az, seed=seed, offset=offset, amplitude=amplitude)
    return x, y, g, hor


def _brute(hor, g, sun_ref, r):
    st = stream_statistics(hor, g.rot, g.offset_m, sun_ref, r)
    return st.sun_sum / st.n_epochs, st.sun_any / st.n_epochs, st.sun_any > 0


@pytest.mark.parametrize("x0", [0.0, 40_000.0])
def test_binned_equals_brute_force(x0):
    # authority: the per-epoch computation (exact rotation, horizon interpolated at each
    # epoch's azimuth). Tolerances: the binned method interpolates the visible fraction
    # between azimuth nodes and the tables in threshold (docs/illumination.md); on these
    # horizons (up to ~2 deg/deg azimuthal slopes) that is < 1e-4 in the mean fraction and a
    # few 1e-3 in the "any part" fraction (a step function smeared by the 0.005 deg table step).
    _x, _y, g, hor = _setup(x0=x0)
    sun = synthetic_sun_me(24 * 400)
    sun_ref = g.to_reference(sun)
    az, el = azel_from_reference_vectors(sun_ref)
    r = np.full(len(az), 0.2665)
    tab = span_tables(az, el, r, n_bins=hor.shape[1])
    b = binned_statistics(hor, g.rot, [tab])
    f, a, ever = _brute(hor, g, sun_ref, r)
    assert_allclose(b["sun_fraction_mean"], f, atol=1e-4)
    assert_allclose(b["sun_any_fraction"], a, atol=3e-3)
    assert np.mean(b["sun_ever"] == ever) > 0.995


def test_binned_psr_equals_brute_force_and_oversampling_converges():
    # a raised horizon so that part of the grid is in permanent shadow
    _x, _y, g, hor = _setup(n=48, offset=2.2, seed=3, amplitude=0.3)
    sun = synthetic_sun_me(24 * 350)
    sun_ref = g.to_reference(sun)
    az, el = azel_from_reference_vectors(sun_ref)
    r = np.full(len(az), 0.2665)
    f, _, ever = _brute(hor, g, sun_ref, r)
    psr_true = ~ever
    assert 0.05 < psr_true.mean() < 0.95
    errs = []
    for ov in (1, 4):
        tab = span_tables(az, el, r, n_bins=ov * hor.shape[1])
        b = binned_statistics(hor, g.rot, [tab])
        mism = np.mean((~b["sun_ever"]) != psr_true)
        assert mism < 0.01  # PSR boundary pixels only
        errs.append(np.abs(b["sun_fraction_mean"] - f).max())
    assert errs[1] < errs[0]


def test_flat_pixel_at_pole_sees_sun_above_minus_radius():
    # closed form: on a smooth sphere (horizon 0) a flat pixel sees part of the Sun exactly
    # when the centre's elevation > -radius, with fraction f((el - 0) / r).
    from lupex.illumination.disc import disc_fraction

    _x, _y, lat, lon = polar_latlon(3, 50.0)
    g = pixel_geometry_from_arrays(lat, lon, lon, 0.0, ref_lat_deg=lat[1, 1],
                                   ref_lon_deg=lon[1, 1], ref_convergence_deg=lon[1, 1])
    hor = np.zeros((9, 720), np.float32)
    sun = synthetic_sun_me(24 * 60)
    sun_ref = g.to_reference(sun)
    _, el = azel_from_reference_vectors(sun_ref)
    r = 0.2665
    st = stream_statistics(hor, g.rot, g.offset_m, sun_ref, np.full(len(el), r))
    expect_any = np.sum(el > -r) / len(el)
    assert_allclose(st.sun_any[4] / st.n_epochs, expect_any, atol=0)
    assert_allclose(st.sun_sum[4] / st.n_epochs, np.mean(disc_fraction(el, 0.0, r)), atol=1e-9)


def test_psr_in_deep_pit_at_pole():
    # a 6 km wide, 1.5 km deep flat-floored pit centred on the pole (closed-form horizons): its
    # floor sees a rim >= 24 deg high, the Sun never rises above ~1.8 deg -> PSR; outside the
    # pit (smooth sphere, horizon 0) the Sun is seen half the time.
    n, pix = 41, 200.0
    x, y, lat, lon = polar_latlon(n, pix)
    g = pixel_geometry_from_arrays(lat, lon, lon, 0.0, ref_lat_deg=-90.0, ref_lon_deg=0.0,
                                   ref_convergence_deg=0.0)
    hor = pit_horizons(x, y, rim_radius_m=3000.0, rim_height_m=1500.0, n_az=360)
    sun = synthetic_sun_me(24 * 360)
    sun_ref = g.to_reference(sun)
    az, el = azel_from_reference_vectors(sun_ref)
    r = np.full(len(az), 0.2665)
    b = binned_statistics(hor, g.rot, [span_tables(az, el, r, n_bins=360)])
    psr = (~b["sun_ever"]).reshape(n, n)
    rho = np.hypot(x, y)
    assert psr[rho < 2500.0].all()
    assert not psr[rho > 3200.0].any()
    _f, _, ever = _brute(hor, g, sun_ref, r)
    assert np.array_equal(~ever.reshape(n, n), psr)


def test_flipped_azimuth_convention_fails():
    # horizons blocked (60 deg) over grid azimuths [0, 180) and open (0) elsewhere: the Sun is
    # seen only from the western half of the sky. Storing the horizons counter-clockwise (a
    # deliberately wrong convention) gives a clearly different answer.
    _x, _y, lat, lon = polar_latlon(3, 50.0, x0=20_000.0)
    g = pixel_geometry_from_arrays(lat, lon, lon, 0.0, ref_lat_deg=lat[1, 1],
                                   ref_lon_deg=lon[1, 1], ref_convergence_deg=lon[1, 1])
    n_az = 360
    a = np.arange(n_az) * 360.0 / n_az
    wall = np.where((a >= 1) & (a < 179), 60.0, 0.0).astype(np.float32)
    hor = np.tile(wall, (9, 1))
    flipped = np.tile(wall[(-np.arange(n_az)) % n_az], (9, 1))
    sun = synthetic_sun_me(24 * 200)
    sun_ref = g.to_reference(sun)
    az, el = azel_from_reference_vectors(sun_ref)
    r = np.full(len(az), 0.2665)
    expect = np.mean((el > -0.2665) & (az > 181) & (az < 359))
    good = stream_statistics(hor, g.rot, g.offset_m, sun_ref, r).sun_any[4] / len(az)
    bad = stream_statistics(flipped, g.rot, g.offset_m, sun_ref, r).sun_any[4] / len(az)
    assert_allclose(good, expect, atol=0.01)
    assert abs(bad - expect) > 0.05
