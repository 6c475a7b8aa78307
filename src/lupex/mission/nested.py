"""The mission's nested grid: a finer DEM around the landing site with its own horizons.

The rover works at the scale of metres; the regional chain at tens. With ``[mission]
nested_pixel_m`` (or ``nested_dem``) the mission runs on a square around the landing site at
the finer pixel (:func:`lupex.terrain.nested.refine_dem` or
:func:`lupex.terrain.nested.nested_from_file`). Its horizons are computed by the same engine
(:mod:`lupex.horizon`) on the nested DEM, with the terrain beyond it taken from coarser levels,
finest first: the regional DEM, then the regional run's own far field (the LOLA ring or the
scenario's far-field DEM, shifted as the regional run shifted it). So a nested pixel sees its
neighbour craters at the nested resolution, the rest of the region at the regional one and
the distant massifs as the regional run saw them (Mazarico et al. 2011 use the same nesting
of a local DEM inside a coarser polar one for their illumination maps).

Where the nested horizons differ from the regional ones, it is the nested terrain: with the
sub-pixel detail off, a nested pixel at a regional pixel centre sees the horizon of the
regional pixel (tested in tests/mission/test_nested.py, together with a fine ray march on the
nested DEM through all levels).

References
----------
.. [1] Mazarico, E. et al. (2011). Illumination conditions of the lunar polar regions using
   LOLA topography. Icarus 211, 1066-1081.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr


@dataclass(frozen=True)
class NestedSpec:
    """What the nested grid is (from ``[mission]`` and ``[horizon]``)."""

    pixel_m: float | None
    half_width_m: float
    dem_path: str | None = None
    detail: bool = True
    seed: int = 0
    n_azimuths: int = 360
    observer_height_m: float = 0.0
    far_field: Any = None
    """The regional run's far field: None, "auto" or a DataArray."""
    far_field_radius_km: float = 300.0


def default_half_width_m(area_m: float, landing_accuracy_m: float) -> float:
    """Half side of the nested square when ``nested_half_width_m`` is left out [m]: the
    exploration area's half side plus the landing dispersion, a quarter more."""
    return 1.25 * (0.5 * area_m + landing_accuracy_m)


def check_spec(regional: xr.DataArray, spec: NestedSpec) -> None:
    """Refuse a nested grid that cannot be built, before any work: a pixel that does not tile
    the regional one, or a site DEM that is not there."""
    from pathlib import Path

    from lupex.errors import InputFileError
    from lupex.terrain.nested import _ratio

    if spec.dem_path:
        if not Path(spec.dem_path).is_file():
            raise InputFileError(f"{spec.dem_path}: no such site DEM (mission.nested_dem); "
                                 "give the path of a GeoTIFF in the regional DEM's CRS.")
        return
    x = np.asarray(regional["x"].values, float)
    _ratio(abs(float(x[1] - x[0])), float(spec.pixel_m))


def nested_dem(regional: xr.DataArray, centre_xy: tuple[float, float],
               spec: NestedSpec) -> xr.DataArray:
    """The nested DEM: a site DEM cropped, or the regional one refined."""
    from lupex.terrain.nested import nested_from_file, refine_dem

    if spec.dem_path:
        return nested_from_file(spec.dem_path, regional, centre_xy, spec.half_width_m)
    return refine_dem(regional, centre_xy, spec.half_width_m, float(spec.pixel_m),
                      detail=spec.detail, seed=spec.seed)


def far_levels(regional: xr.DataArray, spec: NestedSpec) -> tuple[list[xr.DataArray], float]:
    """The terrain beyond the nested DEM, finest first, and the reach [km] it needs.

    The regional DEM, then the regional run's far field with the vertical shift the regional
    run gave it (matched along the regional DEM's edge, :func:`lupex.horizon.prepare_horizon`).
    """
    from lupex.horizon import prepare_horizon
    from lupex.terrain.regional import far_field_dem

    x = np.asarray(regional["x"].values, float)
    y = np.asarray(regional["y"].values, float)
    span_km = math.hypot(x[-1] - x[0], y[-1] - y[0]) / 1000.0
    levels = [regional]
    ff = spec.far_field
    if ff is None:
        return levels, span_km
    if isinstance(ff, str):
        try:
            ring = far_field_dem(regional, radius_km=spec.far_field_radius_km)
        except Exception:  # as the regional run: no LOLA, no far field
            return levels, span_km
    else:
        ring = ff
    prep = prepare_horizon(regional, far_field=ring, far_field_radius_km=spec.far_field_radius_km)
    shift = prep.levels[0].offset_m if prep.levels else 0.0
    if shift:
        ring = (ring - np.float32(shift)).assign_attrs(ring.attrs)
    return [*levels, ring], span_km + spec.far_field_radius_km


def nested_prepared(dem: xr.DataArray, regional: xr.DataArray,
                    spec: NestedSpec) -> tuple[Any, float]:
    """The nested DEM and its levels unwrapped for the horizon engine
    (:func:`lupex.horizon.prepare_horizon`), and the far-field reach [km]; a site DEM may sit a
    few metres off the regional product, so the levels are shifted to meet it along the nested
    DEM's edge."""
    from lupex.horizon import prepare_horizon
    from lupex.horizon.core import _edge_offset

    levels, reach_km = far_levels(regional, spec)
    prep = prepare_horizon(dem, far_field=levels, far_field_radius_km=reach_km,
                           align_far_field=False)
    if spec.dem_path:
        # (regional - site) along the site DEM's edge; the regional DEM is the finest level
        off = (_edge_offset(prep.z, prep.x, prep.y, prep.levels[0]) or 0.0) if prep.levels \
            else 0.0
        for lv in prep.levels:
            lv.z = (lv.z - np.float32(off)).astype(np.float32)
            lv.offset_m += off
        prep.notes.append(f"levels shifted by {-off:+.1f} m to meet the site DEM")
    return prep, reach_km


def nested_horizons(dem: xr.DataArray, regional: xr.DataArray, spec: NestedSpec, *,
                    progress: Callable[[int, int], None] | None = None) -> xr.DataArray:
    """Horizon elevation [deg] ``(azimuth, y, x)`` of the nested DEM through all levels."""
    from lupex.horizon import HorizonSettings, azimuths_deg, iter_horizon_tiles
    from lupex.horizon.core import horizon_attrs

    prep, reach_km = nested_prepared(dem, regional, spec)
    n = int(spec.n_azimuths)
    ny, nx = prep.z.shape
    cube = np.empty((n, ny, nx), np.float32)
    settings = HorizonSettings()
    for idx, rows, cols, block in iter_horizon_tiles(
            prep, n_azimuths=n, observer_height_m=spec.observer_height_m, tile_size=2048,
            azimuth_block=max(1, min(n, 32)), settings=settings, progress=progress):
        cube[idx, rows, cols] = block
    out = xr.DataArray(cube, dims=("azimuth", "y", "x"),
                       coords={"azimuth": azimuths_deg(n), "y": prep.y, "x": prep.x},
                       name="horizon_elevation_deg")
    out.attrs.update(horizon_attrs(prep, n_azimuths=n, observer_height_m=spec.observer_height_m,
                                   far_field_radius_km=reach_km, settings=settings))
    out.attrs["nested"] = "nested DEM; far field: regional DEM, then the regional far field"
    if prep.crs is not None:
        out = out.rio.write_crs(prep.crs)
    return out

