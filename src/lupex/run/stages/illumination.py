"""Stage ``illumination``: Sun and Earth visibility, permanent shadow, longest darkness.

:func:`lupex.illumination.illumination_maps` over the mission window with the stored horizons
(per-tile resumable in ``cache/illumination``); six maps (``sun_fraction_mean``,
``sun_any_fraction``, ``psr``, ``longest_darkness_h``, ``earth_visible_fraction``,
``sun_and_earth_fraction``) and, for ``[illumination] points``, ``tables/points.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass

import xarray as xr

from lupex.run.contract import RunContext, Stage

MAPS = ("sun_fraction_mean", "sun_any_fraction", "psr", "longest_darkness_h",
        "earth_visible_fraction", "sun_and_earth_fraction")
POINTS = "tables/points.csv"


@dataclass(frozen=True)
class IlluminationResult:
    """The illumination maps of the mission window."""

    maps: xr.Dataset
    """The :data:`MAPS` variables, ``(y, x)``, units in their attrs."""


def run(ctx: RunContext) -> IlluminationResult:
    from lupex.illumination import illumination_maps
    from lupex.illumination.output import illumination_summary, write_illumination_outputs
    from lupex.times import time_range

    sc = ctx.scenario
    w, il = sc.window, sc.illumination
    dem = ctx.need("terrain").dem
    hor = ctx.need("horizon").horizons
    ds = illumination_maps(dem, hor, w.start, w.stop, w.step, psr_span=il.psr_span,
                           psr_step=il.psr_step or None, oversample=il.oversample,
                           tile_px=il.tile_px, scheduler=ctx.options.scheduler, cache_dir=ctx.run_dir / "cache" / "illumination",
                           progress=ctx.progress_callback())
    prov = ctx.provenance(window=sc.part("window"), illumination=sc.part("illumination"))
    outputs = write_illumination_outputs(ds, dem, ctx.run_dir, provenance=prov,
                                         subtitle=f"{w.start} .. {w.stop}")
    rng = time_range(w.start, w.stop)
    for rel in outputs:
        stem = rel.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        ctx.register(rel, ds[stem] if rel.endswith(".tif") else None, time_range=rng)
    if il.points:
        _points(ctx, dem, hor, rng)
    summ = illumination_summary(ds, dem)
    ctx.set_summary({"psr_area_km2": round(summ["psr_area_km2"], 3),
                     "best_mean_sun_fraction": round(summ["sun_fraction_mean_max"], 4)})
    return load(ctx)


def _points(ctx: RunContext, dem, hor, rng) -> None:
    import pandas as pd

    from lupex.ephemeris import time_grid
    from lupex.illumination import point_timeseries
    from lupex.io.atomic import write_text_atomic

    w = ctx.scenario.window
    times = time_grid(w.start, w.stop, w.step)
    pts = [(float(a), float(b)) for a, b in ctx.scenario.illumination.points]
    df = pd.concat([point_timeseries(dem, hor, [p], times,
                                     observer_height_m=ctx.scenario.horizon.observer_height_m)
                    for p in pts], ignore_index=True)
    path = write_text_atomic(ctx.run_dir / POINTS, df.to_csv(index=False, float_format="%.6f"))
    ctx.register(path, long_name="Sun and Earth at the requested points (terrain horizon)",
                 time_range=rng)


def load(ctx: RunContext) -> IlluminationResult:
    from lupex.io.maps import read_map

    return IlluminationResult(xr.Dataset({n: read_map(ctx.run_dir / "maps" / f"{n}.tif")
                                          for n in MAPS}))


STAGE = Stage(name="illumination", needs=("terrain", "horizon"),
              reads=("window", "illumination", "horizon.observer_height_m"), version="1",
              run=run, load=load, doc="Sun and Earth visibility, PSR and longest darkness")
