"""Monte Carlo over truth seeds and operations uncertainty, both drilling strategies paired.

Run ``i`` draws the ground truth with seed ``truth_seed + i``, a touchdown point uniformly in
the disc of radius ``landing_accuracy_m`` around the target (snapped to a drivable cell), and
the operations noise (drive speed, durations, obstacles, instrument noise) with seed
``seed + i``; it then flies the SAME draw with each strategy, so the difference between
"guided" and "grid" is the value of prospecting, not sampling noise (common random numbers,
e.g. Law 2015, Simulation Modeling and Analysis, sec. 11.2). The environment (visibility,
stations) is computed once and shared.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from lupex.mission.environment import MissionEnvironment
from lupex.mission.timeline import MissionConfig, simulate

FIELDS = ("distance_driven_m", "measurements", "samples", "drill_sites", "water_found_wt_pct",
          "water_truth_wt_pct", "water_max_found_wt_pct", "water_area_truth_wt_pct",
          "data_returned_mb", "min_state_of_charge", "replans", "hibernations")


def landing_point(env: MissionEnvironment, target_xy, radius_m: float, rng, passable) -> tuple:
    """A touchdown point uniform in the disc around ``target_xy``, on a drivable cell."""
    for _ in range(100):
        r = radius_m * math.sqrt(rng.random())
        a = 2 * math.pi * rng.random()
        x = float(np.clip(target_xy[0] + r * math.cos(a), env.x_m.min(), env.x_m.max()))
        y = float(np.clip(target_xy[1] + r * math.sin(a), env.y_m.min(), env.y_m.max()))
        if passable[env.cell(x, y)]:
            return x, y
    return tuple(target_xy)


def run_monte_carlo(env: MissionEnvironment, cfg: MissionConfig, make_truth: Callable[[int], Any],
                    n: int, *, seed: int = 0, truth_seed: int = 0, landing_accuracy_m: float = 0.0,
                    strategies=("guided", "grid"), science=None, ice_threshold_wt_pct: float = 0.5,
                    progress: Callable[[int, int], None] | None = None,
                    workers: int | None = None):
    """Run ``n`` draws x each strategy; return ``(table, stats)``.

    ``table`` has one row per run and strategy (:data:`FIELDS`, ``survived``, ``end_cause``,
    ``ice_sampled``); ``stats`` per strategy: the survival probability, the probability of
    sampling ice above the threshold, and the mean/5th/95th percentiles of the fields.
    ``workers`` processes share the draws (default: the CPUs available, fork only); the rows
    do not depend on it (each draw has its own seeds).
    """
    import pandas as pd

    global _JOB
    speed = cfg.rover.speed_m_s(env.slope_deg).ravel() > 0
    _JOB = (env, cfg, make_truth, seed, truth_seed, landing_accuracy_m, tuple(strategies),
            science, ice_threshold_wt_pct, speed)
    rows: list[dict[str, Any]] = []
    total = n * len(strategies)
    workers = _workers(workers, n)
    try:
        if workers > 1:
            import multiprocessing as mp
            from concurrent.futures import ProcessPoolExecutor

            # fork: the workers share the (large) environment copy-on-write
            with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) as ex:
                for part in ex.map(_draw, range(n)):
                    rows += part
                    if progress is not None:
                        progress(len(rows), total)
        else:
            for i in range(n):
                rows += _draw(i)
                if progress is not None:
                    progress(len(rows), total)
    finally:
        _JOB = None
    table = pd.DataFrame(rows)
    return table, statistics(table, ice_threshold_wt_pct)


_JOB: Any = None


def _workers(workers: int | None, n: int) -> int:
    import multiprocessing as mp
    import os

    if "fork" not in mp.get_all_start_methods():
        return 1
    w = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(n, w if workers is None else int(workers)))


def _draw(i: int) -> list[dict[str, Any]]:
    """One draw flown with every strategy (reads the job set up by run_monte_carlo)."""
    (env, cfg, make_truth, seed, truth_seed, accuracy, strategies, science, thr,
     passable) = _JOB
    rng = np.random.default_rng([seed, i, 7])
    truth = make_truth(truth_seed + i)
    xy = landing_point(env, cfg.landing_xy, accuracy, rng, passable)
    rows = []
    for s in strategies:
        c = dataclasses.replace(cfg, landing_xy=xy, strategy=s)
        sm = simulate(env, c, truth, science=science, seed=seed + i).summary
        row = {"run": i, "strategy": s, "truth_seed": truth_seed + i, "landing_x_m": xy[0],
               "landing_y_m": xy[1], **{k: sm[k] for k in FIELDS},
               "survived": sm["end_of_mission"]["cause"] == "nominal",
               "end_cause": sm["end_of_mission"]["cause"],
               "end_day": sm["end_of_mission"]["day"]}
        row["ice_sampled"] = bool(np.nan_to_num(sm["water_max_found_wt_pct"], nan=-1.0) >= thr)
        rows.append(row)
    return rows


def statistics(table, ice_threshold_wt_pct: float) -> dict[str, Any]:
    """Per strategy: probabilities and the mean / p5 / p95 of each field."""
    out: dict[str, Any] = {"runs": int(table["run"].nunique()) if len(table) else 0,
                           "ice_threshold_wt_pct": ice_threshold_wt_pct}
    for s, g in table.groupby("strategy"):
        d: dict[str, Any] = {"p_survival": float(g["survived"].mean()),
                             "p_ice_sampled": float(g["ice_sampled"].mean())}
        for k in FIELDS:
            v = g[k].to_numpy(float)
            v = v[np.isfinite(v)]
            d[k] = ({"mean": float(v.mean()), "p5": float(np.percentile(v, 5)),
                     "p95": float(np.percentile(v, 95))} if v.size else None)
        out[s] = d
    if {"guided", "grid"} <= set(table["strategy"]):
        a = table[table.strategy == "guided"].set_index("run")["water_max_found_wt_pct"]
        b = table[table.strategy == "grid"].set_index("run")["water_max_found_wt_pct"]
        diff = (a - b).to_numpy(float)
        diff = diff[np.isfinite(diff)]
        out["guided_minus_grid_best_sample_wt_pct"] = (
            {"mean": float(diff.mean()), "p5": float(np.percentile(diff, 5)),
             "p95": float(np.percentile(diff, 95))} if diff.size else None)
    return out
