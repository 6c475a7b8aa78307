"""Engine internals that the speed-ups of issue 12 rely on.

Authorities: the brute-force ray march :func:`lupex.horizon.ray_march_horizon` (0.01-pixel
steps, exact 3-D geometry) for the diagonal views, and the unpruned near field itself for the
column bound of :func:`lupex.horizon._kernel._near_field`.
"""

from __future__ import annotations

import math

import numpy as np
import rioxarray  # noqa: F401
import xarray as xr
from numpy.testing import assert_array_equal
from scipy.ndimage import gaussian_filter

from lupex.constants import MOON_RADIUS_M as R
from lupex.horizon import compute_horizon_tile, ray_march_horizon
from lupex.horizon._kernel import _NEG, _near_field, group_max

CRS = "IAU_2015:30135"


def _rough(n: int = 64, px: float = 200.0, seed: int = 3) -> xr.DataArray:
    rng = np.random.default_rng(seed)
    z = gaussian_filter(rng.normal(0.0, 1.0, (n, n)), 3.0)
    z = 400.0 * z / z.std()
    x = (np.arange(n) - (n - 1) / 2) * px
    return xr.DataArray(z.astype(np.float32), dims=("y", "x"),
                        coords={"y": -x + 1000.0, "x": x + 3000.0}).rio.write_crs(CRS)


def test_diagonal_azimuths_match_the_ray_march() -> None:
    # At 45, 135, 225, 315 deg the view's slope m rounds to 1 - 1e-16; the near field once took
    # the row crossing at the column's end for a crossing two rows down and extrapolated a cell
    # (errors up to 2.6 deg on this terrain). Bounds: this terrain is very rough (400 m std at
    # 200 m pixels); at the neighbouring azimuths 44, 136, 226, 314 deg the engine differs from
    # the march by 0.027 deg RMS and 0.12 deg at most (lateral line interpolation, and the
    # march's first step missing the local-slope limit), at the diagonals by 0.020 / 0.11.
    dem = _rough()
    rng = np.random.default_rng(5)
    pts = np.stack([rng.integers(2, 62, 40), rng.integers(2, 62, 40)], axis=1)
    az = np.array([45.0, 135.0, 225.0, 315.0])
    ref = ray_march_horizon(dem, pts, az, step_px=0.01)
    got = compute_horizon_tile(dem, az)[:, pts[:, 0], pts[:, 1]].T
    err = got - ref
    assert float(np.sqrt(np.mean(err**2))) < 0.04
    assert float(np.max(np.abs(err))) < 0.2


def test_near_field_column_bound_changes_no_horizon() -> None:
    # Columns whose upper bound lies below the far field's tan(elevation) are skipped, and
    # candidates are compared against the running best without a division; the result is
    # max(thr, near). The horizon max(near, far) must equal the one from the unpruned near
    # field, bit for bit.
    z = np.asarray(_rough(48).values, np.float64)
    zm = np.empty_like(z)
    group_max(z, zm)  # the column groups' maxima (the GPU passes a 1 x 1 array: no groups)
    off = np.zeros((1, 1))
    rng = np.random.default_rng(11)
    n_below = n_above = 0
    for _ in range(400):
        r, c = int(rng.integers(0, 40)), int(rng.integers(0, 40))
        m = float(rng.choice([0.0, 0.3, 0.7, 1.0 - 1e-16, 1.0]))
        h = float(rng.choice([0.0, 2.0]))
        full = _near_field(z, off, r, c, m, 200.0, 16, h, z[r, c], R, _NEG)
        el_far = math.radians(float(rng.uniform(-5.0, 25.0)))
        thr = math.tan(el_far)
        part = _near_field(z, zm, r, c, m, 200.0, 16, h, z[r, c], R, thr)
        assert_array_equal(part, _near_field(z, off, r, c, m, 200.0, 16, h, z[r, c], R, thr))
        assert part >= thr
        if full > thr:
            n_above += 1
            assert_array_equal(part, full)  # the winning candidate is the same, bit for bit
        else:
            n_below += 1
        assert_array_equal(max(math.atan(part) if part > _NEG else _NEG, el_far),
                           max(math.atan(full) if full > _NEG else _NEG, el_far))
    assert n_below > 0 and n_above > 0  # both branches were exercised


