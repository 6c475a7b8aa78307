"""Stage ``thermal``: regolith temperatures under direct, scattered and re-emitted light.

Hayne et al. (2017) columns (:func:`lupex.thermal.thermal_maps`) over one year from the window
start (``[thermal] window = "year"``, the annual maximum that cold traps are defined on) or the
mission window, after ``spinup_days`` of spin-up, with terrain scattering and infrared
(``radiosity``). On a grid of ``decimate`` x ``decimate`` blocks the model sees a block-mean DEM
with its own horizons (subsampled fine horizons would leave isolated pits whose coarse view
factors see no walls). Resumable from ``cache/thermal_state.npz``; writes the max / mean / min
surface maps, maxima at ``depths_m`` and ``cache/thermal.zarr`` (for the volatiles).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

from lupex.run.contract import RunContext, Stage

AUTO_COLUMNS = 16384
"""Most regolith columns modelled when ``[thermal] decimate = 0`` (automatic)."""
CHECKPOINT = "cache/thermal_state.npz"


@dataclass(frozen=True)
class ThermalResult:
    """Temperatures on the thermal grid."""

    temperatures: xr.Dataset
    """``t_surface_max_k``, ``t_surface_mean_k``, ... on the thermal grid (:attr:`block`)."""
    block: int
    """Pixels per side of a thermal-grid cell (1: the DEM's own grid)."""


def thermal_block(shape: tuple[int, int], decimate: int) -> int:
    """Block size n of the thermal grid: ``decimate``, or (0) the smallest n with at most
    :data:`AUTO_COLUMNS` blocks of n x n pixels."""
    if decimate > 0:
        return int(decimate)
    n = 1
    while (shape[0] // n) * (shape[1] // n) > AUTO_COLUMNS:
        n += 1
    return n


def thermal_window(ctx: RunContext) -> tuple[np.datetime64, np.datetime64]:
    """Start and stop [UTC] of the thermal model (a year from the window start, or the window)."""
    from lupex.times import SECONDS_PER_DAY, from_seconds, to_utc

    w, th = ctx.scenario.window, ctx.scenario.thermal
    start = to_utc(w.start)
    stop = (start + from_seconds(365.25 * SECONDS_PER_DAY) if th.window == "year"
            else to_utc(w.stop))
    return start, stop


def run(ctx: RunContext) -> ThermalResult:
    from lupex.horizon import horizon_map
    from lupex.run.stages.horizon import far_field_of
    from lupex.terrain import block_mean
    from lupex.thermal.maps import discard_checkpoint, thermal_maps, write_thermal_outputs
    from lupex.thermal.viewfactors import view_factors_for
    from lupex.times import time_range

    sc = ctx.scenario
    th, h = sc.thermal, sc.horizon
    dem = ctx.need("terrain").dem
    hor = ctx.need("horizon").horizons
    d = thermal_block(dem.shape, th.decimate)
    if d == 1:
        dem_t, hor_t = dem, hor
    else:
        dem_t = block_mean(dem, d)
        hor_t = horizon_map(dem_t, n_azimuths=h.n_azimuths,
                            observer_height_m=h.observer_height_m, far_field=far_field_of(sc),
                            far_field_radius_km=h.far_field_radius_km)
    start, stop = thermal_window(ctx)
    ckpt = ctx.run_dir / CHECKPOINT
    from lupex.terrain.geometry import nearest_pixel

    pts = [(float(a), float(b)) for a, b in th.points]
    pix = [nearest_pixel(dem_t, a, b, what=f"[thermal] points {[a, b]}") for a, b in pts]
    extra = ctx.options.extra
    ds = thermal_maps(dem_t, hor_t, str(start), str(stop), th.step,
                      depths_m=[0.0, *th.depths_m], view_factors=view_factors_for(dem_t,
                                                                                th.radiosity),
                      spinup_days=th.spinup_days, progress=ctx.progress_callback(),
                      checkpoint=ckpt, resume=ctx.resume, series_pixels=pix,
                      checkpoint_every_s=float(extra.get("thermal_checkpoint_every_s", 300.0)),
                      cache_bytes=int(extra.get("thermal_cache_bytes", 2**30)))
    prov = ctx.provenance(thermal=sc.part("thermal"), block=d)
    rng = time_range(start, stop)
    for path in write_thermal_outputs(ds, ctx.run_dir, provenance=prov):
        ctx.register(path, ds[path.stem] if path.suffix == ".tif" else None, time_range=rng)
    if pix:
        from lupex.thermal.maps import write_thermal_points

        ctx.register(write_thermal_points(ds, ctx.run_dir, pts),
                     long_name="temperature series at the [thermal] points", time_range=rng)
    discard_checkpoint(ckpt)
    psr = ctx.need("illumination").maps["psr"]
    in_psr = block_mean((psr == 1).astype(float), d).values > 0.5  # most pixels of the block
    tmax = ds["t_surface_max_k"].values
    vals = tmax[in_psr & np.isfinite(tmax)]
    ctx.set_summary({"thermal_grid": [int(dem_t.shape[0]), int(dem_t.shape[1])],
                     "thermal_block": d, "thermal_window": rng,
                     "psr_median_max_temperature_k": (round(float(np.median(vals)), 1)
                                                      if vals.size else None)})
    return load(ctx)


def load(ctx: RunContext) -> ThermalResult:
    from lupex.thermal.maps import open_thermal

    rec = ctx.folder.stage_record("thermal") or {}
    block = int(rec.get("summary", {}).get("thermal_block") or
                thermal_block(ctx.need("terrain").dem.shape, ctx.scenario.thermal.decimate))
    return ThermalResult(open_thermal(ctx.run_dir), block)


STAGE = Stage(name="thermal", needs=("terrain", "horizon", "illumination"),
              reads=("thermal", "horizon", "window.start", "window.stop"), version="1", run=run,
              load=load,
              doc="regolith temperatures with terrain scattering and infrared")
