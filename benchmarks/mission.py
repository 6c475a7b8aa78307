"""Benchmark: one 105-day mission on a 500 x 500 grid at 1 h steps, and the Monte Carlo.

The environment (visibility, stations) is the cached part, so it is built here synthetically
(a moving terminator that darkens a band of the grid for ~2 of every 14 days, Earth visible
on a 27-day cycle, two stations alternating) and only the simulation is timed. The baseline,
measured in the same run, is the same mission with the event-integration kernel interpreted
(numba's ``py_func``): the ratio is the speed-up of the compiled kernel.

Run: ``python benchmarks/mission.py [--runs 100] [--size 500] [--days 105]``.
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


def main() -> None:
    import mission_synth as M

    from lupex.mission.montecarlo import run_monte_carlo
    from lupex.mission.timeline import simulate

    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=500)
    ap.add_argument("--days", type=float, default=105.0)
    ap.add_argument("--runs", type=int, default=100)
    a = ap.parse_args()
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
