"""Stage ``horizon``: the horizon elevation cube of the DEM and its summary maps.

``cache/horizons.zarr`` (int16, 0.01 deg, resumable chunk by chunk:
:func:`lupex.horizon.store.write_horizons_zarr`), ``maps/horizon_max_deg.tif`` and
``maps/sky_view_factor.tif``. The engine (``ctx.options.device``) is not part of the key: the
CPU and GPU engines compute the same horizons.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xarray as xr

from lupex.run.contract import RunContext, Stage
from lupex.scenario import Scenario

STORE = "cache/horizons.zarr"


@dataclass(frozen=True)
class HorizonResult:
    """The horizon cube (lazy, from the Zarr store)."""

    horizons: xr.DataArray
    """Horizon elevation [deg], ``(azimuth, y, x)``, azimuths clockwise from grid north."""
    store: Path


def far_field_of(sc: Scenario) -> Any:
    """The horizon engine's ``far_field`` argument for the scenario: None, "auto" or a DEM."""
    ff = sc.horizon.far_field
    if ff in ("none", ""):
        return None
    if ff == "auto":
        return "auto"
    from lupex.terrain import read_dem

    return read_dem(ff)


def run(ctx: RunContext) -> HorizonResult:
    from lupex.horizon.store import horizon_summary_maps, open_horizons, write_horizons_zarr
    from lupex.io.geotiff import write_geotiff
    from lupex.io.quicklook import write_quicklook

    h = ctx.scenario.horizon
    dem = ctx.need("terrain").dem
    store = ctx.run_dir / STORE
    write_horizons_zarr(dem, store, n_azimuths=h.n_azimuths,
                        observer_height_m=h.observer_height_m, far_field=far_field_of(ctx.scenario),
                        far_field_radius_km=h.far_field_radius_km,
                        progress=ctx.progress_callback(), device=ctx.options.device,
                        overwrite=store.exists() and not ctx.resume)
    hor = open_horizons(store)
    ctx.register(store, long_name="horizon elevation cube (azimuth, y, x)", units="deg")
    hmax, svf = horizon_summary_maps(hor)
    prov = ctx.provenance(horizon=ctx.scenario.part("horizon"))
    for da, cmap, label in ((hmax, "cividis", "maximum horizon elevation [deg]"),
                            (svf, "viridis", "sky-view factor [1]")):
        tif = write_geotiff(da, ctx.run_dir / "maps" / f"{da.name}.tif", provenance=prov)
        ctx.register(tif, da)
        ctx.register(write_quicklook(da, tif.with_suffix(".png"), cmap=cmap, shade=dem,
                                     colorbar_label=label))
    ctx.set_summary({"horizon": f"{h.n_azimuths} azimuths, far field "
                                f"{hor.attrs.get('far_field', h.far_field)}"})
    return load(ctx)


def load(ctx: RunContext) -> HorizonResult:
    from lupex.horizon.store import open_horizons

    store = ctx.run_dir / STORE
    return HorizonResult(open_horizons(store), store)


STAGE = Stage(name="horizon", needs=("terrain",), reads=("horizon",), version="3", run=run,
              load=load, doc="horizon elevation in every direction at every pixel")
