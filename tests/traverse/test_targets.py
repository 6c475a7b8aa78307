"""PSR-edge targets: edge pixels of the permanent-shadow map, drivable, nearest first."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from lupex.errors import ParameterError
from lupex.traverse import psr_edge_targets


def _maps(n=21, pixel=100.0):
    x = (np.arange(n) - n // 2) * pixel
    y = -x
    yy, xx = np.meshgrid(y, x, indexing="ij")
    psr = (np.hypot(xx - 500.0, yy) <= 300.0).astype(np.uint8)  # a disc of shadow east of 0
    slope = np.full((n, n), 5.0)
    return xr.DataArray(psr, dims=("y", "x"), coords={"y": y, "x": x}), slope


def test_nearest_edge_pixel_is_proposed_first():
    psr, slope = _maps()
    (t,) = psr_edge_targets(psr, slope, (0.0, 0.0), n=1)
    # the disc (radius 300 m, centre x = 500 m) comes nearest the origin at (200, 0)
    np.testing.assert_allclose(t, (200.0, 0.0), atol=1e-9)  # exact pixel centre
    assert psr.sel(x=t[0], y=t[1]).item() == 1


def test_interior_and_steep_pixels_are_never_targets():
    psr, slope = _maps()
    slope[psr.values == 1] = 30.0  # every shadowed pixel too steep
    assert psr_edge_targets(psr, slope, (0.0, 0.0), n=3, max_slope_deg=15.0) == []
    psr, slope = _maps()
    ts = psr_edge_targets(psr, slope, (0.0, 0.0), n=50, min_separation_m=0.0)
    for tx, ty in ts:  # every target touches a lit pixel
        assert np.hypot(tx - 500.0, ty) > 300.0 - 100.0 - 1e-9
    assert len(ts) < int(psr.values.sum())  # the disc centre (500, 0) is not an edge
    assert (500.0, 0.0) not in ts


def test_separation_distance_and_bad_input():
    psr, slope = _maps()
    ts = psr_edge_targets(psr, slope, (0.0, 0.0), n=3, min_separation_m=250.0)
    d = [np.hypot(a[0] - b[0], a[1] - b[1]) for i, a in enumerate(ts) for b in ts[i + 1:]]
    assert len(ts) == 3 and min(d) >= 250.0
    assert psr_edge_targets(psr, slope, (-1000.0, 0.0), max_distance_m=500.0) == []
    with pytest.raises(ParameterError, match="shape"):
        psr_edge_targets(psr, slope[:-1], (0.0, 0.0))
