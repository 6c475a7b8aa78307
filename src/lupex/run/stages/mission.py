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
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lupex.run.contract import RunContext, Stage

ENV = "cache/mission_env.npz"
ENV_NESTED = "cache/mission_env_nested.npz"
NESTED_DEM = "maps/mission_dem.tif"
NESTED_HMAX = "maps/mission_horizon_max_deg.tif"


@dataclass(frozen=True)
class MissionStageResult:
    """The simulated mission (tables) and its summary (and the Monte Carlo's, if run)."""

    status: str
    """``"simulated"`` or ``"no_site"``."""
    summary: dict[str, Any] = field(default_factory=dict)
    timeline: pd.DataFrame | None = None
    measurements: pd.DataFrame | None = None
    monte_carlo: pd.DataFrame | None = None


def _candidates(ctx: RunContext) -> list[tuple[float, float, int]]:
    """Touchdown points to try: ``[mission] landing_x_m/landing_y_m``, else the ranked
    landing candidates, those with ice-stable ground inside the exploration area first (a
    prospecting base that cannot reach ice cannot find any), each group best first."""
    m = ctx.scenario.mission
    if m.landing_x_m is not None and m.landing_y_m is not None:
        return [(float(m.landing_x_m), float(m.landing_y_m), 0)]
    cands = ctx.need("sites").candidates
    if not len(cands):
        return []
    c = cands.sort_values("rank")
    if "ice_distance_worst" in c.columns:
        reach = 0.5 * float(m.resolved()["area_m"])
        near = c["ice_distance_worst"].astype(float).fillna(np.inf) <= reach
        c = pd.concat([c[near], c[~near]])
    return [(float(r["x_m"]), float(r["y_m"]), int(r["rank"])) for _, r in c.iterrows()]


def choose_landing(ctx: RunContext) -> tuple[Any, ...] | None:
    """(landing_xy, cfg, science, environment, note): the best-ranked candidate from whose
    touchdown a safe-haven sequence survives to the end of the mission (the survival field of
    :mod:`lupex.mission.havens`), screening at most ``[mission] site_screen`` candidates; the
    best-ranked one when none does (its loss is then reported with the cause)."""
    from lupex.mission.config import config_from_scenario
    from lupex.mission.shelter import field_for

    sc = ctx.scenario
    cands = _candidates(ctx)
    if not cands:
        return None
    screen = cands[:max(sc.mission.site_screen, 1)] if sc.mission.havens else cands[:1]
    first = None
    refused = []
    for x, y, rank in screen:
        cfg, sci = config_from_scenario(sc, (x, y))
        env = environment(ctx, (x, y), cfg)
        if first is None:
            first = ((x, y), cfg, sci, env)
        if len(screen) == 1 or not cfg.havens:
            break
        need = field_for(env, cfg, sci).need_wh(env.cell(x, y, what="landing site"), 0.0)
        cap = cfg.battery.capacity_wh
        if need <= (1.0 - cfg.haven_margin_fraction) * cap:
            note = (f"landing candidate rank {rank}" + (f" (ranks {', '.join(refused)}: no "
                    "safe-haven sequence survives from touchdown)" if refused else "")
                    + "; candidates with ice-stable ground within the exploration area are "
                    "screened first" if rank else "landing point of the scenario")
            return (x, y), cfg, sci, env, note
        refused.append(str(rank))
    if len(screen) > 1:  # none survives: the best-ranked, rebuilt (the cache holds the last)
        x, y, rank = screen[0]
        cfg, sci = config_from_scenario(sc, (x, y))
        return (x, y), cfg, sci, environment(ctx, (x, y), cfg), (
            f"landing candidate rank {rank}; none of ranks {', '.join(refused)} survives "
            "from touchdown (no safe haven within reach)")
    (x, y), cfg, sci, env = first
    return (x, y), cfg, sci, env, ("landing point of the scenario" if not screen[0][2] else
                                   f"landing candidate rank {screen[0][2]}")


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
    dem = ctx.need("terrain").dem
    dx = float(abs(dem["x"].values[1] - dem["x"].values[0]))
    # the exploration area, plus room to reach safe havens beyond it
    half = reach + max(0.25 * reach, 10 * dx, m.haven_range_m if m.havens else 0.0)
    tag = json.dumps([str(np.datetime64(t0, "s")), n, step_s, list(landing_xy), half,
                      list(m.stations), m.station_min_elevation_deg,
                      (ctx.folder.stage_record("horizon") or {}).get("key")], default=str)
    if path.is_file():
        env = MissionEnvironment.load(path)
        if env.extra.get("tag") == tag:
            return env
    hor = ctx.need("horizon").horizons
    env = build_environment(dem, hor, t0=t0, n_steps=n, step_s=step_s, stations=m.stations,
                            min_elevation_deg=m.station_min_elevation_deg, centre_xy=landing_xy,
                            half_width_m=half,
                            progress=_scaled(ctx, 0, 40))
    env.extra["tag"] = tag
    env.save(path)
    return env


