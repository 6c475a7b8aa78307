"""GPR and the permittivity mixing model: exact depths, resolution, detection limits."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from lupex.constants import SPEED_OF_LIGHT_M_S as C
from lupex.instruments import Column, radar
from lupex.instruments.dielectric import (
    dry_permittivity,
    ice_wt_pct_from_permittivity,
    icy_permittivity,
    saturation_wt_pct,
)
from lupex.instruments.radar import RadarSpec


def test_dry_permittivity_and_crim_by_hand():
    # Olhoeft & Strangway: 1.919 ** 1.5 = 2.6584 at 1.5 g/cm3 (hand computed)
    assert_allclose(dry_permittivity(1500.0), 2.65835, rtol=1e-5)
    # 10 wt% ice over 1500 kg/m3: v = 0.1/0.9 * 1500/930 = 0.179211; CRIM
    # sqrt(eps) = 1.630445 + 0.179211 * (1.774824 - 1) = 1.769302 -> eps = 3.13043
    assert_allclose(icy_permittivity(10.0, 1500.0), 3.13043, rtol=1e-5)
    w = np.array([0.0, 1.0, 5.6, 20.0])
    assert_allclose(ice_wt_pct_from_permittivity(icy_permittivity(w, 1500.0), 1500.0), w,
                    atol=1e-12)
    # pores full: porosity 1 - 1500/3100 = 0.51613, 480.0 kg/m3 of ice -> 24.242 wt%
    assert_allclose(saturation_wt_pct(1500.0, 3100.0), 24.2424, rtol=1e-5)


@pytest.mark.parametrize("depth", [0.3, 0.8, 1.5])
def test_noiseless_depth_is_exact_and_time_is_closed_form(depth):
    col = Column.two_layer(8.0, depth)
    m = radar.measure(col)
    assert m.detected
    assert_allclose(m.depth_m, depth, rtol=1e-12)
    assert_allclose(m.depth_true_m, depth)
    # resolution c / (2 B sqrt(eps)) = 3e8 / (2 * 5e8 * 1.63044) = 0.18387 m
    assert_allclose(m.resolution_m, C / (2 * 500e6 * math.sqrt(2.65835)), rtol=1e-5)
    assert_allclose(m.resolution_m, 0.18387, rtol=1e-4)


def test_wrong_permittivity_biases_depth_by_the_root_ratio():
    col = Column.two_layer(8.0, 1.0)
    m = radar.measure(col, eps_assumed=4.0)
    assert_allclose(m.depth_m, 1.0 * math.sqrt(dry_permittivity(1500.0) / 4.0), rtol=1e-12)


def test_what_the_radar_cannot_see():
    assert not radar.measure(Column.two_layer(0.0, math.nan)).detected   # no contrast
    assert not radar.measure(Column.two_layer(8.0, 0.1)).detected        # thinner than 0.18 m
    r = float(radar.reflection_coefficient(dry_permittivity(1500.0), icy_permittivity(1.0, 1500.0)))
    zmax = radar.max_detectable_depth_m(r, eps=float(dry_permittivity(1500.0)), density_kg_m3=1500.0)
    assert 0.3 < zmax < RadarSpec().max_depth_m
    assert radar.measure(Column.two_layer(1.0, 0.98 * zmax)).detected
    assert not radar.measure(Column.two_layer(1.0, 1.02 * zmax)).detected


def test_depth_noise_matches_reported_sigma():
    col = Column.two_layer(5.6, 1.0)
    rng = np.random.default_rng(7)
    d = [radar.measure(col, rng=rng) for _ in range(2000)]
    z = np.array([m.depth_m for m in d])
    # unbiased and with the reported 1-sigma; 2000 draws: std error 1.6 %, mean error sigma/45
    assert_allclose(np.std(z, ddof=1), d[0].depth_sigma_m, rtol=0.06)
    assert_allclose(np.mean(z), 1.0, atol=4 * d[0].depth_sigma_m / math.sqrt(2000))