def test_tile_far_lines_every_stride_th_line(monkeypatch) -> None:
    # Tile mode: beyond the window only every far_stride-th line (power of two, spacing
    # <= halo / 32 pixels) continues through the far field; the pixels between interpolate
    # across the two nearest. Authority: the same tile with every line continuing
    # (far_stride = 1). Tolerance 0.02 deg RMS: the far lines pass a pixel at most
    # stride / (2 Q) = 1 pixel aside at >= 64 pixels (1/64 rad), the angle the DEM's own lines
    # already allow at the near field's end; measured 0.005-0.013 deg on this very rough
    # terrain (400 m std at 200 m pixels), well below the tile-vs-whole-map difference that
    # the block-maximum outer level makes (0.04-0.09 deg).
    import lupex.horizon.core as core
    from lupex.horizon import HorizonSettings, azimuths_deg, prepare_horizon
    from lupex.horizon._kernel import line_layout

    s = HorizonSettings(tile_halo_px=64)
    assert core._far_stride(s) == 4 and core._far_stride(HorizonSettings()) == 16
    assert core._far_stride(HorizonSettings(tile_halo_px=16)) == 1
    n = 160
    x = (np.arange(-100, 101)) * 1000.0
    xx, yy = np.meshgrid(x, -x)
    far = xr.DataArray((3000.0 * np.exp(-((xx - 40000.0) ** 2 + yy**2) / 5e7)).astype(np.float32),
                       dims=("y", "x"), coords={"y": -x, "x": x}).rio.write_crs(CRS)
    prep = prepare_horizon(_rough(n), far_field=far, far_field_radius_km=60.0)
    az = azimuths_deg(16)
    rows, cols = slice(64, 96), slice(120, 152)  # right-hand tile: the window meets the DEM edge
    dec = compute_horizon_tile(prep, az, rows=rows, cols=cols, settings=s)
    monkeypatch.setattr(core, "_far_stride", lambda settings: 1)
    full = compute_horizon_tile(prep, az, rows=rows, cols=cols, settings=s)
    err = dec - full
    assert float(np.sqrt(np.mean(err**2))) < 0.02
    assert 0.0 < float(np.max(np.abs(err))) < 0.5  # decimated, and never far off
    # the layout: a quarter of the lines get far-field slots (plus the last one)
    _, _, _, cap, ndem, _ = line_layout(0.3, 2, 1, 500, 0.0, np.array([0, 64]),
                                        np.array([0, 64]), 200, 200, 4, 0)
    n_far = int(np.count_nonzero(cap > ndem))
    assert n_far == len(cap[::4]) + (1 if (len(cap) - 1) % 4 else 0) - int(np.sum(ndem[::4] == 0))
    # with true DEM edges every line keeps its far field
    _, _, _, cap3, ndem3, _ = line_layout(0.3, 2, 1, 500, 0.0, np.array([0, 64]),
                                          np.array([0, 64]), 200, 200, 4, 3)
    assert_array_equal(cap3[ndem3 > 0] - ndem3[ndem3 > 0], 500)


def test_shared_far_field_matches_every_line_continuing() -> None:
    # On a whole 40 m DEM under a 1 km far field, neighbouring lines share the far field
    # beyond a 12-pixel seam (stride 8: lines 4 DEM pixels = 160 m apart, 1/6 of a far pixel).
    # Authorities: every line continuing (share_far_field=False) and the ray march. The two
    # differ where a pixel's horizon switches between the DEM and the far field from one line
    # to the next: interpolating each part across the lines and taking the larger (shared)
    # is not the same as interpolating the lines' maxima (every line continuing).
    from lupex.horizon import prepare_horizon
    from lupex.horizon.core import HorizonSettings, _shared_stride

    assert _shared_stride(HorizonSettings(), 40.0, 1000.0) == 8
    dem = _rough(64, px=40.0, seed=4) * 0.25  # 100 m relief
    fx = np.arange(-30, 31) * 1000.0
    xx, yy = np.meshgrid(fx, -fx)
    f = 1500.0 * np.exp(-((xx - 12000.0) ** 2 + (yy - 3000.0) ** 2) / (2 * 3000.0**2))
    f += 300.0 * np.sin(xx / 3000.0) * np.cos(yy / 4000.0)
    far = xr.DataArray(f.astype(np.float32), dims=("y", "x"),
                       coords={"y": -fx + float(dem.y.mean()), "x": fx + float(dem.x.mean())})
    far.attrs["source"] = "test relief"
    prep = prepare_horizon(dem, far_field=far.rio.write_crs(CRS), far_field_radius_km=25.0)
    az = np.array([0.0, 20.0, 45.0, 80.0, 100.0, 190.0, 260.0, 300.0])
    own = compute_horizon_tile(prep, az, settings=HorizonSettings(share_far_field=False))
    shared = compute_horizon_tile(prep, az)
    d = shared.astype(np.float64) - own
    assert np.abs(d).max() > 0.0  # the shared path ran
    assert float(np.sqrt(np.mean(d**2))) < 0.005
    assert float(np.abs(d).max()) < 0.25
    rng = np.random.default_rng(6)
    pts = np.stack([rng.integers(0, 64, 40), rng.integers(0, 64, 40)], axis=1)
    ref = ray_march_horizon(prep, pts, az)
    rms = [float(np.sqrt(np.mean((h[:, pts[:, 0], pts[:, 1]].T - ref) ** 2))) for h in (own, shared)]
    assert rms[1] < 0.07  # measured 0.057 for both (rough 40 m terrain, diagonals included)
    assert abs(rms[1] - rms[0]) < 0.002