def nested_spec(ctx: RunContext) -> Any:
    """The nested grid the scenario asks for (:class:`lupex.mission.nested.NestedSpec`), or
    None for the regional grid."""
    from lupex.mission.nested import NestedSpec, default_half_width_m
    from lupex.run.stages.horizon import far_field_of

    sc = ctx.scenario
    m = sc.mission
    if m.nested_pixel_m is None and not m.nested_dem:
        return None
    r = m.resolved()
    half = m.nested_half_width_m or default_half_width_m(r["area_m"], r["landing_accuracy_m"])
    h = sc.horizon
    return NestedSpec(pixel_m=m.nested_pixel_m, half_width_m=float(half),
                      dem_path=m.nested_dem or None, detail=m.nested_detail, seed=m.nested_seed,
                      n_azimuths=h.n_azimuths, observer_height_m=h.observer_height_m,
                      far_field=far_field_of(sc), far_field_radius_km=h.far_field_radius_km)


MAX_ENV_BYTES = 4e9
"""Largest visibility table of a mission grid [bytes] (two uint8 per cell and step)."""


def nested_environment(ctx: RunContext, landing_xy, cfg, spec) -> Any:
    """The mission environment on the nested grid around ``landing_xy`` (cached), with the
    nested DEM and its maximum horizon registered as maps."""
    from dataclasses import asdict

    from lupex.errors import ParameterError
    from lupex.io.geotiff import write_geotiff
    from lupex.io.quicklook import write_quicklook
    from lupex.mission.environment import MissionEnvironment, build_environment
    from lupex.mission.nested import nested_dem, nested_horizons
    from lupex.times import SECONDS_PER_HOUR

    path = ctx.run_dir / ENV_NESTED
    m = ctx.scenario.mission
    step_s = m.step_h * SECONDS_PER_HOUR
    t0 = touchdown(ctx)
    n = math.ceil(cfg.duration_s / step_s)
    key = {k: v for k, v in asdict(spec).items() if k != "far_field"}
    dem_file = {}
    if spec.dem_path:
        st = Path(spec.dem_path).stat() if Path(spec.dem_path).is_file() else None
        dem_file = {"size": st.st_size if st else None, "mtime": st.st_mtime if st else None}
    tag = json.dumps([str(np.datetime64(t0, "s")), n, step_s, list(landing_xy), key, dem_file,
                      list(m.stations), m.station_min_elevation_deg,
                      (ctx.folder.stage_record("horizon") or {}).get("key")], default=str)
    regional = ctx.need("terrain").dem
    dem = nested_dem(regional, landing_xy, spec)
    cells = int(dem.shape[0] * dem.shape[1])
    if 2.0 * cells * n > MAX_ENV_BYTES:
        raise ParameterError(
            f"the nested mission grid ({dem.shape[0]} x {dem.shape[1]} pixels, {n} steps) needs "
            f"{2.0 * cells * n / 1e9:.1f} GB of visibility tables (at most "
            f"{MAX_ENV_BYTES / 1e9:g}); use a larger mission.nested_pixel_m, a smaller "
            "mission.nested_half_width_m or a longer mission.step_h.")
    prov = ctx.provenance(mission=ctx.scenario.part("mission"))
    tif = write_geotiff(dem, ctx.run_dir / NESTED_DEM, provenance=prov)
    ctx.register(tif, dem, long_name="nested mission grid elevation", units="m")
    ctx.register(write_quicklook(dem, tif.with_suffix(".png"), cmap="terrain", shade=dem,
                                 title="Nested mission grid (elevation above 1737.4 km)",
                                 colorbar_label="elevation [m]"),
                 long_name="nested mission grid, hillshaded elevation")
    if path.is_file():
        env = MissionEnvironment.load(path)
        if env.extra.get("tag") == tag:
            return env
    hor = nested_horizons(dem, regional, spec, progress=_scaled(ctx, 0, 15))
    hmax = hor.max("azimuth").rename("mission_horizon_max_deg").assign_attrs(
        units="deg", long_name="nested grid maximum horizon elevation")
    htif = write_geotiff(hmax, ctx.run_dir / NESTED_HMAX, provenance=prov)
    ctx.register(htif, hmax)
    env = build_environment(dem, hor, t0=t0, n_steps=n, step_s=step_s, stations=m.stations,
                            min_elevation_deg=m.station_min_elevation_deg,
                            progress=_scaled(ctx, 15, 40))
    env.extra["tag"] = tag
    env.save(path)
    return env


