"""Benchmark: one 105-day mission on a 500 x 500 grid at 1 h steps, and the Monte Carlo.

The environment (visibility, stations) is the cached part, so it is built here synthetically
(a moving terminator that darkens a band of the grid for ~2 of every 14 days, Earth visible
on a 27-day cycle, two stations alternating) and only the simulation is timed. The baseline,
measured in the same run, is the same mission with the event-integration kernel interpreted
(numba's ``py_func``): the ratio is the speed-up of the compiled kernel.

With ``--nested`` it times instead the nested grid (:mod:`lupex.mission.nested`) on the
demo's synthetic terrain (20 km at 80 m): building the mission environment of a 1.5 km square
at 10 m (refined DEM with sub-pixel relief, its horizons through the regional DEM, 105 days of
visibility at 1 h) against the baseline of the same square cropped from the regional grid at
80 m (visibility from the regional horizons, computed once and not timed).

Run: ``python benchmarks/mission.py [--runs 100] [--size 500] [--days 105] [--nested]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "mission"))


def synthetic_env(size: int, days: float, pix: float = 4.0):
    import mission_synth as M

    from lupex.mission.environment import MissionEnvironment

    n = int(days * 24)
    k = np.arange(n)
    # Sun: each column band dark while a terminator sweeps it (phase by x): 5 % of a
    # 14-day cycle (17 h, inside what the battery carries), then a 1.4-day dawn ramp
    phase = (k[:, None] / (14 * 24) + np.linspace(0, 1, size)[None, :]) % 1.0
    cols = np.rint(254 * np.where(phase < 0.05, 0.0, np.clip((phase - 0.05) * 10, 0, 1)))
    sun = np.ascontiguousarray(np.broadcast_to(cols.astype(np.uint8)[:, None, :],
                                               (n, size, size)).reshape(n, size * size))
    e = (((k % (27 * 24)) < 14 * 24) * 254).astype(np.uint8)
    earth = np.ascontiguousarray(np.broadcast_to(e[:, None], (n, size * size)))
    st = np.stack([(k % 24) < 12, (k % 24) >= 10], axis=1)
    return MissionEnvironment(
        t0=M.T0, step_s=3600.0, x_m=np.arange(size) * pix, y_m=-np.arange(size) * pix,
        elev_m=np.zeros((size, size)), slope_deg=np.zeros((size, size)), sun_u8=sun,
        earth_u8=earth, sun_elevation_deg=np.zeros(n), sun_azimuth_deg=np.zeros(n),
        station_names=list(M.STATIONS), station_visible=st)


def baseline_python(env, cfg, truth) -> float:
    """The same mission with the event integration in interpreted Python (numba's
    ``py_func`` of the same kernel): the baseline the compiled kernel is measured against."""
    from lupex.mission import _kernels as MK
    from lupex.mission.timeline import simulate

    compiled = MK.integrate
    MK.integrate = compiled.py_func
    try:
        t = time.perf_counter()
        simulate(env, cfg, truth, seed=1)
        return time.perf_counter() - t
    finally:
        MK.integrate = compiled


def nested(days: float) -> None:
    """The nested grid's cost against the regional crop it replaces (module docstring)."""
    import mission_synth as M

    from lupex.horizon import horizon_map
    from lupex.mission.environment import build_environment
    from lupex.mission.nested import NestedSpec, nested_dem, nested_horizons
    from lupex.terrain import synthetic_south_pole

    regional = synthetic_south_pole(size_km=20.0, pixel_m=80.0, seed=7)
    centre = (-5320.0, 7800.0)  # the demo's landing site
    n = int(days * 24)
    t = time.perf_counter()
    hor = horizon_map(regional, n_azimuths=360)
    t_reg_h = time.perf_counter() - t
    kw = dict(t0=M.T0, n_steps=n, step_s=3600.0, stations=M.STATIONS)
    t = time.perf_counter()
    env_r = build_environment(regional, hor, centre_xy=centre, half_width_m=750.0, **kw)
    t_base = time.perf_counter() - t
    spec = NestedSpec(pixel_m=10.0, half_width_m=750.0, n_azimuths=360)
    t = time.perf_counter()
    dem = nested_dem(regional, centre, spec)
    t_dem = time.perf_counter() - t
    t = time.perf_counter()
    hn = nested_horizons(dem, regional, spec)
    t_hor = time.perf_counter() - t
    t = time.perf_counter()
    env_n = build_environment(dem, hn, **kw)
    t_vis = time.perf_counter() - t
    total = t_dem + t_hor + t_vis
    print(f"nested grid around the demo's landing site, {n} steps of 1 h; regional horizons "
          f"(250^2, 360 az, not timed below) {t_reg_h:.1f} s")
    print(f"{'case':52s} {'cells':>7s} {'seconds':>8s}")
    print(f"{'baseline: regional 80 m crop, environment':52s} {env_r.elev_m.size:7d} "
          f"{t_base:8.2f}")
    print(f"{'nested 10 m: DEM (refined, sub-pixel relief)':52s} {env_n.elev_m.size:7d} "
          f"{t_dem:8.2f}")
    print(f"{'nested 10 m: horizons through the regional DEM':52s} {'':7s} {t_hor:8.2f}")
    print(f"{'nested 10 m: environment (visibility, stations)':52s} {'':7s} {t_vis:8.2f}")
    print(f"nested / regional: {total / max(t_base, 1e-9):.1f} x the time for "
          f"{env_n.elev_m.size / env_r.elev_m.size:.0f} x the cells")


