"""Benchmark of the horizon engine: where the time goes, before and after, in one run.

Sections (all measured in the same run, so the ratios hold on a busy machine):

``profile``
    Per-core rates (1 numba thread) of the engine as it was before issue 12
    (``benchmarks/_horizon_kernel_before.py``, a frozen copy) and now, split into phases: sweep
    lines through the DEM, the far-field part of the lines, the hull queries (+ sphere tail),
    the edge rays (a pixel's own far-field ray where it leaves the DEM inside the near field)
    and the exact near field, in ns per pixel-azimuth. Accuracy of both against the fine ray
    march (:func:`lupex.horizon.ray_march_horizon`, 0.02-pixel steps, exact 3-D geometry, same
    far field) on random pixels at the azimuth bin centres ``k * 360 / N`` (diagonals included).
``whole``
    The whole process, as a user runs it: ``lupex horizon DEM.tif --azimuths 360 --far-field
    none`` in a fresh Python process (numba cache warm), before and after, split into compute,
    store writing and summary maps + quicklooks; against a lean brute-force numba ray march
    (0.5-pixel steps, bilinear, flat earth with the curvature drop ``d^2 / 2R``, one
    division-free comparison per step, stopping where the DEM's highest point can no longer
    rise above the horizon; ``fastmath``) over every pixel and azimuth. Accuracy of lupex (the int16
    store) and of the march against a 0.05-pixel ray march, where the horizon is above 0 deg.
``dask``
    ``write_horizons_zarr(..., scheduler=address)`` on a ``dask.distributed.LocalCluster`` of
    worker processes (1 thread, 1 numba thread each): 1 worker against 2.
``gpu``
    Where a real CUDA GPU is usable (``lupex[gpu]``): the GPU engine on the profile cases, its
    pixel-azimuths per second, the ratio to the CPU engine (all cores) and max |GPU - CPU|.
    Elsewhere it prints "no GPU: skipped" and why. ``scripts/horizon_gpu_benchmark.sh`` runs
    this section alone.

Usage::

    python benchmarks/horizon.py                       # all sections (~10 min on 2 busy cores)
    python benchmarks/horizon.py --quick               # small sizes (smoke test, ~2 min)
    python benchmarks/horizon.py --sections profile    # one or more of profile,whole,dask,gpu
    python benchmarks/horizon.py --gpu-only            # = --sections gpu
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numba as nb
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
SHARED = Path(os.environ.get("LUPEX_SHARED_DATA", ROOT.parent / "shared" / "data"))
PHASES = ("lines_dem", "lines_far", "hull", "edge_rays", "near")


def _rms(a: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(a)))) if a.size else float("nan")


def _before_kernel():
    """The frozen pre-issue-12 kernel module (imported by name so numba can cache it)."""
    sys.path.insert(0, str(HERE))
    import _horizon_kernel_before

    return _horizon_kernel_before


def _run_tile(prep, az, kernel=None, timings=None, threads=None, tile=None):
    """compute_horizon_tile with another kernel and/or the phase timings; (result, CPU s).

    CPU time of the process (all threads): on a shared, oversubscribed machine it counts the
    work done, not the time spent waiting for a core, so before/after compare per core."""
    from unittest import mock

    import lupex.horizon._kernel as K
    from lupex.horizon import HorizonSettings, compute_horizon_tile

    fn = kernel.azimuth_kernel if kernel is not None else K.azimuth_kernel

    def wrapped(*a, **k):
        if kernel is not None:  # the frozen kernel predates the shared far field (off below)
            k.pop("seam_n", None)
        return fn(*a, timings=timings, **k)

    old = nb.get_num_threads()
    if threads:
        nb.set_num_threads(threads)
    try:
        with mock.patch.object(K, "azimuth_kernel", wrapped):
            t0 = time.process_time()
            out = compute_horizon_tile(prep, az, rows=tile[0] if tile else None,
                                       cols=tile[1] if tile else None,
                                       settings=None if kernel is None else
                                       HorizonSettings(share_far_field=False))
            return out, time.process_time() - t0
    finally:
        nb.set_num_threads(old)


# ---------------------------------------------------------------------------------- profile


def _profile_cases(quick: bool, radius_km: float):
    from lupex.horizon import prepare_horizon
    from lupex.terrain.synth import synthetic_south_pole

    cases = []
    p = SHARED / "lola" / "shackleton_200m.tif"
    if p.exists():
        from lupex.terrain import read_dem

        dem = read_dem(p)
        if quick:
            dem = dem.isel(y=slice(64, 192), x=slice(64, 192))
        prep = prepare_horizon(dem, far_field="auto", far_field_radius_km=radius_km)
        label = f"LOLA Shackleton 200 m {dem.shape[0]}^2, far field {radius_km:g} km"
        cases.append((label if prep.levels else label + " (no LOLA ring)", prep,
                      16 if quick else 24, None))
    else:
        print(f"  {p} absent: the LOLA case is skipped (see ../shared/data/README.md)")
    n = 200 if quick else 500
    syn = synthetic_south_pole(size_km=n * 0.04, pixel_m=40.0, seed=7)
    cases.append((f"synthetic 40 m {n}^2, DEM only", prepare_horizon(syn), 8 if quick else 16,
                  None))
    if not quick:
        cases.append(_tile_case())
    return cases


def _tile_case(n: int = 1536):
    """The whole-pole configuration in small: one 512^2 tile (halo 384 px, the default) in the
    middle of a 1536^2 synthetic DEM at 20 m, with an 80 m far field over +-120 km (smooth
    random relief, 800 m std) beyond the 4x block-maximum copy."""
    import xarray as xr
    from scipy.ndimage import zoom

    from lupex.horizon import prepare_horizon
    from lupex.terrain.synth import synthetic_south_pole

    t = 512
    dem = synthetic_south_pole(size_km=n * 0.02, pixel_m=20.0, seed=7)
    rng = np.random.default_rng(1)
    f = zoom(rng.normal(0.0, 1.0, (100, 100)), 30, order=3)[:3000, :3000] * 800.0
    fx = (np.arange(3000) - 1499.5) * 80.0 + float(dem.x.mean())
    fy = -(np.arange(3000) - 1499.5) * 80.0 + float(dem.y.mean())
    far = xr.DataArray(f.astype(np.float32), dims=("y", "x"),
                       coords={"y": fy, "x": fx}).rio.write_crs(dem.rio.crs)
    far.attrs["source"] = "synthetic 80 m far field"
    prep = prepare_horizon(dem, far_field=far, far_field_radius_km=100.0)
    sl = slice(n // 2 - t // 2, n // 2 + t // 2)
    return (f"tile {t}^2 of a 20 m {n}^2 DEM, halo 384, 80 m far field", prep, 8, (sl, sl))


def profile_section(quick: bool, radius_km: float, repeats: int = 3) -> list[dict]:
    from lupex.horizon import azimuths_deg, ray_march_horizon

    before = _before_kernel()
    rows = []
    for label, prep, n_az, tile in _profile_cases(quick, radius_km):
        rr, cc = tile if tile else (slice(0, prep.z.shape[0]), slice(0, prep.z.shape[1]))
        ny, nx = rr.stop - rr.start, cc.stop - cc.start
        az = azimuths_deg(n_az)  # bin centres, as the product uses them (45 deg included)
        npa = ny * nx * n_az
        rng = np.random.default_rng(0)
        n_ref = 40 if quick else 100
        pts = np.stack([rng.integers(0, ny, n_ref), rng.integers(0, nx, n_ref)], axis=1)
        sel = np.arange(0, n_az, 2)
        ref = ray_march_horizon(prep, pts + np.array([rr.start, cc.start]), az[sel])
        row = {"case": label, "pixels": ny * nx, "azimuths": n_az}
        reps = repeats if tile is None else 2
        kernels = (("before", before), ("after", None))
        best: dict = {name: {"t1": np.inf, "tn": np.inf, "tm": None} for name, _ in kernels}
        for _name, kern in kernels:
            _run_tile(prep, az[:1], kern, threads=1, tile=tile)  # warm-up (numba cache load)
        # interleaved repeats, best of each: the machine is shared, its load changes by the
        # second; the phase split is the repeat whose total was fastest
        for _ in range(reps):
            for name, kern in kernels:
                b = best[name]
                tm: dict[str, float] = {}
                _run_tile(prep, az, kern, timings=tm, threads=1, tile=tile)
                if b["tm"] is None or sum(tm.values()) < sum(b["tm"].values()):
                    b["tm"] = tm
                out, t1 = _run_tile(prep, az, kern, threads=1, tile=tile)
                _, tn = _run_tile(prep, az, kern, tile=tile)
                b["t1"], b["tn"], b["out"] = min(b["t1"], t1), min(b["tn"], tn), out
        for name, _ in kernels:
            b = best[name]
            got = b["out"][sel][:, pts[:, 0], pts[:, 1]].T
            err = got - ref
            row[name] = {"ns_1thread": b["t1"] / npa * 1e9, "ns_all": b["tn"] / npa * 1e9,
                         "phases": {k: b["tm"].get(k, 0.0) / npa * 1e9 for k in PHASES},
                         "rms_vs_ref": _rms(err), "max_vs_ref": float(np.max(np.abs(err))),
                         "p99_vs_ref": float(np.percentile(np.abs(err), 99)),
                         "out": b["out"]}
        d = row["after"]["out"].astype(np.float64) - row["before"]["out"]
        row["max_after_vs_before"] = float(np.max(np.abs(d)))
        for name in ("before", "after"):
            row[name].pop("out")
        rows.append(row)
        _print_profile_row(row)
    if not quick:
        rows.append(tile_coarsening_check())
        rows.append(tile_size_check())
        shared = shared_far_field_check(radius_km)
        if shared:
            rows.append(shared)
    return rows


def tile_size_check(sizes: tuple[int, ...] = (512, 1024)) -> dict:
    """Per-core rate of tile mode against the tile's edge (halo 384, the default): the
    benchmark's tile case, cut from a 2304^2 synthetic DEM at 20 m with its 80 m far field. The
    sweep lines cross the tile and the halo ahead of it, so a bigger tile wastes less."""
    from lupex.horizon import azimuths_deg

    n = 2304
    _, prep, n_az, _ = _tile_case(n)
    az = azimuths_deg(n_az)
    res: dict = {"case": f"tile size, 20 m {n}^2 DEM, halo 384, 80 m far field, {n_az} az"}
    for t in sizes:
        sl = slice(n // 2 - t // 2, n // 2 + t // 2)
        _run_tile(prep, az[:1], threads=1, tile=(sl, sl))
        best = min(_run_tile(prep, az, threads=1, tile=(sl, sl))[1] for _ in range(2))
        res[f"ns_tile_{t}"] = best / (t * t * n_az) * 1e9
    print(f"\n{res['case']}: " + ", ".join(f"{t}^2 tile {res[f'ns_tile_{t}']:.0f} ns"
                                           for t in sizes)
          + " per pixel-azimuth (CPU, 1 thread)")
    return res


def shared_far_field_check(radius_km: float, repeats: int = 5) -> dict | None:
    """The shared far field on and off (``HorizonSettings.share_far_field``), interleaved, on
    the LOLA connecting-ridge crop (40 m under the 1 km LOLA ring: every 8th line continues
    through the far field), with the accuracy of both against the ray march."""
    import time

    from lupex.horizon import (
        HorizonSettings,
        azimuths_deg,
        compute_horizon_tile,
        prepare_horizon,
        ray_march_horizon,
    )
    from lupex.terrain import read_dem

    p = SHARED / "lola" / "connecting_ridge_40m.tif"
    if not p.exists():
        print(f"  {p} absent: the shared far-field check is skipped")
        return None
    prep = prepare_horizon(read_dem(p), far_field="auto", far_field_radius_km=radius_km)
    if not prep.levels:
        print("  no LOLA ring (lupex[lola] not installed): the shared far-field check is skipped")
        return None
    az = azimuths_deg(24)
    npa = prep.z.size * az.size
    rng = np.random.default_rng(0)
    ny, nx = prep.z.shape
    pts = np.stack([rng.integers(0, ny, 60), rng.integers(0, nx, 60)], axis=1)
    sel = np.arange(0, az.size, 2)
    ref = ray_march_horizon(prep, pts, az[sel])
    old = nb.get_num_threads()
    nb.set_num_threads(1)
    best: dict[bool, tuple[float, np.ndarray]] = {}
    try:
        for share in (False, True):
            compute_horizon_tile(prep, az[:1], settings=HorizonSettings(share_far_field=share))
        for _ in range(repeats):
            for share in (False, True):
                t0 = time.process_time()
                out = compute_horizon_tile(prep, az,
                                           settings=HorizonSettings(share_far_field=share))
                dt = time.process_time() - t0
                if share not in best or dt < best[share][0]:
                    best[share] = (dt, out)
    finally:
        nb.set_num_threads(old)
    res: dict = {"case": f"shared far field, LOLA connecting ridge 40 m {ny}x{nx}, "
                 f"ring {radius_km:g} km, 24 az"}
    for share, key in ((False, "own"), (True, "shared")):
        dt, out = best[share]
        res[f"ns_{key}"] = dt / npa * 1e9
        res[f"rms_{key}"] = _rms(out[sel][:, pts[:, 0], pts[:, 1]].T - ref)
    d = best[True][1].astype(np.float64) - best[False][1]
    res["rms_shared_vs_own"] = _rms(d)
    res["max_shared_vs_own"] = float(np.max(np.abs(d)))
    print(f"\n{res['case']} (CPU, 1 thread, best of {repeats} interleaved): every line "
          f"{res['ns_own']:.0f} ns, shared {res['ns_shared']:.0f} ns per pixel-azimuth; RMS vs "
          f"ray march {res['rms_own']:.4f} / {res['rms_shared']:.4f} deg; shared vs every line "
          f"{res['rms_shared_vs_own']:.4f} deg RMS, max {res['max_shared_vs_own']:.3f}")
    return res


def tile_coarsening_check() -> dict:
    """Tile mode's accuracy from the coarse copy alone: the benchmark's 512^2 tile of a 20 m
    1536^2 synthetic DEM (halo 384, 4x blocks), DEM only, against the same tile from the whole
    DEM (halo covering it), with the block maximum (now) and the block mean (before)."""
    import lupex.horizon.core as core
    from lupex.horizon import HorizonSettings, azimuths_deg, compute_horizon_tile, prepare_horizon
    from lupex.terrain.synth import synthetic_south_pole

    n, t = 1536, 512
    prep = prepare_horizon(synthetic_south_pole(size_km=n * 0.02, pixel_m=20.0, seed=7))
    sl = slice(n // 2 - t // 2, n // 2 + t // 2)
    az = azimuths_deg(8)
    whole = compute_horizon_tile(prep, az, rows=sl, cols=sl,
                                 settings=HorizonSettings(tile_halo_px=4096))
    res: dict = {"case": f"tile {t}^2 of a 20 m {n}^2 DEM, halo 384, DEM only, vs whole DEM"}

    def mean(z: np.ndarray, f: int) -> np.ndarray:
        ry, rx = (z.shape[0] // f) * f, (z.shape[1] // f) * f
        return z[:ry, :rx].reshape(ry // f, f, rx // f, f).mean(axis=(1, 3)).astype(np.float32)

    orig = core._coarsen_outer
    for name, fn in (("block_max", orig), ("block_mean", mean)):
        core._coarsen_outer = fn
        prep.coarse.clear()
        try:
            e = compute_horizon_tile(prep, az, rows=sl, cols=sl).astype(np.float64) - whole
        finally:
            core._coarsen_outer = orig
        res[name] = {"rms": _rms(e), "p99": float(np.percentile(np.abs(e), 99)),
                     "bias": float(np.mean(e))}
    print(f"\n{res['case']}: block maximum {res['block_max']['rms']:.4f} deg RMS (p99 "
          f"{res['block_max']['p99']:.3f}, bias {res['block_max']['bias']:+.4f}); block mean "
          f"(before) {res['block_mean']['rms']:.4f} (p99 {res['block_mean']['p99']:.3f}, bias "
          f"{res['block_mean']['bias']:+.4f})")
    return res


def _print_profile_row(r: dict) -> None:
    b, a = r["before"], r["after"]
    print(f"\n{r['case']}: {r['pixels']} px x {r['azimuths']} azimuths (bin centres)")
    hdr = (f"  {'':8s} {'total':>7s} " + " ".join(f"{k:>9s}" for k in PHASES)
           + f" {'RMS-ref':>8s} {'p99-ref':>8s} {'max-ref':>8s}")
    print(hdr + "   [CPU ns per pixel-azimuth, 1 thread; deg]")
    for name, x in (("before", b), ("after", a)):
        print(f"  {name:8s} {x['ns_1thread']:7.0f} "
              + " ".join(f"{x['phases'][k]:9.0f}" for k in PHASES)
              + f" {x['rms_vs_ref']:8.4f} {x['p99_vs_ref']:8.4f} {x['max_vs_ref']:8.3f}")
    sp = b["ns_1thread"] / a["ns_1thread"]
    print(f"  speed-up {sp:.2f}x per core (CPU time; with all threads: "
          f"{b['ns_all'] / a['ns_all']:.2f}x); "
          f"max |after - before| {r['max_after_vs_before']:.3f} deg over the whole cube "
          "(the diagonal-azimuth fix; in a tile also the far-line stride)")


# ------------------------------------------------------------------------------------ whole


@nb.njit(cache=True)
def _march_all(Z, az_rad, dx, dy, step_px, h, R, zmax, out):
    """Brute-force horizon [deg] of every pixel and azimuth into ``out`` (the baseline)."""
    ny, nx = Z.shape
    ds = step_px * abs(dx)  # metres per step
    kmax = int(math.hypot(ny, nx) / step_px) + 2
    dk = np.empty(kmax)
    drop = np.empty(kmax)
    for k in range(kmax):  # distance and curvature drop of step k, the same for every ray
        dk[k] = k * ds
        drop[k] = dk[k] * dk[k] / (2.0 * R)
    _march_rays(Z, az_rad, dx, dy, step_px, h, R, zmax, dk, drop, out)


@nb.njit(parallel=True, cache=True, fastmath=True)
def _march_rays(Z, az_rad, dx, dy, step_px, h, R, zmax, dk, drop, out):
    """The lean baseline march: every pixel and azimuth, ``step_px`` steps on the bilinear DEM,
    flat earth with the curvature drop ``d^2 / 2R``, one division-free comparison per step
    (``z - zO - h - drop > best * d``), and an early exit once even the DEM's highest point
    can no longer rise above the best slope (``zmax - zO - h - drop <= best * d``)."""
    ny, nx = Z.shape
    naz = az_rad.shape[0]
    for p in nb.prange(ny * nx):
        r = p // nx
        c = p % nx
        zO = Z[r, c] + h
        top = zmax - zO
        for ia in range(naz):
            dc = math.sin(az_rad[ia]) * step_px * abs(dx) / dx
            dr = math.cos(az_rad[ia]) * step_px * abs(dx) / dy
            best = -1e300
            k = 1
            while True:
                fr = r + k * dr
                fc = c + k * dc
                if fr < 0.0 or fc < 0.0 or fr > ny - 1.0 or fc > nx - 1.0:
                    break
                d = dk[k]
                if top - drop[k] <= best * d:
                    break
                r0 = min(int(fr), ny - 2)
                c0 = min(int(fc), nx - 2)
                wr = fr - r0
                wc = fc - c0
                z = ((1 - wr) * ((1 - wc) * Z[r0, c0] + wc * Z[r0, c0 + 1])
                     + wr * ((1 - wc) * Z[r0 + 1, c0] + wc * Z[r0 + 1, c0 + 1]))
                num = z - zO - drop[k]
                if num > best * d:
                    best = num / d
                k += 1
            if best > -1e299:
                out[ia, r, c] = math.degrees(math.atan(best))
            else:
                out[ia, r, c] = -math.degrees(math.acos((R + zO - h) / (R + zO)))


_RUNNER = r"""
import json, sys, time
t_start = time.perf_counter()
sys.path.insert(0, {here!r})
from unittest import mock
import lupex.horizon._kernel as K
import lupex.horizon.store as S
if {before!r}:
    import _horizon_kernel_before as B
    def _before(*a, seam_n=0, **k):  # it predates the shared far field (no far field here)
        return B.azimuth_kernel(*a, **k)
    K.azimuth_kernel = _before
