"""Illumination maps over a period: binned span statistics + one streaming pass, in tiles.

:func:`illumination_maps` is the map-level entry point. It validates and unwraps the inputs,
computes the Sun/Earth track once (:mod:`~lupex.illumination.track`), builds the binned span
tables once (:mod:`~lupex.illumination.binned`), then processes the map in square tiles: each
tile reads its block of horizons ``(azimuth, y, x)`` (from memory, from a Zarr store written by
the horizon layer, or computed), looks up the span statistics (pixels x azimuth bins) and streams
the window's epochs once for the order-dependent statistics (pixels x epochs). Finished tiles are
saved (``.npz``, atomic) under ``cache_dir`` and skipped on a rerun, so a killed run resumes.
Tiles run one after another locally (each kernel already uses every core via numba), or on a
``dask.distributed`` cluster when ``scheduler`` is an address.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from lupex.errors import ParameterError
from lupex.illumination.binned import (
    SpanTables,
    azel_from_reference_vectors,
    binned_statistics,
    span_tables,
    thresholds,
)
from lupex.illumination.frames import LazyPixelGeometry, PixelGeometry, pixel_geometry
from lupex.illumination.stream import horizon_band, stream_statistics, stream_statistics_fast
from lupex.illumination.track import BodyTrack, body_track
from lupex.times import SECONDS_PER_DAY, SECONDS_PER_HOUR

LUNAR_PRECESSION_CYCLE_DAYS = 6798.38
"""Nodal precession period of the lunar orbit, 18.61 yr [d] (sets the PSR span)."""

MAP_SPECS: dict[str, tuple[str, str]] = {
    "sun_fraction_mean": ("1", "mean visible fraction of the Sun's disc"),
    "sun_any_fraction": ("1", "fraction of time some part of the Sun is visible"),
    "psr": ("1", "permanently shadowed (1: no part of the Sun ever visible over the PSR span)"),
    "longest_darkness_h": ("h", "longest continuous time with no part of the Sun visible"),
    "earth_visible_fraction": ("1", "fraction of time some part of the Earth is visible"),
    "earth_fraction_mean": ("1", "mean visible fraction of the Earth's disc"),
    "sun_and_earth_fraction": ("1", "fraction of time some Sun and some Earth are both visible"),
}
"""Output map names -> (units, long_name)."""


# --------------------------------------------------------------------------------------------
# inputs


def horizons_pixel_major(horizons, rows: slice | None = None, cols: slice | None = None
                         ) -> np.ndarray:
    """A ``(azimuth, y, x)`` horizon map (DataArray or ndarray) as pixel-major ``(P, N)`` float32."""
    if isinstance(horizons, xr.DataArray):
        h = horizons
        if rows is not None or cols is not None:
            h = h.isel(y=rows or slice(None), x=cols or slice(None))
        arr = np.asarray(h.transpose("y", "x", "azimuth").values, dtype=np.float32)
    else:
        arr = np.asarray(horizons, dtype=np.float32)
        if rows is not None or cols is not None:
            arr = arr[:, rows or slice(None), cols or slice(None)]
        arr = np.moveaxis(arr, 0, -1)
    n = arr.shape[-1]
    return np.ascontiguousarray(arr.reshape(-1, n))


def check_horizons(horizons, dem: xr.DataArray) -> int:
    """Validate a horizon map against the DEM; return the number of azimuths ``N``.

    Refuses a wrong azimuth reference or spacing (the convention is clockwise from grid north,
    bin centres ``k 360 / N``), a shape or coordinates that differ from the DEM's, and NaNs.
    """
    if not isinstance(horizons, xr.DataArray):
        arr = np.asarray(horizons)
        if arr.ndim != 3 or arr.shape[1:] != dem.shape:
            raise ParameterError(f"horizons: shape {arr.shape} does not match (azimuth, y, x) "
                                 f"with the DEM's {dem.shape}; recompute them for this DEM.")
        return int(arr.shape[0])
    if set(horizons.dims) != {"azimuth", "y", "x"}:
        raise ParameterError(f"horizons: dims {horizons.dims} must be ('azimuth', 'y', 'x').")
    ref = horizons.attrs.get("azimuth_reference", "grid_north")
    if ref != "grid_north":
        raise ParameterError(f"horizons: azimuth_reference is {ref!r}; lupex needs azimuths "
                             "clockwise from grid north ('grid_north'); recompute with "
                             "lupex horizon.")
    n = horizons.sizes["azimuth"]
    az = np.asarray(horizons["azimuth"].values, dtype=float) if "azimuth" in horizons.coords \
        else np.arange(n) * 360.0 / n
    if not np.allclose(az, np.arange(n) * 360.0 / n, atol=1e-6):
        raise ParameterError("horizons: azimuth coordinate must be k * 360 / N degrees "
                             f"(0, {360 / n:g}, ...) clockwise from grid north; got "
                             f"{az[:3].tolist()} ... ; recompute with lupex horizon.")
    if (horizons.sizes["y"], horizons.sizes["x"]) != dem.shape:
        raise ParameterError(f"horizons: grid {(horizons.sizes['y'], horizons.sizes['x'])} does "
                             f"not match the DEM's {dem.shape}; recompute them for this DEM.")
    for c in ("x", "y"):
        v = dem[c].values
        tol = 1e-3 * (abs(float(v[1] - v[0])) if v.size > 1 else 1.0)
        if c in horizons.coords and not np.allclose(horizons[c].values, v, atol=tol):
            raise ParameterError(f"horizons: {c} coordinates differ from the DEM's; the horizons "
                                 "were computed for another grid.")
    return int(n)


def load_horizons(path: str | os.PathLike[str]) -> xr.DataArray:
    """Open a horizons store written by the horizon layer (Zarr; NetCDF also accepted)."""
    from lupex.errors import InputFileError

    p = Path(path)
    if not p.exists():
        raise InputFileError(f"{p}: horizons not found; compute them with `lupex horizon DEM "
                             f"--out {p.name}` or leave out --horizons to compute them here.")
    try:
        from lupex.horizon import open_horizons  # type: ignore[attr-defined]
    except ImportError:
        try:
            from lupex.horizon.store import open_horizons
        except ImportError:
            open_horizons = None
    if open_horizons is not None:
        return open_horizons(p)
    if p.suffix in (".nc", ".nc4"):
        return xr.open_dataarray(p)
    ds = xr.open_zarr(p)
    name = next(iter(ds.data_vars))
    return ds[name]


def area_km2(mask: np.ndarray, dem: xr.DataArray) -> float:
    """True ground area [km2] of the pixels where ``mask`` is true (pixel area / k^2)."""
    from lupex.io.maps import pixel_size_m
    from lupex.terrain.geometry import scale_factor

    dx, dy = pixel_size_m(dem)
    k = scale_factor(dem)
    return float(np.sum(np.where(np.asarray(mask, bool), dx * dy / k**2, 0.0)) / 1e6)


def _window_times(start, stop, step) -> np.ndarray:
    from lupex.ephemeris import time_grid

    t = np.asarray(time_grid(start, stop, step))
    if t.size < 1:
        raise ParameterError(f"--start {start} / --stop {stop} / --step {step}: no epochs.")
    return t


def _step_hours(times: np.ndarray, step) -> float:
    if times.size > 1:
        return float((times[1] - times[0]) / np.timedelta64(1, "s")) / SECONDS_PER_HOUR
    from lupex.ephemeris import time_grid

    t = np.asarray(time_grid("2030-01-01T00:00", "2030-01-03T00:00", step))
    return float((t[1] - t[0]) / np.timedelta64(1, "s")) / SECONDS_PER_HOUR


def psr_span_times(psr_span, start, stop, step, psr_step=None) -> tuple[np.ndarray, str]:
    """Epochs of the PSR span and its description.

    ``psr_span``: ``"window"`` (the analysis window), ``"cycle"`` (one 18.61-yr nodal precession
    cycle from ``start``, moved earlier if it would end after the ephemeris span), or a pair
    ``(start, stop)``. ``psr_step`` defaults to ``step`` for the window and ``"2h"`` for the
    cycle (the Sun moves ~1 deg of azimuth in 2 h at the pole; the binned cost does not depend
    on the number of epochs, only the one-off ephemeris and table build do).
    """
    if psr_span in (None, "window"):
        return _window_times(start, stop, psr_step or step), f"window {start} .. {stop}"
    if psr_span == "cycle":
        from lupex.errors import EphemerisRangeError

        t0 = np.datetime64(np.asarray(_window_times(start, start, "1h"))[0], "s")
        span = np.timedelta64(int(LUNAR_PRECESSION_CYCLE_DAYS * SECONDS_PER_DAY), "s")
        end_limit = np.datetime64("2049-12-31T00:00:00")
        if t0 + span > end_limit:
            t0 = end_limit - span
        try:
            t = _window_times(str(t0), str(t0 + span), psr_step or "2h")
        except EphemerisRangeError as exc:  # pragma: no cover - depends on kernel coverage
            raise ParameterError(f"--psr-span cycle: {exc}") from exc
        return t, f"18.61-yr precession cycle {str(t0)[:10]} .. {str(t0 + span)[:10]}"
    if isinstance(psr_span, (tuple, list)) and len(psr_span) == 2:
        return (_window_times(psr_span[0], psr_span[1], psr_step or step),
                f"{psr_span[0]} .. {psr_span[1]}")
    raise ParameterError(f"--psr-span {psr_span!r}: use 'window', 'cycle' or START/STOP.")


def _tables_for(track: BodyTrack, n_bins: int, *, earth: bool) -> list[SpanTables]:
    az, el = azel_from_reference_vectors(track.sun_ref)
    out = [span_tables(az, el, track.sun_radius_deg, n_bins=n_bins, body="sun")]
    if earth and track.earth_ref_m is not None:
        from lupex.constants import EARTH_RADIUS_M

        aze, ele = azel_from_reference_vectors(track.earth_ref_m)
        dist = np.linalg.norm(track.earth_ref_m, axis=-1)
        out.append(span_tables(aze, ele, np.degrees(np.arcsin(EARTH_RADIUS_M / dist)),
                               n_bins=n_bins, body="earth"))
    return out


# --------------------------------------------------------------------------------------------
# tiles


@dataclass(frozen=True)
class TileJob:
    """One square tile of the map: its window and where its result is saved."""

    index: tuple[int, int]
    rows: slice
    cols: slice
    path: str | None


def tile_jobs(shape: tuple[int, int], tile_px: int, folder: Path | None) -> list[TileJob]:
    """Square tiles covering a map of ``shape`` (row-major order)."""
    ny, nx = shape
    jobs = []
    for i, r0 in enumerate(range(0, ny, tile_px)):
        for j, c0 in enumerate(range(0, nx, tile_px)):
            p = None if folder is None else str(folder / f"tile_{i:04d}_{j:04d}.npz")
            jobs.append(TileJob((i, j), slice(r0, min(r0 + tile_px, ny)),
                                slice(c0, min(c0 + tile_px, nx)), p))
    return jobs


def run_tile(job: TileJob, horizons, geometry: PixelGeometry | LazyPixelGeometry, window_tables: list[SpanTables],
             psr_tables: list[SpanTables] | None, track: BodyTrack | None, step_h: float,
             horizon_fn: Callable[[TileJob], np.ndarray] | None = None, *,
             exact_stream: bool = False) -> dict[str, np.ndarray]:
    """Compute (or load, if saved) the statistics of one tile; save them if ``job.path``.

    A pure function of its arguments, so it runs the same in-process or on a dask worker.
    ``exact_stream`` streams with the exact per-epoch geometry (the brute-force kernel)
    instead of the pixel thresholds (same approximation as the binned maps, ~10x faster).
    """
    if job.path and Path(job.path).exists():
        with np.load(job.path) as z:
            return {k: z[k] for k in z.files}
    geo = geometry.subset(job.rows, job.cols)
    hor = horizon_fn(job) if horizon_fn is not None else horizons_pixel_major(horizons, job.rows,
                                                                               job.cols)
    shape = geo.shape
    out: dict[str, np.ndarray] = {}
    thr = thresholds(hor, geo.rot, window_tables[0].n_bins)
    b = binned_statistics(None, None, window_tables, thr=thr)
    out["sun_fraction_mean"] = b["sun_fraction_mean"]
    out["sun_any_fraction"] = b["sun_any_fraction"]
    out["psr_window"] = ~b["sun_ever"]
    if "earth_fraction_mean" in b:
        out["earth_fraction_mean"] = b["earth_fraction_mean"]
        out["earth_visible_fraction"] = b["earth_any_fraction"]
    if psr_tables is not None:
        out["psr"] = ~binned_statistics(None, None, psr_tables, thr=thr)["sun_ever"]
    else:
        out["psr"] = out["psr_window"]
    if track is not None:
        if exact_stream:
            st = stream_statistics(hor, geo.rot, geo.offset_m, track.sun_ref,
                                   track.sun_radius_deg, track.earth_ref_m, band=horizon_band(hor))
        else:
            st = stream_statistics_fast(thr, _azel_r(track.sun_ref, track.sun_radius_deg),
                                        None if track.earth_ref_m is None else
                                        _azel_r(track.earth_ref_m, None))
        s = st.results(step_h)
        out["longest_darkness_h"] = s["longest_darkness_h"]
        out["sun_and_earth_fraction"] = s["sun_and_earth_fraction"]
        out["stream_sun_fraction_mean"] = s["sun_fraction_mean"]
        out["stream_sun_any_fraction"] = s["sun_any_fraction"]
        if track.earth_ref_m is not None:
            out["stream_earth_visible_fraction"] = s["earth_visible_fraction"]
    out["valid"] = ~np.isnan(hor).any(axis=1)  # NaN horizons (holes) -> nodata, never "PSR"
    out = {k: np.asarray(v).reshape(shape) for k, v in out.items()}
    if job.path:
        from lupex.io.atomic import atomic_path

        with atomic_path(job.path) as tmp, open(tmp, "wb") as fh:
            np.savez(fh, **out)
    return out


def _azel_r(vectors: np.ndarray, radius_deg: np.ndarray | None):
    """(azimuth, elevation, radius) [deg] of reference-frame vectors (Earth radius from |v|)."""
    from lupex.constants import EARTH_RADIUS_M

    az, el = azel_from_reference_vectors(vectors)
    if radius_deg is None:
        radius_deg = np.degrees(np.arcsin(EARTH_RADIUS_M / np.linalg.norm(vectors, axis=-1)))
    return az, el, np.asarray(radius_deg, float)


def _key(**parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]


# --------------------------------------------------------------------------------------------
# public


def illumination_maps(dem: xr.DataArray, horizons=None, start=None, stop=None, step="1h", *,
                      psr_span="window", psr_step: str | None = None, n_azimuths: int = 720,
                      observer_height_m: float = 0.0, far_field="auto",
                      far_field_radius_km: float = 300.0, oversample: int = 1,
                      earth: bool = True, ordered: bool = True, exact_stream: bool = False,
                      tile_px: int = 256,
                      cache_dir: str | os.PathLike[str] | None = None,
                      scheduler: str | None = None,
                      progress: Callable[[int, int], None] | None = None) -> xr.Dataset:
    """Sun and Earth visibility statistics of every DEM pixel over ``[start, stop]``.

    Parameters
    ----------
    dem : DataArray (y, x)
        Elevations [m] above the 1737.4 km sphere, projected lunar CRS (map contract).
    horizons : DataArray (azimuth, y, x) [deg], path of a horizons Zarr store, or None
        Horizon elevations, azimuth clockwise from grid north at ``k 360 / N``. ``None``
        computes them with :mod:`lupex.horizon` (``n_azimuths``, ``observer_height_m``,
        ``far_field``, ``far_field_radius_km``) tile by tile, streamed: the cube is never held.
    start, stop : str or datetime64
        UTC window; ``step`` (e.g. ``"1h"``) is the planning step of the streamed statistics.
    psr_span : {"window", "cycle"} or (start, stop)
        Span of the PSR map: the window (default; a PSR "of the window"), one 18.61-yr precession
        cycle (the usual definition), or an explicit span. Binned, so a long span costs only its
        one-off ephemeris.
    psr_step : str, optional
        Step of the PSR span (default: ``step`` for the window, ``"2h"`` for the cycle).
    oversample : int
        Azimuth nodes per horizon azimuth in the binned tables (``K = oversample * N``).
    earth : bool
        Also compute Earth visibility.
    ordered : bool
        Run the streaming pass (longest darkness, Sun-and-Earth fraction); ``False`` keeps
        only the binned statistics (cost independent of the number of epochs).
    exact_stream : bool
        Stream with the exact per-epoch geometry (brute force, ~10x slower) instead of the
        per-pixel thresholds; then the run's binned-vs-streamed check is against brute force.
    tile_px : int
        Tile side [px]; memory per tile ~ ``tile_px^2 x N x 4`` bytes for the horizons.
    cache_dir : path-like, optional
        Folder for per-tile results (resume) and computed horizons.
    scheduler : str, optional
        ``dask.distributed`` scheduler address (``tcp://host:8786``) to spread the tiles over.
    progress : callable, optional
        ``progress(done, total)`` after each tile.

    Returns
    -------
    Dataset
        Maps (y, x) named as in :data:`MAP_SPECS`, with CRS, ``units`` and ``long_name``; the
        attrs record the window, step, PSR span, azimuths and the largest difference between
        the binned and the streamed fractions of the window (a built-in consistency check).
    """
    from lupex.errors import check_range
    from lupex.io.maps import make_map

    if start is None or stop is None:
        raise ParameterError("illumination_maps: start and stop are required (UTC ISO times).")
    check_range("oversample", oversample, 1, 16)
    check_range("tile_px", tile_px, 8, None)
    times = _window_times(start, stop, step)
    step_h = _step_hours(times, step)
    if isinstance(horizons, (str, os.PathLike)):
        horizons = load_horizons(horizons)
    horizon_fn = None
    if horizons is None:
        from lupex.horizon import prepare_horizon

        check_range("n_azimuths", n_azimuths, 4, 1440)
        ff = None if (far_field is None or (isinstance(far_field, str) and far_field == "none")) \
            else far_field
        prep = prepare_horizon(dem, far_field=ff, far_field_radius_km=far_field_radius_km)
        horizon_fn = functools.partial(_computed_horizon_tile, prep, int(n_azimuths),
                                       float(observer_height_m))
        n_az = int(n_azimuths)
        horizon_desc = f"computed per tile by lupex.horizon; far field: {prep.far_field_desc}"
    else:
        n_az = check_horizons(horizons, dem)
        horizon_desc = (str(horizons.attrs.get("far_field", "given")) if isinstance(
            horizons, xr.DataArray) else "given array")
    geom = pixel_geometry(dem, observer_height_m=observer_height_m, lazy=True)
    track = body_track(times, geom, earth=earth)
    n_bins = int(oversample) * n_az
    window_tables = _tables_for(track, n_bins, earth=earth)
    psr_times, psr_desc = psr_span_times(psr_span, start, stop, step, psr_step)
    psr_tables = None
    if not (psr_span in (None, "window") and psr_step in (None, step)):
        psr_track = body_track(psr_times, geom, earth=False)
        psr_tables = _tables_for(psr_track, n_bins, earth=False)

    folder = None
    if cache_dir is not None:
        key = _key(tile_format=2, shape=dem.shape, x0=float(dem.x[0]), y0=float(dem.y[0]),
                   dx=float(dem.x[1] - dem.x[0]), crs=str(dem.rio.crs), t0=str(times[0]),
                   t1=str(times[-1]), n=int(times.size), psr=psr_desc, psr_n=int(psr_times.size),
                   n_az=n_az, ov=int(oversample), earth=earth, ordered=ordered,
                   exact=bool(exact_stream),
                   h=float(observer_height_m), hsrc=horizon_desc,
                   ffr=float(far_field_radius_km) if horizons is None else None,
                   hsum=None if horizons is None else float(np.float64(horizons_pixel_major(
                       horizons, slice(0, 1), slice(0, 1)).sum())))
        folder = Path(cache_dir) / f"illumination_tiles_{key}"
        folder.mkdir(parents=True, exist_ok=True)
    jobs = tile_jobs(dem.shape, int(tile_px), folder)
    stream_track = track if ordered else None
    # tiles go straight into the output arrays (float32), so memory holds one copy of the maps
    full: dict[str, np.ndarray] = {}

    def _put(job: TileJob, res: dict[str, np.ndarray]) -> None:
        for k, v in res.items():
            if k not in full:
                dt = np.float32 if np.issubdtype(v.dtype, np.floating) else v.dtype
                full[k] = np.zeros(dem.shape, dtype=dt)
            full[k][job.rows, job.cols] = v

    if scheduler:
        results = _run_distributed(scheduler, jobs, horizons, geom, window_tables, psr_tables,
                                   stream_track, step_h, horizon_fn, exact_stream, progress)
        for job in jobs:
            _put(job, results.pop(job.index))
    else:
        for n_done, job in enumerate(jobs, 1):
            _put(job, run_tile(job, horizons, geom, window_tables, psr_tables, stream_track,
                               step_h, horizon_fn, exact_stream=exact_stream))
            if progress is not None:
                progress(n_done, len(jobs))

    check = {}
    if ordered:  # by row blocks, then the streamed copies are dropped (10,000^2: 400 MB each)
        for key, a, b in (("binned_vs_stream_sun_fraction_max_abs", "sun_fraction_mean",
                           "stream_sun_fraction_mean"),
                          ("binned_vs_stream_sun_any_max_abs", "sun_any_fraction",
                           "stream_sun_any_fraction")):
            rows = max(1, 2**24 // max(1, dem.shape[1]))
            check[key] = float(max(np.nanmax(np.abs(full[a][r:r + rows] - full[b][r:r + rows]),
                                              initial=0.0)
                                   for r in range(0, dem.shape[0], rows)))
        for k in [k for k in full if k.startswith("stream_")]:
            del full[k]
    params = dict(start=str(times[0]), stop=str(times[-1]), step=str(step), n_epochs=int(times.size),
                  stream="exact per-epoch geometry" if exact_stream else "pixel thresholds",
                  step_h=step_h, psr_span=psr_desc, psr_epochs=int(psr_times.size),
                  n_azimuths=n_az, oversample=int(oversample), observer_height_m=observer_height_m,
                  horizon_source=horizon_desc,
                  method="binned span statistics + streamed ordered statistics (docs/illumination.md)")
    mask = np.isnan(np.asarray(dem.values, dtype=float)) | ~full["valid"].astype(bool)
    maps = {}
    for name, (units, long_name) in MAP_SPECS.items():
        if name not in full:
            continue
        v = full[name]
        if name == "psr":
            data = v.astype(np.uint8)
            data[mask] = 255
        else:
            data = v if v.dtype == np.float32 else v.astype(np.float32)
            data[mask] = np.nan  # in place: the maps are not copied again
        maps[name] = make_map(data, like=dem, name=name, units=units, long_name=long_name,
                              **params)
    ds = xr.Dataset(maps)
    ds.attrs.update({k: v for k, v in params.items()})
    ds.attrs.update(check)
    ds.attrs["psr_window_pixels"] = int(np.sum(full["psr_window"] & ~mask))
    return ds


def _computed_horizon_tile(prep, n_azimuths: int, observer_height_m: float, job: TileJob
                           ) -> np.ndarray:
    """Horizons of one tile computed on the fly by :mod:`lupex.horizon` (pixel-major)."""
    from lupex.horizon import azimuths_deg, compute_horizon_tile

    block = compute_horizon_tile(prep, azimuths_deg(n_azimuths), rows=job.rows, cols=job.cols,
                                 observer_height_m=observer_height_m)
    return horizons_pixel_major(block)


def _run_distributed(address, jobs, horizons, geom, window_tables, psr_tables, track, step_h,
                     horizon_fn, exact_stream, progress):
    from dask.distributed import Client, as_completed

    with Client(address) as client:
        [hf] = client.scatter([horizons], broadcast=True)
        [gf, wf, pf, tf] = client.scatter([geom, window_tables, psr_tables, track],
                                          broadcast=True)
        futs = {client.submit(run_tile, job, hf, gf, wf, pf, tf, step_h, horizon_fn,
                              exact_stream=exact_stream, pure=False): job
                for job in jobs}
        out = {}
        for n_done, fut in enumerate(as_completed(futs), 1):
            out[futs[fut].index] = fut.result()
            if progress is not None:
                progress(n_done, len(jobs))
    return out
