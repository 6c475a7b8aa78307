"""Benchmark: lupex.terrain slope/aspect, roughness and geometry on a large grid.

Compares the numba Horn kernel (true ground distances, aspect from local north) with the simple
baseline most scripts use (``numpy.gradient`` on the raw grid spacing, no scale factor, no
convergence), measured in the same run, and reports the slope error the baseline makes against
lupex on a tilted plane far from the pole (where k != 1). Prints a table: what, size, seconds,
ratio to the baseline, and the error.

    .venv/bin/python benchmarks/terrain.py [--n 4000] [--pixel-m 20] [--lat -85]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from lupex.constants import MOON_RADIUS_M
from lupex.io.maps import make_map
from lupex.terrain import (
    body_fixed_xyz_m,
    grid_convergence_deg,
    latlon_deg,
    roughness,
    scale_factor,
    slope_aspect,
)


def _timed(f, *a, **kw):
    t = time.perf_counter()
    out = f(*a, **kw)
    return out, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=4000, help="grid side [pixels]")
    ap.add_argument("--pixel-m", type=float, default=20.0)
    ap.add_argument("--lat", type=float, default=-85.0, help="latitude of the grid centre [deg]")
    args = ap.parse_args()
    n, px = args.n, args.pixel_m
    rho = 2 * MOON_RADIUS_M * np.tan(np.pi / 4 - abs(np.radians(args.lat)) / 2)
    x = rho / np.sqrt(2) + (np.arange(n) - n / 2) * px
    y = rho / np.sqrt(2) - (np.arange(n) - n / 2) * px
    X, Y = np.meshgrid(x, y)
    rng = np.random.default_rng(0)
    z = (0.2 * (X - x.mean()) + 0.1 * (Y - y.mean()) + rng.normal(0, 1.0, X.shape)).astype("float32")
    dem = make_map(z, x=x, y=y, crs="IAU_2015:30135", name="elevation", units="m", long_name="bench")
    slope_aspect(dem.isel(x=slice(0, 8), y=slice(0, 8)))  # compile / load the numba cache

    rows = []
    _, t_lupex = _timed(slope_aspect, dem)
    t0 = time.perf_counter()
    gy, gx = np.gradient(z.astype(float), px)
    _ = np.degrees(np.arctan(np.hypot(gx, gy)))
    t_base = time.perf_counter() - t0
    # error of the baseline on the noise-free plane, against lupex (which is exact on planes,
    # tests/terrain/test_slope.py)
    plane = dem.copy(data=(0.2 * (X - x.mean()) + 0.1 * (Y - y.mean())).astype("float32"))
    s_plane, _ = slope_aspect(plane)
    gyp, gxp = np.gradient(plane.values.astype(float), px)
    err = float(np.max(np.abs(np.degrees(np.arctan(np.hypot(gxp, gyp))) - s_plane.values)))
    rows.append(("slope_aspect (Horn, k, R/(R+z), aspect)", t_lupex, t_lupex / t_base,
                 f"baseline's slope error on a 12.6 deg plane: {err:.3f} deg"))
    rows.append(("numpy.gradient baseline (grid spacing)", t_base, 1.0, ""))
    _, t = _timed(slope_aspect, dem, baseline_m=10 * px)
    rows.append((f"slope_aspect baseline {10 * px:g} m", t, t / t_base, ""))
    for name, f, kw in [("roughness rms_height 5 px", roughness, {"baseline_m": 5 * px}),
                        ("roughness rms_slope", roughness, {"baseline_m": px, "kind": "rms_slope"}),
                        ("scale_factor", scale_factor, {}),
                        ("grid_convergence_deg", grid_convergence_deg, {}),
                        ("latlon_deg (pyproj)", latlon_deg, {}),
                        ("body_fixed_xyz_m", body_fixed_xyz_m, {})]:
        _, t = _timed(f, dem, **kw)
        rows.append((name, t, t / t_base, ""))
    print(f"grid {n} x {n} px of {px:g} m centred at {args.lat:g} deg "
          f"(k = {float(scale_factor(dem)[n // 2, n // 2]):.5f})")
    print(f"{'what':45s} {'seconds':>8s} {'x baseline':>10s}  error")
    for what, t, r, e in rows:
        print(f"{what:45s} {t:8.3f} {r:10.2f}  {e}")


if __name__ == "__main__":
    main()