acc = {{"compute": 0.0, "write_zarr": 0.0}}
orig_c, orig_w = S.compute_horizon_tile, S.write_horizons_zarr
def comp(*a, **k):
    t0 = time.perf_counter(); r = orig_c(*a, **k); acc["compute"] += time.perf_counter() - t0
    return r
def wz(*a, **k):
    t0 = time.perf_counter(); r = orig_w(*a, **k); acc["write_zarr"] += time.perf_counter() - t0
    acc["t_after_store"] = time.perf_counter()
    return r
S.compute_horizon_tile = comp
S.write_horizons_zarr = wz
from lupex.cli import main
try:
    main(sys.argv[1:])
except SystemExit as e:
    if e.code not in (0, None):
        raise
acc["summary_quicklooks"] = time.perf_counter() - acc.pop("t_after_store")
acc["in_process"] = time.perf_counter() - t_start
print("BENCH" + json.dumps(acc))
"""


def whole_section(n: int, n_az: int, n_ref_px: int) -> dict:
    from lupex.horizon import azimuths_deg, open_horizons, prepare_horizon, ray_march_horizon
    from lupex.terrain.dem import write_dem
    from lupex.terrain.synth import synthetic_south_pole

    dem = synthetic_south_pole(size_km=n * 0.04, pixel_m=40.0, seed=7)
    res: dict = {"case": f"synthetic 40 m {n}^2, {n_az} azimuths, DEM only",
                 "threads": nb.get_num_threads()}
    with tempfile.TemporaryDirectory() as tmp:
        tif = Path(tmp) / "dem.tif"
        write_dem(dem, tif)
        for name in ("before", "after"):
            out = Path(tmp) / f"{name}.zarr"
            code = _RUNNER.format(here=str(HERE), before=name == "before")
            cmd = [sys.executable, "-c", code, "--quiet", "horizon", str(tif), "--azimuths",
                   str(n_az), "--far-field", "none", "--out", str(out)]
            t0 = time.perf_counter()
            p = subprocess.run(cmd, capture_output=True, text=True, check=False)
            wall = time.perf_counter() - t0
            if p.returncode != 0:
                raise RuntimeError(f"lupex horizon ({name}) failed:\n{p.stderr[-2000:]}")
            acc = json.loads(p.stdout.split("BENCH")[-1])
            acc["store"] = acc["write_zarr"] - acc["compute"]
            acc["wall"] = wall
            # Python start, imports, reading the DEM, prepare_horizon, numba cache loading
            acc["startup_prepare"] = wall - acc["write_zarr"] - acc["summary_quicklooks"]
            res[name] = acc
            if name == "after":
                lupex_cube = np.asarray(open_horizons(out).values, np.float64)
        prep = prepare_horizon(dem)
        az = azimuths_deg(n_az)
        march = np.empty((n_az, n, n), np.float32)
        zmax = float(prep.z.max())
        args = (prep.z, np.radians(az), prep.dxs, prep.dys, 0.5, 0.0, 1737400.0, zmax)
        _march_all(np.ascontiguousarray(prep.z[:8, :8]), np.radians(az[:1]), *args[2:],
                   np.empty((1, 8, 8), np.float32))  # compile / load the cache
        t0 = time.perf_counter()
        _march_all(*args, march)
        res["march_s"] = time.perf_counter() - t0
        rng = np.random.default_rng(1)
        pts = np.stack([rng.integers(0, n, n_ref_px), rng.integers(0, n, n_ref_px)], axis=1)
        ref = ray_march_horizon(prep, pts, az, step_px=0.05)
        lx = lupex_cube[:, pts[:, 0], pts[:, 1]].T
        mx = march[:, pts[:, 0], pts[:, 1]].T.astype(np.float64)
        up = ref > 0.0
        res["rms_lupex"] = _rms((lx - ref)[up])
        res["rms_march"] = _rms((mx - ref)[up])
        res["n_ref_rays"] = int(up.sum())
    _print_whole(res)
    return res


def _print_whole(r: dict) -> None:
    print(f"\nwhole process: {r['case']}, {r['threads']} threads")
    print(f"  {'':22s} {'wall s':>7s} {'compute':>8s} {'store':>7s} {'maps+png':>8s} "
          f"{'start+prep':>10s}")
    for name in ("before", "after"):
        a = r[name]
        print(f"  lupex horizon ({name:6s}) {a['wall']:7.1f} {a['compute']:8.1f} {a['store']:7.1f} "
              f"{a['summary_quicklooks']:8.1f} {a['startup_prepare']:10.1f}")
    print(f"  0.5-px numba march     {r['march_s']:7.1f}")
    print(f"  lupex after / before: {r['before']['wall'] / r['after']['wall']:.2f}x faster; "
          f"march / lupex: {r['march_s'] / r['after']['wall']:.2f}x "
          f"(before: {r['march_s'] / r['before']['wall']:.2f}x)")
    print(f"  RMS vs 0.05-px march where the horizon > 0 ({r['n_ref_rays']} rays): "
          f"lupex {r['rms_lupex']:.4f} deg, 0.5-px march {r['rms_march']:.4f} deg")


# ------------------------------------------------------------------------------------- dask


def dask_section(n: int, n_az: int) -> dict:
    from distributed import Client, LocalCluster

    from lupex.horizon import prepare_horizon
    from lupex.terrain.synth import synthetic_south_pole

    prep = prepare_horizon(synthetic_south_pole(size_km=n * 0.04, pixel_m=40.0, seed=7))
    kw = {"n_azimuths": n_az, "tile_size": max(16, n // 2), "azimuth_block": max(1, n_az // 8),
          "overwrite": True}
    res: dict = {"case": f"synthetic 40 m {n}^2, {n_az} azimuths, "
                 f"{4 * 8} chunks of {kw['tile_size']}^2 x {kw['azimuth_block']} azimuths"}
    # A spawned worker process imports this script (numba included) before the cluster's
    # ``env`` is applied, and numba reads NUMBA_NUM_THREADS once, at import: without the
    # variable in this process's environment too, each worker ran numba on every core (one
    # worker used 41 s of CPU in 21.7 s; two oversubscribed the two cores: 0.81x).
    old_env = os.environ.get("NUMBA_NUM_THREADS")
    os.environ["NUMBA_NUM_THREADS"] = "1"  # inherited by the workers; this process's numba
    try:                                   # is already set up and keeps its threads
        _dask_runs(prep, kw, res, LocalCluster, Client)
    finally:
        if old_env is None:
            os.environ.pop("NUMBA_NUM_THREADS", None)
        else:
            os.environ["NUMBA_NUM_THREADS"] = old_env
    res["scaling"] = res["workers_1_s"] / res["workers_2_s"]
    print(f"\ndask.distributed LocalCluster (worker processes, 1 thread + 1 numba thread each): "
          f"{res['case']}")
    print(f"  1 worker {res['workers_1_s']:.1f} s, 2 workers {res['workers_2_s']:.1f} s: "
          f"{res['scaling']:.2f}x (ideal 2x; {os.cpu_count()} cores on this machine, load "
          f"{os.getloadavg()[0]:.1f}); workers' CPU {res['workers_1_cpu_s']:.1f} and "
          f"{res['workers_2_cpu_s']:.1f} s; numba threads per worker {res['numba_threads']}")
    return res


def _dask_runs(prep, kw, res, LocalCluster, Client) -> None:
    from lupex.horizon.store import write_horizons_zarr

    with tempfile.TemporaryDirectory() as tmp:
        for w in (1, 2):
            with LocalCluster(n_workers=w, threads_per_worker=1, processes=True,
                              dashboard_address=None, env={"NUMBA_NUM_THREADS": "1"}) as cl, \
                    Client(cl) as client:
                client.run(lambda: __import__("lupex.horizon.store"))
                res["numba_threads"] = sorted(set(client.run(
                    lambda: __import__("numba").get_num_threads()).values()))
                write_horizons_zarr(prep, Path(tmp) / "warm.zarr", n_azimuths=8, tile_size=16,
                                    azimuth_block=8, scheduler=cl.scheduler_address,
                                    overwrite=True)  # load the numba cache in every worker
                cpu0 = client.run(time.process_time)
                t0 = time.perf_counter()
                write_horizons_zarr(prep, Path(tmp) / f"w{w}.zarr", scheduler=cl.scheduler_address,
                                    **kw)
                res[f"workers_{w}_s"] = time.perf_counter() - t0
                cpu1 = client.run(time.process_time)
                # the workers' CPU time: more than the wall time on one worker means it was
                # not held to one core
                res[f"workers_{w}_cpu_s"] = sum(cpu1[k] - cpu0[k] for k in cpu1)


# -------------------------------------------------------------------------------------- gpu


def gpu_section(quick: bool, radius_km: float) -> list[dict]:
    from lupex.horizon import azimuths_deg, compute_horizon_tile
    from lupex.horizon._gpu import gpu_status

    ok, why = gpu_status()
    if not ok:
        print(f"\nGPU: no GPU: skipped ({why})")
        return []
    from numba import cuda

    name = cuda.get_current_device().name
    print(f"\nGPU: {name.decode() if isinstance(name, bytes) else name}")
    rows = []
    hdr = (f"  {'case':52s} {'CPU Mpx-az/s':>12s} {'GPU Mpx-az/s':>12s} {'GPU/CPU':>8s} "
           f"{'max|GPU-CPU| deg':>16s}")
    print(hdr)
    for label, prep, n_az, tile in _profile_cases(quick, radius_km):
        az = azimuths_deg(n_az)
        kw = {"rows": tile[0], "cols": tile[1]} if tile else {}
        ny, nx = (tile[0].stop - tile[0].start, tile[1].stop - tile[1].start) if tile else prep.z.shape
        compute_horizon_tile(prep, az[:1], device="gpu", **kw)  # compile + first transfers
        t0 = time.perf_counter()
        got = compute_horizon_tile(prep, az, device="gpu", **kw)
        t_gpu = time.perf_counter() - t0
        t0 = time.perf_counter()
        cpu = compute_horizon_tile(prep, az, **kw)
        t_cpu = time.perf_counter() - t0  # wall time, all cores
        r = {"case": label, "cpu": ny * nx * n_az / t_cpu, "gpu": ny * nx * n_az / t_gpu,
             "max": float(np.max(np.abs(got.astype(np.float64) - cpu)))}
        rows.append(r)
        print(f"  {label[:52]:52s} {r['cpu'] / 1e6:12.3f} {r['gpu'] / 1e6:12.3f} "
              f"{r['gpu'] / r['cpu']:8.1f} {r['max']:16.2e}")
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (smoke test)")
    ap.add_argument("--sections", default="profile,whole,dask,gpu",
                    help="comma-separated: profile, whole, dask, gpu")
    ap.add_argument("--gpu-only", action="store_true", help="= --sections gpu")
    ap.add_argument("--radius-km", type=float, default=300.0, help="far-field radius [km]")
    ap.add_argument("--whole-n", type=int, default=None, help="edge of the whole-process DEM [px]")
    ap.add_argument("--whole-az", type=int, default=None, help="azimuths of the whole process")
    ap.add_argument("--json", type=Path, default=None, help="also write the results here")
    a = ap.parse_args(argv)
    sections = {"gpu"} if a.gpu_only else set(a.sections.split(","))
    print(f"numba threads: {nb.get_num_threads()}, cores: {os.cpu_count()}, "
          f"load average {os.getloadavg()[0]:.1f}")
    out: dict = {}
    if "profile" in sections:
        out["profile"] = profile_section(a.quick, a.radius_km)
    if "whole" in sections:
        out["whole"] = whole_section(a.whole_n or (160 if a.quick else 500),
                                     a.whole_az or (72 if a.quick else 360),
                                     40 if a.quick else 200)
    if "dask" in sections:
        out["dask"] = dask_section(96 if a.quick else 512, 16 if a.quick else 360)
    if "gpu" in sections:
        out["gpu"] = gpu_section(a.quick, a.radius_km)
    if a.json:
        a.json.write_text(json.dumps(out, indent=1, default=float))
    return 0


if __name__ == "__main__":
    sys.exit(main())
