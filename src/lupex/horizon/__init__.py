"""lupex.horizon: horizon elevation maps ``(azimuth, y, x)`` with exact lunar curvature and far field.

Public API
----------
- :func:`horizon_map` -- the whole cube as an ``xarray.DataArray`` (azimuth, y, x) float32 [deg].
- :func:`compute_horizon_tile` / :func:`iter_horizon_tiles` -- a block of azimuths over a spatial
  tile, or the cube streamed tile by tile (never held whole).
- :func:`write_horizons_zarr` / :func:`open_horizons` -- resumable int16 (0.01 deg) Zarr store.
- :func:`ray_march_horizon` -- the brute-force reference (fine steps, bilinear, exact 3-D geometry).
- :func:`azimuths_deg`, :func:`prepare_horizon`, :class:`HorizonSettings`.

Azimuths are clockwise from GRID north (+y of the projected CRS), bin centres ``k * 360 / N``.
"""

from lupex.horizon.core import (
    HorizonSettings,
    azimuths_deg,
    compute_horizon_tile,
    horizon_map,
    iter_horizon_tiles,
    prepare_horizon,
)
from lupex.horizon.reference import ray_march_horizon
from lupex.horizon.store import horizon_summary_maps, open_horizons, write_horizons_zarr

__all__ = [
    "HorizonSettings",
    "azimuths_deg",
    "compute_horizon_tile",
    "horizon_map",
    "horizon_summary_maps",
    "iter_horizon_tiles",
    "open_horizons",
    "prepare_horizon",
    "ray_march_horizon",
    "write_horizons_zarr",
]
