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

import warnings
from collections.abc import Callable, Sequence

import numpy as np
import xarray as xr

from lupex.errors import ParameterError, check_range
from lupex.thermal._kernel import integrate_auto
from lupex.thermal.conduction import _column_arrays, _output_interp
from lupex.thermal.grid import YEAR_S, layer_grid
from lupex.thermal.insolation import absorbed_direct_flux, cos_incidence, solar_flux_on_facet
from lupex.thermal.params import RegolithParams
from lupex.times import SECONDS_PER_DAY


def _depth_name(d: float, stat: str) -> str:
    return f"t_surface_{stat}_k" if d == 0 else f"t_{d:g}m_{stat}_k"


class _FrameForcing:
    """``f(step) -> absorbed direct (+ scattered) flux (npix,)`` over fixed epochs.

    Streams visibility frames in order (restarting the generator when a pass starts again, or
    a resumed run starts mid-pass) and keeps them in a float32 cache when
    ``n x npix x 4 <= cache_bytes`` so that spin-up passes after the first cost nothing. The
    flux is rounded to float32 either way.
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

    def _frames(self, k0):
        from lupex.illumination import visibility_frames

        return visibility_frames(self.dem, self.horizons, self.times[k0:], bodies=("sun",))

    def __call__(self, k: int) -> np.ndarray:
        if self.cache is not None and self.filled[k]:
            return self.cache[k].astype(float)
        if self.gen is None or k != self.next:
            self.gen = self._frames(k)
        fr = next(self.gen)
        self.next = k + 1
        az = fr.sun_azimuth_deg.reshape(-1)
        el = fr.sun_elevation_deg.reshape(-1)
        ci = cos_incidence(az, el, slope_deg=self.slope, aspect_deg=self.aspect)  # once a frame
        direct = solar_flux_on_facet(az, el, sun_distance_m=fr.sun_distance_m,
                                     visible_fraction=fr.sun_fraction.reshape(-1),
                                     solar_constant_w_m2=self.params.solar_constant_w_m2, cos_i=ci)
        direct = np.where(self.valid, np.nan_to_num(direct), 0.0)
        absorbed = absorbed_direct_flux(direct, np.nan_to_num(ci), self.params)
        if self.F is not None:
            from lupex.thermal.radiosity import scattered_flux

            absorbed = absorbed + (1.0 - self.params.albedo0) * scattered_flux(
                self.F, direct, self.params.albedo0)
        absorbed = absorbed.astype(np.float32)  # the same numbers whether cached or not
        if self.cache is not None:
            self.cache[k] = absorbed
            self.filled[k] = True
        return absorbed.astype(float)


def _with_infrared(forcing: _FrameForcing, F, params: RegolithParams, valid,
                   ir_reflection: bool) -> Callable:
    from lupex.thermal.radiosity import infrared_flux

    def f(k, t_surface_k):
        ts = np.where(valid, t_surface_k, 0.0)
        return forcing(k) + params.emissivity * infrared_flux(F, ts, params.emissivity,
                                                              ir_reflection=ir_reflection)

    return f


_BLOCK_BYTES = 64 * 2**20  # absorbed-flux block handed to the kernel (float64, epochs x pixels)


class _Run:
    """The whole state of a map run, advanced block by block and checkpointed between blocks.

    Phases: ``mean`` (mean absorbed flux over the spin-up span: the first-guess state),
    ``spin`` (spin-up periods with the accelerated corrections of
    :func:`lupex.thermal.conduction.equilibrate`), ``run`` (the window, reducing max / min /
    sum at the output depths), ``done``. Every array of the state lives in ``self.a``; the
    header (phase, period, epoch, history) in ``self.h``. Between two blocks the two are
    consistent, which is when checkpoints are written.
    """

    def __init__(self, *, ncol, grid, params, dt_s, n_spin, n_run, out_depths, series_cols,
                 tol_k, max_cycles, block):
        self.ncol, self.grid, self.params, self.dt_s = ncol, grid, params, dt_s
        self.n_spin, self.n_run, self.block = n_spin, n_run, block
        self.tol_k, self.max_cycles = tol_k, max_cycles
        self.out_depths = out_depths
        self.series_cols = np.asarray(series_cols, np.int64)
        self.slot = -np.ones(ncol, np.int64)
        self.slot[self.series_cols] = np.arange(self.series_cols.size)
        self.arrs = _column_arrays(grid, params)
        self.spin_interp = _output_interp(grid, (0.0,))[1:]
        self.run_interp = _output_interp(grid, out_depths)[1:]
        self.h: dict = dict(phase="mean", cycle=0, k=0, history=[])
        self.a: dict[str, np.ndarray] = dict(mean_sum=np.zeros(ncol))

    # ------------------------------------------------------------------ bookkeeping
    def total_steps(self) -> int:
        """Epochs to process in all (an upper bound until the spin-up has converged)."""
        h = self.h
        cycles = self.max_cycles if h["phase"] in ("mean", "spin") else len(h["history"])
        return self.n_spin * (1 + cycles) + self.n_run

    def done_steps(self) -> int:
        h = self.h
        if h["phase"] == "mean":
            return h["k"]
        if h["phase"] == "spin":
            return self.n_spin * h["cycle"] + h["k"]
        spun = self.n_spin * (1 + len(self.h["history"]))
        return spun + (h["k"] if h["phase"] == "run" else self.n_run)

    def _start_spin_period(self, T):
        nz = self.grid.nz
        self.a.update(T=T, tnode=np.zeros((self.ncol, nz)), qsum=np.zeros((self.ncol, nz - 1)),
                      gsum=np.zeros((self.ncol, nz - 1)), rad=np.zeros((self.ncol, 3)),
                      t_bottom0=T[:, -1].copy())
        self.h.update(phase="spin", cycle=self.h["cycle"] + 1, k=0)

    def _start_run(self, T):
        nd = len(self.out_depths)
        ns = max(self.series_cols.size, 1)
        for key in ("tnode", "qsum", "gsum", "rad", "t_bottom0", "mean_sum"):
            self.a.pop(key, None)
        self.a.update(T=T, tmax=np.full((self.ncol, nd), -np.inf),
                      tmin=np.full((self.ncol, nd), np.inf), tsum=np.zeros((self.ncol, nd)),
                      series=np.full((ns, self.n_run if self.series_cols.size else 1, nd), np.nan))
        self.h.update(phase="run", k=0)

    # ------------------------------------------------------------------ one block
    def advance(self, f_mean, f_spin, f_run, feedback: bool, interrupt) -> None:
        """Process the next block of the current phase (or close the phase).

        ``f_mean(k)`` is the absorbed sunlight; ``f_spin`` / ``f_run`` the forcing of the
        spin-up span and of the window (``f(k, t_surface_k)`` with ``feedback``).
        """
        from lupex.thermal.conduction import (
            _check_flux_block,
            initial_state,
            spinup_done,
            spinup_update,
        )

        h, a = self.h, self.a
        phase, k = h["phase"], h["k"]
        n = self.n_run if phase == "run" else self.n_spin
        if k >= n:  # close the phase
            if phase == "mean":
                st = initial_state(a["mean_sum"] / self.n_spin, grid=self.grid, params=self.params)
                self._start_spin_period(st.t_k)
            elif phase == "spin":
                prev = a.get("prev_mean_surface")
                T, corr, dsurf, drift, mean_surface = spinup_update(
                    a["T"], a, nt=self.n_spin, dt_s=self.dt_s, t_bottom0_k=a["t_bottom0"],
                    prev_mean_surface_k=prev, params=self.params)
                a["prev_mean_surface"] = mean_surface
                h["history"].append(dict(cycle=h["cycle"], max_correction_k=corr,
                                         surface_mean_change_k=dsurf, bottom_drift_k_per_year=drift))
                if (spinup_done(corr, dsurf, drift, period_s=self.n_spin * self.dt_s, tol_k=self.tol_k)
                        or h["cycle"] >= self.max_cycles):
                    h["converged"] = spinup_done(corr, dsurf, drift,
                                                 period_s=self.n_spin * self.dt_s, tol_k=self.tol_k)
                    self._start_run(T)
                else:
                    self._start_spin_period(T)
            else:
                h["phase"] = "done"
            return
        nb = min(self.block, n - k) if not feedback or phase == "mean" else 1
        f = f_run if phase == "run" else f_spin
        rows = []
        mean_sum = a["mean_sum"].copy() if phase == "mean" else None  # committed after the block
        for s in range(k, k + nb):
            if interrupt.pending:  # nothing of this block is committed yet
                raise KeyboardInterrupt
            if phase == "mean":
                mean_sum += f_mean(s)  # epoch by epoch
                continue
            q = f(s, a["T"][:, 0].copy()) if feedback else f(s)
            rows.append(np.asarray(q, float))
        if phase == "mean":
            a["mean_sum"] = mean_sum
        else:
            blk = _check_flux_block(np.stack(rows), self.ncol, "thermal_maps")
            arrs = self.arrs
            T = a["T"]
            if "T_prev" not in a:
                a["T_prev"] = np.empty_like(T)
            args = (T, a["T_prev"], k > 0, blk, float(self.dt_s), arrs["rho_w"], arrs["kc"],
                    arrs["dz"], arrs["chi350"], arrs["cpc"], arrs["eps"], arrs["qb"], 8, False)
            z1 = np.zeros((1, 1))
            if phase == "spin":  # spin-up sums only (the max / min / sum at the surface unused)
                idx, w = self.spin_interp
                integrate_auto(*args, idx, w, np.full((self.ncol, 1), -np.inf),
                               np.full((self.ncol, 1), np.inf), np.zeros((self.ncol, 1)),
                               -np.ones(self.ncol, np.int64), np.zeros((1, 1, 1)), 0, True,
                               a["tnode"], a["qsum"], a["gsum"], a["rad"])
            else:
                idx, w = self.run_interp
                integrate_auto(*args, idx, w, a["tmax"], a["tmin"], a["tsum"], self.slot,
                               a["series"], k if self.series_cols.size else 0, False, z1, z1, z1,
                               np.zeros((1, 3)))
        h["k"] = k + nb

    # ------------------------------------------------------------------ checkpoints
    def save(self, path, key: str) -> None:
        from lupex.thermal import _checkpoint

        _checkpoint.save(path, dict(self.h, key=key, format=_checkpoint.FORMAT), self.a)

    def restore(self, header: dict, arrays: dict) -> None:
        self.h = {k: v for k, v in header.items() if k not in ("key", "format")}
        self.a = {k: np.array(v) for k, v in arrays.items()}


def thermal_maps(dem: xr.DataArray, horizons, start, stop, step: str = "1h", *,
                 depths_m: Sequence[float] = (0.0, 0.1, 0.5), params: RegolithParams | None = None,
                 view_factors=None, ir_reflection: bool = True, spinup_days: float = 365.25,
                 tol_k: float = 0.05,
                 max_cycles: int = 10, node_max: bool = True, cache_bytes: int = 2**30,
                 series_pixels: Sequence[tuple[int, int]] = (),
                 progress=None, checkpoint=None, resume: bool = True,
                 checkpoint_every_s: float = 300.0, log: Callable[[str], None] | None = None,
                 _block_epochs: int | None = None) -> xr.Dataset:
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
        Pixels whose temperature time series to return: ``t_surface_series_k`` (time, pixel)
        and ``t_series_k`` (time, pixel, depth_m) at every requested depth.
    progress : callable, optional
        ``progress(done, total)`` in epochs over the whole job (mean-flux pass, spin-up
        periods, window), after every block; ``total`` assumes ``max_cycles`` spin-up periods
        until the spin-up has converged, then drops to the periods actually run.
    checkpoint : path, optional
        Checkpoint file (``.npz``; e.g. ``RUN/cache/thermal_state.npz``): the whole state (node
        temperatures, spin-up sums, max / min / sum per depth, phase, epoch) is written there
        atomically every ``checkpoint_every_s`` seconds, at the end, and when the run is
        interrupted (Ctrl-C or any exception). A later call with the same inputs continues
        from it and returns the same maps as an uninterrupted run; one written for other
        inputs is ignored (and overwritten). Delete it after the outputs are written
        (:func:`discard_checkpoint`). ``None``: no checkpoint.
    resume : bool
        Continue from ``checkpoint`` when it matches (False: start afresh).
    checkpoint_every_s : float
        Seconds between checkpoints (0: after every block).
    log : callable, optional
        ``log(message)`` for one-line notes (resumed from where; starting afresh and why).

    Returns
    -------
    xarray.Dataset
        Maps ``t_surface_max_k``, ``t_surface_mean_k``, ``t_surface_min_k`` and
        ``t_<d>m_{max,mean,min}_k`` (map contract: CRS, units, long_name, parameters); attrs
        hold the spin-up diagnostics and ``resumed_from_epoch`` (-1: not resumed).

    Notes
    -----
    The absorbed flux of every epoch is rounded to float32 (whether it comes from the frame
    cache or not), so a resumed run, which recomputes the frames it needs, gets the same
    numbers as one that ran through.
    """
    import time as _time
    from pathlib import Path

    from lupex.ephemeris import time_grid
    from lupex.ephemeris.timescales import parse_step
    from lupex.io.maps import make_map
    from lupex.terrain.slope import slope_aspect
    from lupex.thermal import _checkpoint

    params = params or RegolithParams()
    check_range("spinup_days", spinup_days, 0, 3653, unit="d")
    check_range("checkpoint_every_s", checkpoint_every_s, 0, None, unit="s")
    times = time_grid(start, stop, step)
    if times.size < 2:
        raise ParameterError(f"thermal_maps: the window {start} .. {stop} holds fewer than 2 steps of {step}.")
    dstep = parse_step(step)
    dt_s = dstep.astype("timedelta64[ns]").astype(np.int64) / 1e9
    shape = dem.shape
    npix = int(np.prod(shape))
    dem_values = np.asarray(dem.values, float)
    valid = np.isfinite(dem_values).reshape(-1)
    slope, aspect = slope_aspect(dem)
    slope = np.nan_to_num(np.asarray(slope.values, float).reshape(-1))
    aspect = np.nan_to_num(np.asarray(aspect.values, float).reshape(-1))
    F = view_factors
    if F is not None and F.shape != (npix, npix):
        raise ParameterError(f"view_factors has shape {F.shape}; expected ({npix}, {npix}) for a "
                             f"{shape[0]} x {shape[1]} DEM (all pixels, row-major).")
    depths = sorted({0.0, *[float(d) for d in depths_m]})
    grid = layer_grid(params, bottom_period_s=YEAR_S, min_bottom_m=max(depths) * 1.05)

    n_spin = round(spinup_days * SECONDS_PER_DAY / dt_s)
    spin_times = times if n_spin == 0 else times[0] - dstep * np.arange(n_spin, 0, -1)
    spin_forcing = _FrameForcing(dem, horizons, spin_times, slope, aspect, valid, params, F,
                                 cache_bytes)
    run_forcing = spin_forcing if n_spin == 0 else _FrameForcing(
        dem, horizons, times, slope, aspect, valid, params, F, cache_bytes)
    feedback = F is not None
    f_spin = _with_infrared(spin_forcing, F, params, valid, ir_reflection) if feedback else spin_forcing
    f_run = _with_infrared(run_forcing, F, params, valid, ir_reflection) if feedback else run_forcing
    out_depths = sorted(set(depths) | (set(grid.z_m.tolist()) if node_max else set()))
    series_cols = [int(r) * shape[1] + int(c) for r, c in series_pixels]
    block = _block_epochs or int(np.clip(_BLOCK_BYTES // (8 * npix), 1, 512))
    run = _Run(ncol=npix, grid=grid, params=params, dt_s=dt_s, n_spin=len(spin_times),
               n_run=len(times), out_depths=out_depths, series_cols=series_cols, tol_k=tol_k,
               max_cycles=max_cycles, block=block)

    key = path = None
    resumed_from = -1
    if checkpoint is not None:
        path = Path(checkpoint)
        key = _checkpoint.input_key(
            dem=dem_values, x=np.asarray(dem["x"].values), y=np.asarray(dem["y"].values),
            crs=str(dem.rio.crs), horizons=np.asarray(horizons, np.float32),
            times=[str(times[0]), str(times[-1]), int(times.size)], step=str(step),
            spinup_days=float(spinup_days), depths=depths, node_max=bool(node_max),
            series=series_cols, tol_k=float(tol_k), max_cycles=int(max_cycles),
            params=params.as_dict(), view_factors=F, ir_reflection=bool(ir_reflection))
        found = _checkpoint.load(path) if resume else None
        note = log or (lambda m: warnings.warn(m, stacklevel=3))
        if found is not None and found[0].get("key") == key:
            run.restore(*found)
            resumed_from = run.done_steps()
            if log is not None:
                log(f"resuming from {path} ({_where(run)})")
        elif found is not None:
            note(f"{path}: a checkpoint written for other inputs (DEM, horizons, window, step, "
                 "parameters, depths or radiosity); starting afresh")
        elif path.exists() and resume:
            note(f"{path}: unreadable checkpoint; starting afresh")

    last_save = _time.monotonic()
    interrupt = _checkpoint.DeferredInterrupt()
    try:
        with interrupt.installed():
            while run.h["phase"] != "done":
                run.advance(spin_forcing, f_spin, f_run, feedback, interrupt)
                if progress is not None:
                    progress(run.done_steps(), run.total_steps())
                if path is not None and _time.monotonic() - last_save >= checkpoint_every_s:
                    run.save(path, key)
                    last_save = _time.monotonic()
                if interrupt.pending:
                    raise KeyboardInterrupt
    except BaseException:
        if path is not None:
            run.save(path, key)
        raise
    if path is not None:
        run.save(path, key)  # done: a crash while writing the outputs loses nothing

    h, a = run.h, run.a
    hist = h["history"]
    last = hist[-1] if hist else dict(max_correction_k=np.inf, bottom_drift_k_per_year=np.inf)
    stats_max, stats_min, stats_mean = a["tmax"], a["tmin"], a["tsum"] / len(times)
    attrs = dict(start=str(times[0]), stop=str(times[-1]), step=str(step), n_epochs=int(times.size),
                 spinup_days=spinup_days, spinup_cycles=len(hist),
                 spinup_converged=int(bool(h.get("converged", False))),
                 spinup_last_correction_k=last["max_correction_k"],
                 spinup_bottom_drift_k_per_year=last["bottom_drift_k_per_year"],
                 radiosity=int(F is not None), ir_reflection=int(ir_reflection),
                 grid_bottom_m=grid.bottom_m,
                 model="Hayne et al. (2017) 1-D conduction per pixel (lupex.thermal)",
                 params=params.as_dict(), resumed_from_epoch=int(resumed_from))
    mask = ~valid.reshape(shape)
    maps = {}
    od = np.asarray(out_depths)
    for d in depths:
        j = int(np.argmin(np.abs(od - d)))
        for stat, arr, what in (("max", stats_max, "maximum"), ("mean", stats_mean, "mean"),
                                ("min", stats_min, "minimum")):
            v = np.where(mask, np.nan, arr[:, j].reshape(shape)).astype(np.float32)
            where = "surface" if d == 0 else f"{d:g} m depth"
            maps[_depth_name(d, stat)] = make_map(v, like=dem, name=_depth_name(d, stat), units="K",
                                                  long_name=f"{what} temperature at the {where}",
                                                  depth_m=d, **attrs)
    ds = xr.Dataset(maps)
    if node_max:
        jn = [int(np.argmin(np.abs(od - z))) for z in grid.z_m]
        cube = stats_max[:, jn].T.reshape((grid.nz, *shape))
        cube = np.where(mask[None], np.nan, cube).astype(np.float32)
        ds["t_max_nodes_k"] = xr.DataArray(
            cube, dims=("node_depth_m", "y", "x"),
            coords={"node_depth_m": grid.z_m, "y": dem["y"].values, "x": dem["x"].values},
            attrs={"units": "K", "long_name": "maximum temperature at every model node over the window"})
    if series_cols:
        ds["t_surface_series_k"] = xr.DataArray(
            a["series"][:, :, out_depths.index(0.0)].T, dims=("time", "pixel"),
            coords={"time": times, "pixel": [f"{r},{c}" for r, c in series_pixels]},
            attrs={"units": "K", "long_name": "surface temperature"})
        req = sorted(set(depths))
        ds["t_series_k"] = xr.DataArray(
            np.stack([a["series"][:, :, out_depths.index(d)].T for d in req], axis=-1),
            dims=("time", "pixel", "depth_m"),
            coords={"time": times, "pixel": ds["t_surface_series_k"]["pixel"].values,
                    "depth_m": req},
            attrs={"units": "K", "long_name": "temperature at the requested depths"})
    ds.attrs.update({k: (v if not isinstance(v, dict) else str(v)) for k, v in attrs.items()})
    if dem.rio.crs is not None:
        ds = ds.rio.write_crs(dem.rio.crs)
    return ds


def _where(run: _Run) -> str:
    h = run.h
    if h["phase"] == "mean":
        return f"mean-flux pass, epoch {h['k']} of {run.n_spin}"
    if h["phase"] == "spin":
        return f"spin-up period {h['cycle']}, epoch {h['k']} of {run.n_spin}"
    if h["phase"] == "run":
        return f"window, epoch {h['k']} of {run.n_run}"
    return "finished; only the outputs were missing"


def discard_checkpoint(checkpoint) -> None:
    """Remove a checkpoint of :func:`thermal_maps` once its outputs are safely written."""
    from pathlib import Path

    Path(checkpoint).unlink(missing_ok=True)


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


def write_thermal_points(ds: xr.Dataset, folder, points_latlon: Sequence[tuple[float, float]]):
    """Write the point series of :func:`thermal_maps` to ``folder/tables/thermal_points.csv``.

    One row per epoch and point: ``time_utc, point, lat_deg, lon_deg, row, col, t_surface_k``
    and one ``t_<depth>m_k`` column per requested depth (names as ``lupex thermal point``).
    ``points_latlon`` are the requested coordinates, in the order of ``series_pixels``.
    """
    from pathlib import Path

    import pandas as pd

    from lupex.io.atomic import write_text_atomic
    from lupex.thermal.point import depth_column_name

    ser = ds["t_series_k"]
    frames = []
    for k, pix in enumerate(ser["pixel"].values):
        r, c = (int(v) for v in str(pix).split(","))
        df = pd.DataFrame({"time_utc": pd.to_datetime(ser["time"].values).strftime("%Y-%m-%dT%H:%M:%SZ"),
                           "point": k + 1, "lat_deg": points_latlon[k][0],
                           "lon_deg": points_latlon[k][1], "row": r, "col": c})
        for j, d in enumerate(ser["depth_m"].values):
            df[depth_column_name(float(d))] = ser.values[:, k, j]
        frames.append(df)
    out = Path(folder) / "tables" / "thermal_points.csv"
    return write_text_atomic(out, pd.concat(frames).to_csv(index=False, float_format="%.3f"))
