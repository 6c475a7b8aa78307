"""Benchmark the space-time route planner: a 1000 x 1000 grid, 30 days at 1-hour steps.

Terrain: ``lupex.terrain.synthetic_south_pole`` (40 km at 40 m, Shackleton-like crater, ridge,
craters). Visibility: a cheap stand-in for the illumination layer, built here so the benchmark
runs in seconds: horizons at 36 azimuths by ray marching out to 12 km (with the curvature drop),
the Sun at 1.0 deg above the pole's horizon turning once per 29.53 days, Earth librating +-6.5 deg
in elevation every 27.32 days near grid azimuth 0; each pixel's own Sun/Earth elevation includes
the tilt of its local vertical (rho / R). Visible disc fractions from
``lupex.illumination.disc_fraction``.

The plan: from a well-lit start near the pole, to a target on the edge of permanent shadow, to a
second target, and back to the start (the lander). Printed: the search size and speed, the
same run's baseline (one static Dijkstra over the whole grid), and the plan vs the static
shortest route. Run with ``NUMBA_NUM_THREADS=2 python benchmarks/traverse.py``.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from lupex.constants import MOON_RADIUS_M


def horizons_deg(z: np.ndarray, pixel_m: float, n_az: int = 36, max_m: float = 12_000.0,
                 n_steps: int = 40) -> np.ndarray:
    """(n_az, ny, nx) horizon elevation [deg] by ray marching (benchmark fixture only)."""
    ny, nx = z.shape
    dist = np.unique(np.geomspace(pixel_m, max_m, n_steps))
    out = np.full((n_az, ny, nx), -90.0, np.float32)
    for a in range(n_az):
        az = np.radians(a * 360.0 / n_az)
        best = np.full((ny, nx), -np.inf)
        for d in dist:
            dj = round(d * np.sin(az) / pixel_m)
            di = round(-d * np.cos(az) / pixel_m)   # +y (north) is up = row decreasing
            if (dj == 0 and di == 0) or abs(di) >= ny or abs(dj) >= nx:
                continue
            dd = pixel_m * np.hypot(di, dj)
            zs = np.full((ny, nx), -np.inf)
            src = z[max(di, 0):ny + min(di, 0), max(dj, 0):nx + min(dj, 0)]
            zs[max(-di, 0):ny + min(-di, 0), max(-dj, 0):nx + min(-dj, 0)] = src
            np.maximum(best, (zs - z - dd * dd / (2 * MOON_RADIUS_M)) / dd, out=best)
        out[a] = np.degrees(np.arctan(best))
    return out


def provider(dem, hor: np.ndarray, times: np.ndarray):
    """Yield visibility frames (dicts) for ``times``."""
    from lupex.illumination import disc_fraction

    x = dem["x"].values
    y = dem["y"].values
    xx, yy = np.meshgrid(x, y)
    rho = np.hypot(xx, yy)
    theta = np.arctan2(xx, yy)          # grid azimuth of each pixel seen from the pole
    tilt_deg = np.degrees(rho / MOON_RADIUS_M)
    n_az = hor.shape[0]
    t_d = (times - times[0]) / np.timedelta64(1, "D")

    def body(az_deg, el_deg, radius_deg):
        a = (az_deg % 360.0) / (360.0 / n_az)
        k0 = int(np.floor(a)) % n_az
        w = a - np.floor(a)
        h = (1 - w) * hor[k0] + w * hor[(k0 + 1) % n_az]
        el = el_deg + tilt_deg * np.cos(np.radians(az_deg) - theta)
        return disc_fraction(el, h, radius_deg), el

    for i, t in enumerate(times):
        sun_az = 360.0 * t_d[i] / 29.53
        sun, sun_el = body(sun_az, 1.0, 0.2665)
        e_el = 6.5 * np.sin(2 * np.pi * t_d[i] / 27.32)
        earth, _ = body(7.0 * np.sin(2 * np.pi * t_d[i] / 27.32 + 1.0), e_el, 0.95)
        yield {"time": t, "sun_fraction": sun, "earth_fraction": earth,
               "sun_elevation_deg": float(sun_el[sun_el.shape[0] // 2, sun_el.shape[1] // 2]),
               "sun_azimuth_deg": sun_az % 360.0}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=1000, help="grid size [pixels]")
    ap.add_argument("--days", type=float, default=30.0)
    ap.add_argument("--wait-quantum-min", type=float, default=10.0)
    ap.add_argument("--max-darkness-h", type=float, default=6.0,
                    help="rover darkness limit (short, so the plan must wait or detour)")
    ap.add_argument("--max-labels", type=int, default=60_000_000)
    ap.add_argument("--cache", default=None, help="npz file to keep the visibility stack in")
    ap.add_argument("--out", default=None, help="folder for the plan's CSV/GeoJSON/PNG")
    args = ap.parse_args()

    from lupex.terrain import slope_aspect, synthetic_south_pole
    from lupex.traverse import Rover, VisibilityStack, plan_traverse
    from lupex.traverse import _kernels as K
    from lupex.traverse.planner import make_grid

    pixel = 40.0
    t0 = time.perf_counter()
    dem = synthetic_south_pole(size_km=args.size * pixel / 1e3, pixel_m=pixel, seed=7)
    slope = slope_aspect(dem)[0].values
    t_dem = time.perf_counter() - t0
    t0 = time.perf_counter()
    hor = horizons_deg(dem.values.astype(np.float64), pixel)
    t_hor = time.perf_counter() - t0
    times = np.datetime64("2028-01-10T00:00") + np.arange(int(args.days * 24)) * np.timedelta64(1, "h")
    t0 = time.perf_counter()
    if args.cache and os.path.exists(args.cache):
        z = np.load(args.cache)
        stack = VisibilityStack(np.datetime64(str(z["t0"])), float(z["step_s"]), dem.shape,
                                z["sun_u8"], z["earth_u8"], z["el"], z["az"])
    else:
        stack = VisibilityStack.from_frames(provider(dem, hor, times), dem.shape)
        if args.cache:
            np.savez(args.cache, t0=str(stack.t0), step_s=stack.step_s, sun_u8=stack.sun_u8,
                     earth_u8=stack.earth_u8, el=stack.sun_elevation_deg, az=stack.sun_azimuth_deg)
    t_vis = time.perf_counter() - t0

    # pick the points: a well-lit start near the pole, a PSR-edge target, a second target
    rover = Rover(max_darkness_h=args.max_darkness_h)
    lit = np.zeros(stack.sun_u8.shape[1])
    ever = np.zeros(stack.sun_u8.shape[1], bool)
    for k in range(0, stack.n_steps, 48):
        blk = stack.sun_u8[k:k + 48] > 0
        lit += blk.sum(0)
        ever |= blk.any(0)
    lit = (lit / stack.n_steps).reshape(dem.shape)
    ever = ever.reshape(dem.shape)
    ok = slope < 10
    n = dem.shape[0]
    ii, jj = np.mgrid[:n, :n]
    r_px = np.hypot(ii - n / 2, jj - n / 2)
    cand = np.where(ok & (r_px < n * 0.3), lit, -1)
    si, sj = np.unravel_index(np.argmax(cand), cand.shape)
    from scipy import ndimage
    psr = ~ever
    edge = ndimage.binary_dilation(psr, iterations=2) & ~psr & ok
    d_start = np.hypot(ii - si, jj - sj) * pixel
    t1 = np.argwhere(edge & (np.abs(d_start - 6000) < 300))
    t2 = np.argwhere(ok & (lit > 0.3) & (np.abs(d_start - 7000) < 300))
    if len(t1) == 0 or len(t2) == 0:
        raise SystemExit("benchmark terrain gave no target candidates")
    t1 = t1[len(t1) // 2]
    t2 = t2[len(t2) // 3]
    x = dem["x"].values
    y = dem["y"].values
    start = (x[sj], y[si])
    targets = [(x[t1[1]], y[t1[0]]), (x[t2[1]], y[t2[0]])]

    # baseline in the same run: one static Dijkstra over the whole grid (compiled first)
    grid = make_grid(dem, rover, slope_deg=slope)
    args_k = (grid.pace_s_m, grid.elev_m, grid.invk, grid.ny, grid.nx, grid.dx_m, grid.dy_m)
    K.static_times(*args_k, np.array([si * n + sj], np.int64))
    t0 = time.perf_counter()
    d, _ = K.static_times(*args_k, np.array([si * n + sj], np.int64))
    t_dij = time.perf_counter() - t0
    n_reach = int(np.isfinite(d).sum())

    # warm-up compile on a small problem, then the timed plan
    ones = np.full((5, 2500), 254, np.uint8)
    plan_traverse(dem[:50, :50], VisibilityStack(stack.t0, stack.step_s, (50, 50), ones, ones,
                                                 np.zeros(5), np.zeros(5)),
                  start_xy=(x[1], y[1]), start_time=stack.t0, end_xy=(x[3], y[3]),
                  slope_deg=np.zeros((50, 50)))
    t0 = time.perf_counter()
    plan = plan_traverse(dem, stack, start_xy=start, start_time=times[0], targets_xy=targets,
                         science_h=2.0, end_xy=start, rover=rover, slope_deg=slope,
                         wait_quantum_s=args.wait_quantum_min * 60, max_labels=args.max_labels)
    t_plan = time.perf_counter() - t0
    s = plan.search
    print(f"grid {n} x {n} at {pixel:g} m, {stack.n_steps} steps of {stack.step_s / 3600:g} h "
          f"({stack.n_steps * n * n / 1e6:.0f} M space-time cells); NUMBA_NUM_THREADS="
          f"{os.environ.get('NUMBA_NUM_THREADS', 'default')}")
    print(f"setup: terrain+slope {t_dem:.1f} s, horizons {t_hor:.1f} s, visibility stack {t_vis:.1f} s")
    print()
    print("| what | value |")
    print("|---|---|")
    print(f"| plan_traverse wall time (all included) | {t_plan:.2f} s |")
    print(f"| of which label search | {s['seconds']:.2f} s wall, {s['cpu_seconds']:.2f} s CPU |")
    print(f"| states expanded | {s['expanded']:,} |")
    print(f"| labels created | {s['labels']:,} |")
    print(f"| states expanded per second | {s['expanded_per_s']:,.0f} (per CPU second "
          f"{s['expanded_per_cpu_s']:,.0f}) |")
    print(f"| successor candidates / dominance comparisons | {s['candidates']:,} / "
          f"{s['dominance_checks']:,} |")
    print(f"| baseline: one static Dijkstra, whole grid | {t_dij:.2f} s ({n_reach:,} cells, "
          f"{n_reach / t_dij:,.0f} cells/s) |")
    print(f"| plan wall time / one static Dijkstra | {t_plan / t_dij:.1f} |")
    print(f"| pruned: dominated / battery / darkness / Earth / window | {s['pruned_dominated']:,} / "
          f"{s['pruned_battery']:,} / {s['pruned_darkness']:,} / {s['pruned_earth']:,} / "
          f"{s['pruned_window']:,} |")
    sm, st = plan.summary, plan.static
    print()
    print("| route | length km | time h | energy / notes |")
    print("|---|---|---|---|")
    print(f"| planned (space-time) | {sm['distance_m'] / 1e3:.2f} | {sm['duration_h']:.1f} | waits "
          f"{sm['wait_h']:.1f} h, min SOC {sm['soc_min_fraction']:.2f}, max dark {sm['max_dark_h']:.1f} h |")
    print(f"| static shortest | {st['length_m'] / 1e3:.2f} | {st['time_h']:.1f} | {st['energy_wh']:.0f} Wh "
          f"drawn; driven without waiting: {st['violation'] or 'feasible'} |")
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        plan.to_csv(os.path.join(args.out, "traverse.csv"))
        plan.to_geojson(os.path.join(args.out, "traverse.geojson"))
        plan.plot(os.path.join(args.out, "traverse.png"), dem=dem)
        print(f"\nwrote {args.out}/traverse.csv, .geojson, .png")


if __name__ == "__main__":
    main()
