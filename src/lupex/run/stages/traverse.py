"""Stage ``traverse``: drive from the best landing site to the nearest drivable PSR edges and
back to light.

Targets are the ``[traverse] auto_targets`` nearest permanently shadowed edge pixels within
``auto_target_max_distance_m`` (:func:`lupex.traverse.psr_edge_targets`); the route is planned
from the window start over ``window_h`` at the window's step, under the rover's battery,
darkness, Earth-contact and slope limits (:func:`lupex.traverse.plan_traverse`). An
infeasible plan is a result too: its reason is recorded, the run goes on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from lupex.run.contract import RunContext, Stage

TRACK = "tables/traverse.csv"
LEGS = "tables/traverse_legs.csv"
SUMMARY = "plans/traverse.json"


@dataclass(frozen=True)
class TraverseResult:
    """A planned route, or why there is none."""

    status: str
    """``"planned"``, ``"infeasible"`` or ``"no_site"``."""
    reason: str
    track: pd.DataFrame | None = None
    legs: pd.DataFrame | None = None
    summary: dict[str, Any] = field(default_factory=dict)


def run(ctx: RunContext) -> TraverseResult:
    from lupex.errors import InfeasibleError
    from lupex.terrain import slope_aspect
    from lupex.times import hours, iso_utc, parse_duration, time_range, to_utc
    from lupex.traverse import plan_traverse, psr_edge_targets, visibility_stack
    from lupex.traverse.output import write_traverse_outputs

    sc = ctx.scenario
    opts, rover, w = sc.traverse, sc.rover, sc.window
    cands = ctx.need("sites").candidates
    if not len(cands):
        reason = "not planned: no landing site passed the hard constraints"
        ctx.set_summary({"traverse_status": "no_site", "traverse": reason})
        return load(ctx)
    dem = ctx.need("terrain").dem
    hor = ctx.need("horizon").horizons
    psr = ctx.need("illumination").maps["psr"]
    r0 = cands.sort_values("rank").iloc[0]
    start_xy = (float(r0["x_m"]), float(r0["y_m"]))
    slope, _ = slope_aspect(dem)
    targets = psr_edge_targets(psr, slope, start_xy, n=opts.auto_targets,
                               max_slope_deg=rover.slope_planning_deg,
                               max_distance_m=opts.auto_target_max_distance_m
                               ) if opts.auto_targets else []
    t0, step = to_utc(w.start), parse_duration(w.step).astype("timedelta64[s]")
    n = int(np.ceil(opts.window_h / hours(step)))
    stack = visibility_stack(dem, hor, t0 + np.arange(n) * step, progress=ctx.progress_callback())
    try:
        plan = plan_traverse(dem, stack, start_xy=start_xy, start_time=t0, targets_xy=targets,
                             rover=rover, **opts.planner_kwargs())
    except InfeasibleError as exc:
        reason = f"infeasible: {exc}"
        ctx.set_summary({"traverse_status": "infeasible", "traverse": reason})
        return load(ctx)
    out = write_traverse_outputs(plan, ctx.run_dir, dem=dem, provenance=ctx.provenance(
        rover=sc.part("rover"), traverse=sc.part("traverse")))
    rng = time_range(iso_utc(t0).rstrip("Z"), plan.summary.get("end_utc", iso_utc(t0)).rstrip("Z"))
    ctx.register(out["csv"], long_name="traverse track (one row per move)", time_range=rng)
    ctx.register(out["legs"], long_name="traverse legs", time_range=rng)
    ctx.register(out["geojson"], long_name="planned traverse", time_range=rng)
    ctx.register(out["png"], long_name="planned traverse over the terrain", time_range=rng)
    ctx.register(out["json"], long_name="traverse summary and search statistics")
    s = plan.summary
    ctx.set_summary({"traverse_status": "planned",
                     "traverse": f"{len(targets)} PSR-edge target(s), "
                                 f"{s['distance_m'] / 1e3:.2f} km in {s['duration_h']:.1f} h, "
                                 f"min SOC {s['soc_min_fraction']:.2f}",
                     "traverse_distance_m": round(float(s["distance_m"]), 1),
                     "traverse_duration_h": round(float(s["duration_h"]), 2)})
    return load(ctx)


def load(ctx: RunContext) -> TraverseResult:
    summ = (ctx.folder.stage_record("traverse") or {}).get("summary", {})
    status = summ.get("traverse_status", "planned")
    if status != "planned":
        return TraverseResult(status, summ.get("traverse", ""))
    rd = ctx.run_dir
    plan_summary = json.loads((rd / SUMMARY).read_text(encoding="utf-8")).get("summary", {})
    return TraverseResult("planned", "", pd.read_csv(rd / TRACK), pd.read_csv(rd / LEGS),
                          plan_summary)


STAGE = Stage(name="traverse", needs=("terrain", "horizon", "illumination", "sites"),
              reads=("rover", "traverse", "window.start", "window.step"), version="1", run=run,
              load=load, doc="a rover route in space and time to the nearest PSR edges")
