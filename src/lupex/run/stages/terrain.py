"""Stage ``terrain``: the DEM of the run (a GeoTIFF, the synthetic terrain or a LOLA crop).

Writes ``maps/dem.tif`` (Cloud-Optimized GeoTIFF, elevation above the 1737.4 km sphere [m]) and
its hillshaded quicklook. A DEM file is part of the cache key by its size and modification
time, so replacing the file reruns everything downstream.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xarray as xr

from lupex.run.contract import RunContext, Stage
from lupex.scenario import Scenario

DEM = "maps/dem.tif"


@dataclass(frozen=True)
class TerrainResult:
    """The run's DEM."""

    dem: xr.DataArray
    """Elevation [m] above the 1737.4 km sphere, ``(y, x)`` in a projected lunar CRS."""


def source_text(sc: Scenario) -> str:
    """Where the terrain comes from, in words."""
    t = sc.terrain
    if t.source == "file":
        return f"DEM file {t.dem}"
    if t.source == "lola":
        return f"LOLA regional crop poleward of {t.lola.lat_max_deg:g} deg at {t.lola.pixel_m:g} m"
    s = t.synthetic
    return (f"synthetic south-pole terrain {s.size_km:g} km at {s.pixel_m:g} m "
            f"(seed {s.seed})")


def read_terrain(sc: Scenario) -> xr.DataArray:
    """The DEM the scenario's ``[terrain]`` table names (read, synthesised or sampled)."""
    from lupex.terrain import read_dem, regional_dem, synthetic_south_pole

    t = sc.terrain
    if t.source == "file":
        return read_dem(t.dem, units=t.units, crs=t.crs or None)
    if t.source == "lola":
        return regional_dem(lat_max_deg=t.lola.lat_max_deg, pixel_m=t.lola.pixel_m)
    s = t.synthetic
    return synthetic_south_pole(size_km=s.size_km, pixel_m=s.pixel_m, seed=s.seed)


def run(ctx: RunContext) -> TerrainResult:
    from lupex.io.geotiff import write_geotiff
    from lupex.io.quicklook import write_quicklook

    dem = read_terrain(ctx.scenario)
    tif = write_geotiff(dem, ctx.run_dir / DEM, provenance=ctx.provenance(
        terrain=ctx.scenario.part("terrain")))
    ctx.register(tif, dem, long_name="elevation above the 1737.4 km sphere", units="m")
    png = write_quicklook(dem, tif.with_suffix(".png"), title="Terrain (elevation above "
                          "1737.4 km)", cmap="terrain", shade=dem, colorbar_label="elevation [m]")
    ctx.register(png, long_name="terrain, hillshaded elevation")
    px = abs(float(dem.x[1] - dem.x[0]))
    ctx.set_summary({"dem": source_text(ctx.scenario),
                     "dem_shape": [int(dem.shape[0]), int(dem.shape[1])],
                     "pixel_m": round(px, 3)})
    return load(ctx)


def load(ctx: RunContext) -> TerrainResult:
    from lupex.terrain import read_dem

    return TerrainResult(read_dem(ctx.run_dir / DEM))


def _fingerprint(sc: Scenario) -> Any:
    if sc.terrain.source != "file":
        return None
    p = Path(sc.terrain.dem)
    st = p.stat() if p.exists() else None
    return [str(p), st.st_size, st.st_mtime_ns] if st else [str(p), None]


STAGE = Stage(name="terrain", needs=(), reads=("terrain",), version="1", run=run, load=load,
              doc="the DEM: a GeoTIFF, the synthetic terrain or a LOLA crop",
              fingerprint=_fingerprint)
