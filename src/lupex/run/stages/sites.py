"""Stage ``sites``: landing hazards and ranked landing sites.

:func:`lupex.sites.score_sites` on the illumination maps of the mission window and the water-ice
stability depth, judged by the worst value inside the landing ellipse; ``tables/sites.csv``,
``plans/sites.geojson``, ``maps/site_score.tif`` and its picture.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import xarray as xr

from lupex.run.contract import RunContext, Stage

TABLE = "tables/sites.csv"
SCORE = "maps/site_score.tif"


@dataclass(frozen=True)
class SitesResult:
    """Ranked landing-site candidates (best first) and the score map."""

    candidates: pd.DataFrame
    score: xr.DataArray
    notes: tuple[str, ...]


def run(ctx: RunContext) -> SitesResult:
    from lupex.sites import load_site_maps, score_sites, write_site_outputs

    sc = ctx.scenario
    dem = ctx.need("terrain").dem
    ctx.need("illumination")
    ctx.need("volatiles")  # the ice map the ice-distance criterion reads
    lander = sc.lander
    if sc.launch.apply_to_sites:  # the landing ellipse of the navigation model (issue 11)
        lander = lander.model_copy(update={"ellipse_radius_m":
                                           sc.launch.navigation.site_radius_m()})
    res = score_sites(dem, load_site_maps(ctx.run_dir), lander=lander, criteria=sc.sites,
                      rover_max_darkness_h=sc.rover.max_darkness_h)
    paths = write_site_outputs(res, ctx.run_dir, dem=dem, provenance=ctx.provenance(
        lander=sc.part("lander"), sites=sc.part("sites")))
    units = {"lat_deg": "deg", "lon_deg": "deg", "x_m": "m", "y_m": "m", "score": "1"}
    ctx.register(paths["csv"], long_name="ranked landing-site candidates", units=units)
    ctx.register(paths["geojson"], long_name="landing-site candidates")
    ctx.register(paths["tif"], res.score, long_name="landing-site score", units="1")
    ctx.register(paths["png"], long_name="landing-site score and candidates")
    summary: dict = {"site_notes": list(res.notes), "site_candidates": len(res.candidates)}
    if len(res.candidates):
        r0 = res.candidates.iloc[0]
        summary.update(best_site_lat_deg=round(float(r0["lat_deg"]), 5),
                       best_site_lon_deg=round(float(r0["lon_deg"]), 5),
                       best_site_score=round(float(r0["score"]), 4))
    ctx.set_summary(summary)
    return load(ctx)


def load(ctx: RunContext) -> SitesResult:
    from lupex.io.maps import read_map

    p = ctx.run_dir / TABLE
    try:
        cands = pd.read_csv(p)
    except pd.errors.EmptyDataError:
        cands = pd.DataFrame()
    notes = (ctx.folder.stage_record("sites") or {}).get("summary", {}).get("site_notes", [])
    return SitesResult(cands, read_map(ctx.run_dir / SCORE, masked=True), tuple(notes))


STAGE = Stage(name="sites", needs=("terrain", "illumination", "volatiles"),
              reads=("lander", "sites", "rover.max_darkness_h", "launch.apply_to_sites",
                     "launch.navigation"), version="1", run=run, load=load,
              doc="landing hazards and ranked landing sites")