def _grid_source(ctx: RunContext, spec) -> str:
    if spec is None:
        return "the regional DEM, cropped"
    if spec.dem_path:
        return f"site DEM {spec.dem_path}"
    return ("the regional DEM refined by bicubic spline" + (
        f" with sub-pixel craters and fractal roughness (seed {spec.seed})" if spec.detail
        else ""))


def _inside(g: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """The points of ``g`` within half a pixel of ``ref``'s extent."""
    half = 0.5 * abs(ref[1] - ref[0]) if ref.size > 1 else 0.0
    return g[(g >= ref.min() - half) & (g <= ref.max() + half)]


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
    from lupex.mission.config import survival_summary
    from lupex.mission.montecarlo import run_monte_carlo
    from lupex.mission.timeline import simulate
    from lupex.mission.truth import make_truth

    sc = ctx.scenario
    spec = nested_spec(ctx)
    if spec is not None:  # refuse a bad nested grid before the minutes of site screening
        from lupex.mission.nested import check_spec

        check_spec(ctx.need("terrain").dem, spec)
    chosen = choose_landing(ctx)
    if chosen is None:
        why = next((n for n in ctx.need("sites").notes if n.startswith("no pixel meets")), "")
        ctx.set_summary({"mission_status": "no_site",
                         "mission": "not simulated: no landing site passed the hard constraints"
                                    + (f" ({why})" if why else "")})
        return load(ctx)
    landing, cfg, sci, env, landing_note = chosen
    ctx.register(ENV, long_name="mission environment (visibility, stations, terrain)")
    if spec is not None:
        env = nested_environment(ctx, landing, cfg, spec)
        ctx.register(ENV_NESTED, long_name="nested mission environment (visibility, stations, "
                     "terrain)")
    vol = ctx.need("volatiles").maps
    traps = {k[len("cold_trap_"):]: vol[k] for k in vol.data_vars if k.startswith("cold_trap_")}

    # the truth on the mission grid, inside the volatiles map (the haven margin may reach past
    # the thermal grid's last pixel; the rover's work area never does)
    ice = vol["ice_stability_depth_m"]
    grid = tuple(_inside(g, np.asarray(ice[d].values, float)) for g, d in
                 ((env.x_m, "x"), (env.y_m, "y")))

    def truth_of(seed: int):
        return make_truth(ice, traps, sc.truth, seed, grid=grid)

    res = simulate(env, cfg, truth_of(sc.truth.seed), science=sci, seed=sc.mission.seed,
                   progress=_scaled(ctx, 40, 70))
    rd = ctx.run_dir
    summary = {"preset": sc.mission.preset, "landing_x_m": landing[0], "landing_y_m": landing[1],
               "landing_choice": landing_note,
               "touchdown_utc": str(env.t0) + "Z",
               "mission_grid": {"pixel_m": round(env.dx_m, 3), "shape": list(env.shape),
                                "nested": spec is not None,
                                "source": _grid_source(ctx, spec)},
               **res.summary, **survival_summary(cfg),
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
    ctx.register(O.write_stations(env, env.cell(*landing, what="landing site"), rd),
                 long_name="ground-station windows at the landing site (station sees the Moon, "
                 "Earth above the terrain horizon)", time_range=[str(env.t0), str(env.utc(
                     env.duration_s))])
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


def _fingerprint(sc: Any) -> Any:
    """A nested site DEM is part of the key by its size and modification time."""
    if not sc.mission.nested_dem:
        return None
    p = Path(sc.mission.nested_dem)
    st = p.stat() if p.exists() else None
    return [str(p), st.st_size, st.st_mtime_ns] if st else [str(p), None]


STAGE = Stage(name="mission", needs=("terrain", "horizon", "volatiles", "sites", "launch"),
              reads=("mission", "rover", "truth", "instruments", "window.start", "horizon"),
              version="10",
              run=run, load=load,
              doc="the surface mission from touchdown to its end, with Monte Carlo",
              fingerprint=_fingerprint)