def main() -> None:
    import mission_synth as M

    from lupex.mission.montecarlo import run_monte_carlo
    from lupex.mission.timeline import simulate

    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=500)
    ap.add_argument("--days", type=float, default=105.0)
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--nested", action="store_true", help="time the nested grid instead")
    a = ap.parse_args()
    if a.nested:
        nested(a.days)
        return
    t = time.perf_counter()
    env = synthetic_env(a.size, a.days)
    t_env = time.perf_counter() - t
    cfg = M.config(env, area_m=1000.0, traverse_goal_m=10000.0, drill_sites=8, drill_depth_m=1.5,
                   speed_sigma=0.2, ops_sigma=0.3, hazard_per_km=0.5, replan="static",
                   egress_s=48 * 3600.0, commissioning_s=120 * 3600.0)
    truth = M.StripeTruth(a=0.3, b=0.002)
    simulate(env, cfg, truth, seed=0)  # compile
    t = time.perf_counter()
    res = simulate(env, cfg, truth, seed=1)
    t_sim = time.perf_counter() - t
    t_base = baseline_python(env, cfg, truth)
    cfg_p = M.config(env, area_m=1000.0, traverse_goal_m=10000.0, drill_sites=8,
                     drill_depth_m=1.5, hazard_per_km=0.5, replan="planner")
    t = time.perf_counter()
    res_p = simulate(env, cfg_p, truth, seed=1)
    t_plan = time.perf_counter() - t
    t = time.perf_counter()
    _table, stats = run_monte_carlo(env, cfg, lambda s: M.StripeTruth(a=0.3 + 0.01 * s, b=0.002),
                                   a.runs, seed=0, landing_accuracy_m=100.0)
    t_mc = time.perf_counter() - t
    s = res.summary
    print(f"grid {a.size} x {a.size}, {env.n_steps} steps of 1 h ({a.days:g} d); synthetic "
          f"environment built in {t_env:.1f} s (not timed below)")
    print(f"{'case':44s} {'seconds':>9s}")
    print(f"{'one mission (static re-plans)':44s} {t_sim:9.2f}")
    print(f"{'one mission (traverse-planner re-plans, ' + str(res_p.summary['replans']) + ')':44s}"
          f" {t_plan:9.2f}")
    print(f"{'baseline: same mission, kernel interpreted':44s} {t_base:9.2f}")
    print(f"{f'Monte Carlo: {a.runs} draws x 2 strategies':44s} {t_mc:9.1f}")
    print(f"mission: {s['distance_driven_m'] / 1e3:.2f} km, {s['samples']} samples, "
          f"{s['measurements']} measurements, end {s['end_of_mission']['cause']} day "
          f"{s['end_of_mission']['day']:.1f}; MC p_ice_sampled guided "
          f"{stats['guided']['p_ice_sampled']:.2f} / grid {stats['grid']['p_ice_sampled']:.2f}")
    print(f"speed-up of the compiled event integration (same mission, same run): "
          f"{t_base / max(t_sim, 1e-9):.1f} x")


if __name__ == "__main__":
    main()
