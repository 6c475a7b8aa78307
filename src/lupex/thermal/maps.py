"""Temperature maps of a DEM: every pixel a regolith column under its own Sun.

Per epoch, :func:`lupex.illumination.visibility_frames` gives each pixel the visible fraction of
the solar disc above its horizon and the Sun's local azimuth / elevation; with the pixel's
slope and aspect (:func:`lupex.terrain.slope.slope_aspect`) that is the direct flux on the
facet, absorbed with the incidence-dependent albedo. With a view-factor matrix (task G's
:mod:`lupex.thermal.viewfactors`) the light scattered by the terrain is added, and the terrain's
infrared is computed every step from the current surface temperatures
(:func:`lupex.thermal.radiosity.infrared_flux`). The columns are spun up over a span before the
window (default: one year, treated as periodic), then run through the window while max, min and
mean temperatures are reduced in place (never a (time, y, x) cube).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import xarray as xr

from lupex.errors import ParameterError, check_range
from lupex.thermal.conduction import equilibrate, initial_state, integrate
from lupex.thermal.grid import YEAR_S, layer_grid
from lupex.thermal.insolation import absorbed_direct_flux, cos_incidence, solar_flux_on_facet
from lupex.thermal.params import RegolithParams


def _depth_name(d: float, stat: str) -> str:
    return f"t_surface_{stat}_k" if d == 0 else f"t_{d:g}m_{stat}_k"


class _FrameForcing:
    """``f(step) -> absorbed direct (+ scattered) flux (npix,)`` over fixed epochs.

    Streams visibility frames in order (restarting the generator when a pass starts again) and
    keeps them in a float32 cache when ``n x npix x 4 <= cache_bytes`` so that spin-up passes
    after the first cost nothing.
    """

    def __init__(self, dem, horizons, times, slope, aspect, valid, params, F, cache_bytes):
        self.dem, self.horizons, self.times = dem, horizons, times
        self.slope, self.aspect, self.valid = slope, aspect, valid
        self.params, self.F = params, F
        n, npix = len(times), slope.size
        self.cache = np.empty((n, npix), np.float32) if n * npix * 4 <= cache_bytes else None
        self.filled = np.zeros(n, bool)
        self.gen = None
        self.next = 0
        self.progress = None  # optional f(done, total), called per newly computed epoch

    def _frames(self, k0):
        from lupex.illumination import visibility_frames

        return visibility_frames(self.dem, self.horizons, self.times[k0:], bodies=("sun",))

    def mean_flux(self) -> np.ndarray:
        """Mean absorbed flux per pixel over all epochs (one ordered pass; fills the cache)."""
        total = np.zeros(self.slope.size)
        for k in range(len(self.times)):
            total += self(k)
        return total / len(self.times)

    def __call__(self, k: int) -> np.ndarray:
        if self.cache is not None and self.filled[k]:
            return self.cache[k].astype(float)
        if self.gen is None or k != self.next:
            self.gen = self._frames(k)
        fr = next(self.gen)
        self.next = k + 1
        if self.progress is not None:
            self.progress(k + 1, len(self.times))
        az = fr.sun_azimuth_deg.reshape(-1)
        el = fr.sun_elevation_deg.reshape(-1)
        direct = solar_flux_on_facet(az, el, slope_deg=self.slope, aspect_deg=self.aspect,
                                     sun_distance_m=fr.sun_distance_m,
                                     visible_fraction=fr.sun_fraction.reshape(-1),
                                     solar_constant_w_m2=self.params.solar_constant_w_m2)
        direct = np.where(self.valid, np.nan_to_num(direct), 0.0)
        ci = cos_incidence(az, el, slope_deg=self.slope, aspect_deg=self.aspect)
        absorbed = absorbed_direct_flux(direct, np.nan_to_num(ci), self.params)
        if self.F is not None:
            from lupex.thermal.radiosity import scattered_flux

            absorbed = absorbed + (1.0 - self.params.albedo0) * scattered_flux(
                self.F, direct, self.params.albedo0)
        if self.cache is not None:
            self.cache[k] = absorbed
            self.filled[k] = True
        return absorbed


def _with_infrared(forcing: _FrameForcing, F, params: RegolithParams, valid,
                   ir_reflection: bool) -> Callable:
    from lupex.thermal.radiosity import infrared_flux

    def f(k, t_surface_k):
        ts = np.where(valid, t_surface_k, 0.0)
        return forcing(k) + params.emissivity * infrared_flux(F, ts, params.emissivity,
                                                              ir_reflection=ir_reflection)

    return f


def thermal_maps(dem: xr.DataArray, horizons, start, stop, step: str = "1h", *,
                 depths_m: Sequence[float] = (0.0, 0.1, 0.5), params: RegolithParams | None = None,
                 view_factors=None, ir_reflection: bool = True, spinup_days: float = 365.25,
                 tol_k: float = 0.05,
                 max_cycles: int = 10, node_max: bool = True, cache_bytes: int = 2**30,
                 series_pixels: Sequence[tuple[int, int]] = (),
                 progress=None) -> xr.Dataset:
    """Max, min and mean temperature maps at chosen depths over a UTC window.

    Parameters
    ----------
    dem : DataArray (y, x)
        Elevations [m] (map contract; NaN pixels stay NaN).
    horizons : DataArray or ndarray (azimuth, y, x)
        Horizon elevations of the same grid [deg] (:func:`lupex.horizon.horizon_map`).
    start, stop : str or datetime64
        UTC window; ``step`` the model and sampling step (``"1h"``; the implicit scheme is
        stable at any step; ~1 K accurate at 1 h).
    depths_m : sequence of float
        Output depths [m] (0 = surface).
    params : RegolithParams, optional
        Regolith properties (Hayne et al. 2017 standard model by default).
    view_factors : scipy.sparse matrix (npix, npix), optional
        Terrain view factors over all DEM pixels in row-major order (e.g. built by
        :mod:`lupex.thermal.viewfactors` from the same DEM): adds scattered sunlight and
        terrain infrared. ``None``: direct sunlight only.
    ir_reflection : bool
        Include the infrared reflected by the terrain (1 - eps of what arrives, to all orders;
        :func:`lupex.thermal.radiosity.infrared_flux`). False: single exchange, one sparse
        product per step instead of a few (about 5 % less terrain infrared).
    spinup_days : float
        Span before ``start`` used as the periodic spin-up forcing [d]; 0 spins up on the
        window itself.
    tol_k, max_cycles : float, int
        Spin-up tolerance [K] and most periods.
    node_max : bool
        Also return ``t_max_nodes_k`` (node_depth_m, y, x): the annual maximum at every model
        node, the input of :func:`lupex.volatiles.ice_stability_depth`.
    cache_bytes : int
        Keep the per-epoch forcing in memory up to this size (spin-up passes reuse it).
    series_pixels : sequence of (row, col)
        Pixels whose surface-temperature time series to return (``t_surface_series_k``).
    progress : callable, optional
        ``progress(done, total)`` as the per-epoch absorbed-flux frames are computed (spin-up
        span, then the window; later spin-up cycles reuse the cached frames).

    Returns
    -------
    xarray.Dataset
        Maps ``t_surface_max_k``, ``t_surface_mean_k``, ``t_surface_min_k`` and
        ``t_<d>m_{max,mean,min}_k`` (map contract: CRS, units, long_name, parameters); attrs
        hold the spin-up diagnostics.
    """
    from lupex.ephemeris import time_grid
    from lupex.ephemeris.timescales import parse_step
    from lupex.io.maps import make_map
    from lupex.terrain.slope import slope_aspect

    params = params or RegolithParams()
    check_range("spinup_days", spinup_days, 0, 3653, unit="d")
    times = time_grid(start, stop, step)
    if times.size < 2:
        raise ParameterError(f"thermal_maps: the window {start} .. {stop} holds fewer than 2 steps of {step}.")
    dstep = parse_step(step)
    dt_s = dstep.astype("timedelta64[ns]").astype(np.int64) / 1e9
    shape = dem.shape
    npix = int(np.prod(shape))
    valid = np.isfinite(np.asarray(dem.values, float)).reshape(-1)
    slope, aspect = slope_aspect(dem)
    slope = np.nan_to_num(np.asarray(slope.values, float).reshape(-1))
    aspect = np.nan_to_num(np.asarray(aspect.values, float).reshape(-1))
    F = view_factors
    if F is not None and F.shape != (npix, npix):
        raise ParameterError(f"view_factors has shape {F.shape}; expected ({npix}, {npix}) for a "
                             f"{shape[0]} x {shape[1]} DEM (all pixels, row-major).")
    depths = sorted({0.0, *[float(d) for d in depths_m]})
    grid = layer_grid(params, bottom_period_s=YEAR_S, min_bottom_m=max(depths) * 1.05)

    n_spin = round(spinup_days * 86400 / dt_s)
    spin_times = times if n_spin == 0 else times[0] - dstep * np.arange(n_spin, 0, -1)
    spin_forcing = _FrameForcing(dem, horizons, spin_times, slope, aspect, valid, params, F,
                                 cache_bytes)
    run_forcing = spin_forcing if n_spin == 0 else _FrameForcing(
        dem, horizons, times, slope, aspect, valid, params, F, cache_bytes)
    spin_forcing.progress = progress
    run_forcing.progress = progress
    feedback = F is not None
    state = initial_state(spin_forcing.mean_flux(), grid=grid, params=params)  # first guess
    f_spin = _with_infrared(spin_forcing, F, params, valid, ir_reflection) if feedback else spin_forcing
    state, info = equilibrate(f_spin, dt_s=dt_s, n_steps=len(spin_times), params=params,
                              grid=grid, state=state, tol_k=tol_k, max_cycles=max_cycles,
                              surface_feedback=feedback)
    f_run = _with_infrared(run_forcing, F, params, valid, ir_reflection) if feedback else run_forcing
    out_depths = sorted(set(depths) | (set(grid.z_m.tolist()) if node_max else set()))
    series_cols = [int(r) * shape[1] + int(c) for r, c in series_pixels]
    stats = integrate(f_run, state, dt_s=dt_s, n_steps=len(times), depths_m=out_depths,
                      series_columns=series_cols, surface_feedback=feedback)

    attrs = dict(start=str(times[0]), stop=str(times[-1]), step=str(step), n_epochs=int(times.size),
                 spinup_days=spinup_days, spinup_cycles=info.cycles, spinup_converged=int(info.converged),
                 spinup_last_correction_k=info.max_correction_k,
                 spinup_bottom_drift_k_per_year=info.bottom_drift_k_per_year,
                 radiosity=int(F is not None), ir_reflection=int(ir_reflection),
                 grid_bottom_m=grid.bottom_m,
                 model="Hayne et al. (2017) 1-D conduction per pixel (lupex.thermal)",
                 params=params.as_dict())
    mask = ~valid.reshape(shape)
    maps = {}
    od = np.asarray(out_depths)
    for d in depths:
        j = int(np.argmin(np.abs(od - d)))
        for stat, arr, what in (("max", stats.t_max_k, "maximum"), ("mean", stats.t_mean_k, "mean"),
                                ("min", stats.t_min_k, "minimum")):
            v = np.where(mask, np.nan, arr[:, j].reshape(shape)).astype(np.float32)
            where = "surface" if d == 0 else f"{d:g} m depth"
            maps[_depth_name(d, stat)] = make_map(v, like=dem, name=_depth_name(d, stat), units="K",
                                                  long_name=f"{what} temperature at the {where}",
                                                  depth_m=d, **attrs)
    ds = xr.Dataset(maps)
    if node_max:
        jn = [int(np.argmin(np.abs(od - z))) for z in grid.z_m]
        cube = stats.t_max_k[:, jn].T.reshape((grid.nz, *shape))
        cube = np.where(mask[None], np.nan, cube).astype(np.float32)
        ds["t_max_nodes_k"] = xr.DataArray(
            cube, dims=("node_depth_m", "y", "x"),
            coords={"node_depth_m": grid.z_m, "y": dem["y"].values, "x": dem["x"].values},
            attrs={"units": "K", "long_name": "maximum temperature at every model node over the window"})
    if series_cols:
        ds["t_surface_series_k"] = xr.DataArray(
            stats.series_k[:, :, out_depths.index(0.0)].T, dims=("time", "pixel"),
            coords={"time": times, "pixel": [f"{r},{c}" for r, c in series_pixels]},
            attrs={"units": "K", "long_name": "surface temperature"})
    ds.attrs.update({k: (v if not isinstance(v, dict) else str(v)) for k, v in attrs.items()})
    if dem.rio.crs is not None:
        ds = ds.rio.write_crs(dem.rio.crs)
    return ds


THERMAL_STORE = "cache/thermal.zarr"
"""Where :func:`write_thermal_outputs` keeps the whole dataset inside a run folder."""


def write_thermal_outputs(ds: xr.Dataset, folder, *, provenance: dict | None = None) -> list:
    """Write the maps of :func:`thermal_maps` into a run folder.

    ``folder/maps/<name>.tif`` (Cloud-Optimized GeoTIFF) and a PNG quicklook per ``(y, x)`` map and the whole
    dataset (with ``t_max_nodes_k``) as ``folder/cache/thermal.zarr``; every write is atomic.
    Returns the written paths.
    """
    from pathlib import Path

    from lupex.io.atomic import atomic_path
    from lupex.io.geotiff import write_geotiff

    folder = Path(folder)
    written = []
    from lupex.io.quicklook import write_quicklook

    for name, da in ds.data_vars.items():
        if da.dims == ("y", "x"):
            tif = write_geotiff(da, folder / "maps" / f"{name}.tif", provenance=provenance)
            written.append(tif)
            written.append(write_quicklook(da, tif.with_suffix(".png"), cmap="inferno"))
    store = folder / THERMAL_STORE
    with atomic_path(store) as tmp:
        out = ds.copy()
        for v in out.data_vars.values():
            v.encoding.clear()
        out.to_zarr(tmp, mode="w", consolidated=False)
    written.append(store)
    return written


def open_thermal(folder) -> xr.Dataset:
    """Open the dataset written by :func:`write_thermal_outputs` (``folder/cache/thermal.zarr``)."""
    from pathlib import Path

    from lupex.errors import InputFileError

    store = Path(folder) / THERMAL_STORE
    if not store.exists():
        raise InputFileError(f"{store}: no thermal output in {folder}; run `lupex thermal maps "
                             f"DEM --out {folder} ...` first.")
    try:
        return xr.open_zarr(store, consolidated=False).load()
    except Exception as exc:  # corrupt store
        raise InputFileError(f"{store}: unreadable ({exc}); delete it and rerun `lupex thermal maps`.") from exc
