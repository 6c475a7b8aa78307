"""Stage ``volatiles``: cold traps per species and the water-ice stability depth.

:func:`lupex.volatiles.volatile_maps` on the thermal stage's temperatures (published vapour-
pressure laws, stability at ``loss_mm_per_gyr``), on the thermal grid. Laws used outside their
fitted range are noted in ``run.json`` (``volatile_law_notes``), not on screen.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import xarray as xr

from lupex.run.contract import RunContext, Stage


@dataclass(frozen=True)
class VolatilesResult:
    """Cold-trap and ice-stability maps on the thermal grid (NaN where no data)."""

    maps: xr.Dataset
    """``cold_trap_<species>`` (1 trap, 0 not), ``ice_stability_depth_m`` [m, NaN: none],
    ``ice_stability_class`` (0 at the surface, 1 at depth, 2 unstable)."""


def _names(ctx: RunContext) -> list[str]:
    return ([f"cold_trap_{s}" for s in ctx.scenario.volatiles.species]
            + ["ice_stability_depth_m", "ice_stability_class"])


def run(ctx: RunContext) -> VolatilesResult:
    from lupex.terrain import block_mean
    from lupex.volatiles import volatile_maps
    from lupex.volatiles.maps import write_volatile_outputs
    from lupex.volatiles.vapor_pressure import ExtrapolationWarning

    v = ctx.scenario.volatiles
    th = ctx.need("thermal")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ExtrapolationWarning)
        ds = volatile_maps(th.temperatures, species=v.species, loss_mm_per_gyr=v.loss_mm_per_gyr)
    notes = sorted({str(w.message) for w in caught if issubclass(w.category, ExtrapolationWarning)})
    shade = block_mean(ctx.need("terrain").dem, th.block)
    rec = ctx.folder.stage_record("thermal") or {}
    rng = rec.get("summary", {}).get("thermal_window")
    for path in write_volatile_outputs(ds, ctx.run_dir, provenance=ctx.provenance(
            volatiles=ctx.scenario.part("volatiles")), shade=shade):
        ctx.register(path, ds[path.stem] if path.suffix == ".tif" else None, time_range=rng)
    px_km2 = abs(float(ds["x"][1] - ds["x"][0]) * float(ds["y"][1] - ds["y"][0])) / 1e6
    areas = {k.removeprefix("cold_trap_"): round(float((d.values == 1).sum()) * px_km2, 2)
             for k, d in ds.data_vars.items() if k.startswith("cold_trap_")}
    ctx.set_summary({"cold_trap_km2": areas, **({"volatile_law_notes": notes} if notes else {})})
    return load(ctx)


def load(ctx: RunContext) -> VolatilesResult:
    from lupex.io.maps import read_map

    return VolatilesResult(xr.Dataset({n: read_map(ctx.run_dir / "maps" / f"{n}.tif",
                                                   masked=True) for n in _names(ctx)}))


STAGE = Stage(name="volatiles", needs=("terrain", "thermal"), reads=("volatiles",), version="1",
              run=run, load=load, doc="cold traps per species and the ice stability depth")
