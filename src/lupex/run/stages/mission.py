"""Stage ``mission``: the surface mission from touchdown to its end, and its Monte Carlo.

Touchdown at ``[mission] landing_x_m/landing_y_m`` or the best-ranked landing site, at
``touchdown_utc``, else the landing epoch of the launch stage (the start of the best landing
window), else the window start; the environment (visibility on the DEM cropped around
the site, ground-station visibility) is computed once and cached in
``cache/mission_env.npz``; the ground truth is drawn from the volatiles maps
(:func:`lupex.mission.truth.make_truth`, ``[truth]``); then one discrete-event simulation
(:func:`lupex.mission.timeline.simulate`) with the ``[mission]`` preset. With
``lupex run --monte-carlo N`` (or ``[mission] monte_carlo = N``) it also runs N paired draws of
both drilling strategies (:mod:`lupex.mission.montecarlo`).

Writes ``tables/timeline.csv``, ``tables/measurements.csv``, ``tables/drill_sites.csv``,
``plans/mission_route.geojson`` (the driven route; ``plans/traverse.geojson`` stays the
traverse stage's planned route), ``summary.json``, four plots, and with a Monte Carlo
``tables/monte_carlo.csv`` and ``plots/monte_carlo.png``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from lupex.run.contract import RunContext, Stage

ENV = "cache/mission_env.npz"


@dataclass(frozen=True)
class MissionStageResult:
    """The simulated mission (tables) and its summary (and the Monte Carlo's, if run)."""

    status: str
    """``"simulated"`` or ``"no_site"``."""
    summary: dict[str, Any] = field(default_factory=dict)
    timeline: pd.DataFrame | None = None
    measurements: pd.DataFrame | None = None
    monte_carlo: pd.DataFrame | None = None


def _landing(ctx: RunContext) -> tuple[float, float] | None:
    m = ctx.scenario.mission
    if m.landing_x_m is not None and m.landing_y_m is not None:
        return float(m.landing_x_m), float(m.landing_y_m)
    cands = ctx.need("sites").candidates
    if not len(cands):
        return None
    r0 = cands.sort_values("rank").iloc[0]
    return float(r0["x_m"]), float(r0["y_m"])


def environment(ctx: RunContext, landing_xy, cfg) -> Any:
    """The cached mission environment, computed on first use."""
    from lupex.mission.environment import MissionEnvironment, build_environment
    from lupex.times import SECONDS_PER_HOUR

    path = ctx.run_dir / ENV
    sc = ctx.scenario
    m = sc.mission
    step_s = m.step_h * SECONDS_PER_HOUR
    t0 = touchdown(ctx)
    n = math.ceil(cfg.duration_s / step_s)
    reach = 0.5 * m.resolved()["area_m"] + m.resolved()["landing_accuracy_m"]
    tag = json.dumps([str(np.datetime64(t0, "s")), n, step_s, list(landing_xy), reach,
                      list(m.stations), m.station_min_elevation_deg,
                      (ctx.folder.stage_record("horizon") or {}).get("key")], default=str)
    if path.is_file():
        env = MissionEnvironment.load(path)
        if env.extra.get("tag") == tag:
            return env
    dem = ctx.need("terrain").dem
    hor = ctx.need("horizon").horizons
    dx = float(abs(dem["x"].values[1] - dem["x"].values[0]))
    env = build_environment(dem, hor, t0=t0, n_steps=n, step_s=step_s, stations=m.stations,
                            min_elevation_deg=m.station_min_elevation_deg, centre_xy=landing_xy,
                            half_width_m=reach + max(0.25 * reach, 10 * dx),
                            progress=_scaled(ctx, 0, 40))
    env.extra["tag"] = tag
    env.save(path)
    return env


def touchdown(ctx: RunContext) -> np.datetime64:
    """Touchdown [UTC]: ``[mission] touchdown_utc``, the launch stage's landing epoch, or the
    window start."""
    from lupex.times import to_utc

    m = ctx.scenario.mission
    if m.touchdown_utc:
        return to_utc(m.touchdown_utc)
    landing = ctx.need("launch").landing_utc
    return to_utc(landing) if landing else to_utc(ctx.scenario.window.start)


def _scaled(ctx: RunContext, a: int, b: int):
    """Progress of a sub-task mapped onto [a, b] of the stage's 100."""
    if ctx.progress_callback() is None:
        return None
    return lambda d, t: ctx.progress(a + (b - a) * d // max(t, 1), 100)


def run(ctx: RunContext) -> MissionStageResult:
    from lupex.mission import outputs as O
    from lupex.mission.config import config_from_scenario, survival_summary
    from lupex.mission.montecarlo import run_monte_carlo
    from lupex.mission.timeline import simulate
    from lupex.mission.truth import make_truth

    sc = ctx.scenario
    landing = _landing(ctx)
    if landing is None:
        ctx.set_summary({"mission_status": "no_site",
                         "mission": "not simulated: no landing site passed the hard constraints"})
        return load(ctx)
    cfg, sci = config_from_scenario(sc, landing)
    env = environment(ctx, landing, cfg)
    ctx.register(ENV, long_name="mission environment (visibility, stations, terrain)")
    vol = ctx.need("volatiles").maps
    traps = {k[len("cold_trap_"):]: vol[k] for k in vol.data_vars if k.startswith("cold_trap_")}

    def truth_of(seed: int):
        return make_truth(vol["ice_stability_depth_m"], traps, sc.truth, seed,
                          grid=(env.x_m, env.y_m))

    res = simulate(env, cfg, truth_of(sc.truth.seed), science=sci, seed=sc.mission.seed,
                   progress=_scaled(ctx, 40, 70))
    rd = ctx.run_dir
    summary = {"preset": sc.mission.preset, "landing_x_m": landing[0], "landing_y_m": landing[1],
               "touchdown_utc": str(env.t0) + "Z", **res.summary, **survival_summary(cfg),
               "preset_sources": sc.mission.sources()}
    n_mc = int(ctx.options.monte_carlo or sc.mission.monte_carlo)
    if n_mc > 0:
        table, stats = run_monte_carlo(
            env, cfg, truth_of, n_mc, seed=sc.mission.seed, truth_seed=sc.truth.seed,
            landing_accuracy_m=sc.mission.resolved()["landing_accuracy_m"], science=sci,
            ice_threshold_wt_pct=sc.mission.ice_threshold_wt_pct, progress=_scaled(ctx, 70, 99))
        mc = O.write_monte_carlo(table, stats, rd)
        ctx.register(mc["table"], long_name="Monte Carlo runs (one row per draw and strategy)")
        ctx.register(mc["plot"], long_name="Monte Carlo distributions per drilling strategy")
        summary["monte_carlo"] = stats
    tables = O.write_tables(res, env, rd)
    t_end = str(env.utc(res.summary["end_of_mission"]["time_s"]))
    rng = [str(env.t0), t_end]
    ctx.register(tables["timeline"], long_name="mission timeline (one row per activity)",
                 time_range=rng)
    ctx.register(tables["measurements"], long_name="instrument measurements with truth",
                 time_range=rng)
    ctx.register(tables["drill_sites"], long_name="drill sites", time_range=rng)
    ctx.register(tables["route"], long_name="driven route (lon/lat, times_utc per vertex)",
                 time_range=rng)
    plots = O.write_plots(res, env, rd, capacity_wh=cfg.battery.capacity_wh,
                          lander_capacity_wh=cfg.lander.battery_wh)
    for k, name in (("soc", "state of charge, rover and lander"),
                    ("data", "data returned and on board"), ("activity", "activity timeline"),
                    ("profiles", "measured vs true water profiles at each drill site")):
        ctx.register(plots[k], long_name=name, time_range=rng)
    ctx.register(O.write_summary(summary, rd), long_name="mission summary")
    eom = res.summary["end_of_mission"]
    ctx.set_summary({
        "mission_status": "simulated",
        "mission": f"{sc.mission.preset}: {res.summary['distance_driven_m'] / 1e3:.2f} km, "
                   f"{res.summary['samples']} samples, water {res.summary['water_found_wt_pct']:.2f}"
                   f" wt% found vs {res.summary['water_truth_wt_pct']:.2f} true, "
                   f"{res.summary['data_returned_mb']:.0f} MB returned, end: {eom['cause']} "
                   f"(day {eom['day']:.1f})",
        "mission_distance_m": round(float(res.summary["distance_driven_m"]), 1),
        "mission_end_cause": eom["cause"]})
    ctx.progress(100, 100)
    return load(ctx)


def load(ctx: RunContext) -> MissionStageResult:
    from lupex.mission import outputs as O

    summ = (ctx.folder.stage_record("mission") or {}).get("summary", {})
    if summ.get("mission_status", "simulated") != "simulated":
        return MissionStageResult(summ.get("mission_status", "no_site"))
    rd = ctx.run_dir
    mc = rd / O.MONTE_CARLO
    return MissionStageResult(
        "simulated", json.loads((rd / O.SUMMARY).read_text(encoding="utf-8")),
        pd.read_csv(rd / O.TIMELINE), pd.read_csv(rd / O.MEASUREMENTS),
        pd.read_csv(mc) if mc.is_file() and "monte_carlo" in json.loads(
            (rd / O.SUMMARY).read_text(encoding="utf-8")) else None)


STAGE = Stage(name="mission", needs=("terrain", "horizon", "volatiles", "sites", "launch"),
              reads=("mission", "rover", "truth", "instruments", "window.start"), version="1",
              run=run, load=load,
              doc="the surface mission from touchdown to its end, with Monte Carlo")
