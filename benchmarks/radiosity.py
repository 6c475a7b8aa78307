"""Benchmark: view-factor build and radiosity solve, lupex kernels vs straightforward numpy.

Run: ``python benchmarks/radiosity.py [--quick]``. Prints four tables:

1. view-factor build (numba, parallel, sparse upper triangle) vs a per-row numpy loop that
   does the same centre-to-centre kernel and height-field march (dense), same run, with the
   largest difference between the two matrices;
2. scattered-light solve (sparse Neumann series) vs a dense ``numpy.linalg.solve`` of
   ``(I - A F) B = A E``, with the largest flux difference;
3. scaling of the lupex path alone: full (all pairs) vs a distance cut-off, with nnz, memory,
   build and solve time and the energy dropped by the cut-off (truncation_loss); also on the real
   Shackleton 200 m LOLA crop when ../shared/data is present;
4. the hierarchical operator (``view_factor_operator``) against all pairs: storage, time and
   the temperature error it brings.

Terrain: a bowl crater (d/D = 0.2) with 20 m of smoothed roughness, so that visibility and
shadows matter.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
from scipy.ndimage import gaussian_filter

from lupex.io.maps import make_map
from lupex.thermal._vf_bowl import spherical_bowl_dem
from lupex.thermal.radiosity import equilibrium_temperature, scattered_flux
from lupex.thermal.viewfactors import (
    direct_flux_point_sun,
    facets_from_dem,
    sun_vector,
    truncation_loss,
    view_factor_matrix,
    view_factor_operator,
)

STEP_PX, SKIP_PX = 0.5, 1.0  # the same march parameters as the kernel


def rough_bowl(n_px: int, pixel_m: float = 100.0, seed: int = 0):
    dem, _ = spherical_bowl_dem(0.8 * n_px * pixel_m, 0.2, pixel_m=pixel_m,
                                margin_px=int(np.ceil(0.1 * n_px)) + 1)
    dem = dem.isel(y=slice(0, n_px), x=slice(0, n_px))
    noise = gaussian_filter(np.random.default_rng(seed).normal(size=dem.shape), 2.0)
    z = dem.values + 20.0 * noise / noise.std()
    return make_map(z, x=dem["x"].values, y=dem["y"].values, name="elevation_m", units="m",
                    long_name="rough bowl")


def baseline_view_factors(fac) -> np.ndarray:
    """Straightforward numpy: a Python loop over facets, numpy over partners (dense)."""
    g = fac.grid
    zg = g.z_m
    ny, nx = zg.shape
    pos, nrm, area = fac.position_m, fac.normal, fac.area_m2
    fr = (pos[:, 1] - g.y0) / g.sy
    fc = (pos[:, 0] - g.x0) / g.sx
    n = fac.n
    F = np.zeros((n, n))
    for i in range(n):
        d = pos - pos[i]
        d2 = (d * d).sum(axis=1)
        d2[i] = np.inf
        ci = d @ nrm[i]
        cj = -(d * nrm).sum(axis=1)
        cand = np.nonzero((ci > 0) & (cj > 0))[0]
        if cand.size == 0:
            continue
        dr, dc = fr[cand] - fr[i], fc[cand] - fc[i]
        length = np.hypot(dr, dc)
        short = length <= 2 * SKIP_PX  # too short to test: visible (as in the kernel)
        nseg = np.ceil(length / STEP_PX).astype(int)
        kmax = max(int(nseg.max()), 2)
        k = np.arange(1, kmax)[None, :]
        t = k / nseg[:, None]
        s = t * length[:, None]
        test = (k < nseg[:, None]) & (s >= SKIP_PX) & (length[:, None] - s >= SKIP_PX)
        r = np.clip(fr[i] + t * dr[:, None], 0, ny - 1)
        c = np.clip(fc[i] + t * dc[:, None], 0, nx - 1)
        r0 = np.minimum(r.astype(int), ny - 2)
        c0 = np.minimum(c.astype(int), nx - 2)
        wr, wc = r - r0, c - c0
        zt = ((1 - wr) * ((1 - wc) * zg[r0, c0] + wc * zg[r0, c0 + 1])
              + wr * ((1 - wc) * zg[r0 + 1, c0] + wc * zg[r0 + 1, c0 + 1]))
        zs = pos[i, 2] + t * (pos[cand, 2] - pos[i, 2])[:, None]
        visible = short | ~np.any(test & (zs < zt), axis=1)
        F[i, cand] = np.where(visible, ci[cand] * cj[cand] / (np.pi * d2[cand] ** 2) * area[cand], 0)
    return F


def timed(fn, *a, repeat=1, **kw):
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn(*a, **kw)
        best = min(best, time.perf_counter() - t0)
    return out, best


def main(quick: bool = False) -> None:
    # warm up the JIT (compile time is not part of the comparison)
    fac0 = facets_from_dem(rough_bowl(12))
    view_factor_matrix(fac0)
    direct_flux_point_sun(fac0, sun_vector(180, 10), flux_w_m2=1361)
    print(f"threads: numba {os.environ.get('NUMBA_NUM_THREADS', os.cpu_count())}\n")

    sizes = (24, 40) if quick else (32, 56)
    print("1) view-factor build: lupex (numba, sparse) vs numpy per-row loop (dense)")
    print(f"{'grid':>7} {'facets':>7} {'nnz':>9} {'numba s':>9} {'numpy s':>9} {'ratio':>7} {'max|dF|':>9}")
    mats = {}
    for n in sizes:
        fac = facets_from_dem(rough_bowl(n))
        F, t_ours = timed(view_factor_matrix, fac, repeat=3)
        Fb, t_base = timed(baseline_view_factors, fac)
        diff = float(np.abs(F.toarray() - Fb).max())
        mats[n] = (fac, F, Fb)
        print(f"{n:>4}x{n:<2} {fac.n:>7} {F.nnz:>9} {t_ours:>9.3f} {t_base:>9.2f} "
              f"{t_base / t_ours:>7.0f} {diff:>9.2e}")

    print("\n2) scattered-light solve, albedo 0.12, Sun at 10 deg: sparse Neumann vs dense solve")
    print(f"{'grid':>7} {'facets':>7} {'sparse s':>9} {'dense s':>9} {'ratio':>7} {'max|dQ| W/m2':>13}")
    for n in sizes:
        fac, F, Fb = mats[n]
        E = direct_flux_point_sun(fac, sun_vector(180, 10), flux_w_m2=1361)
        Q, t_ours = timed(scattered_flux, F, E, 0.12, repeat=5)

        def dense(Fd=Fb, E=E):
            B = np.linalg.solve(np.eye(Fd.shape[0]) - 0.12 * Fd, 0.12 * E)
            return Fd @ B

        Qb, t_base = timed(dense, repeat=3)
        print(f"{n:>4}x{n:<2} {fac.n:>7} {t_ours:>9.4f} {t_base:>9.3f} {t_base / t_ours:>7.0f} "
              f"{float(np.abs(Q - Qb).max()):>13.2e}")

    print("\n3) scaling of the lupex path: all pairs vs distance cut-off")
    print("   (row loss = view factor dropped per facet; dT = largest change of the no-conduction")
    print("    equilibrium temperature of shadowed facets against all pairs, Sun at 5 deg)")
    print(f"{'terrain':>18} {'facets':>7} {'truncate':>8} {'nnz':>10} {'MB':>7} {'build s':>8} "
          f"{'solve s':>8} {'max row loss':>12} {'rel loss':>9} {'max|dT| K':>9}")
    variants = ({}, {"min_factor": 1e-6}, {"min_factor": 1e-5}, {"max_distance_m": 3000.0},
                {"max_distance_m": 1500.0})
    cases = [("rough bowl 64", rough_bowl(64), variants)]
    if not quick:
        cases.append(("rough bowl 96", rough_bowl(96), variants))
    shared = Path(os.environ.get("LUPEX_SHARED_DATA",
                                 Path(__file__).resolve().parents[2] / "shared" / "data"))
    lola = shared / "lola" / "shackleton_200m.tif"
    if lola.exists() and not quick:
        import rioxarray
        da = rioxarray.open_rasterio(lola).squeeze("band", drop=True).astype(float)
        da = da.isel(y=slice(128, 192), x=slice(144, 208))  # 64 x 64 (12.8 km), Shackleton
        cases.append(("Shackleton 200m", da, ({}, {"min_factor": 1e-5},
                                               {"max_distance_m": 6000.0},
                                               {"max_distance_m": 3000.0})))
    elif not lola.exists():
        print(f"   (real terrain skipped: {lola} not present)")
    for name, dem, cutoffs in cases:
        fac = facets_from_dem(dem)
        E = direct_flux_point_sun(fac, sun_vector(180, 5), flux_w_m2=1361)
        full = t_full = None
        shadow = E == 0
        for kw in cutoffs:
            F, tb = timed(view_factor_matrix, fac, **kw)
            _, ts = timed(scattered_flux, F, E, 0.12, repeat=3)
            T = equilibrium_temperature(F, E, albedo=0.12, emissivity=0.95)
            mb = (F.data.nbytes + F.indices.nbytes + F.indptr.nbytes) / 1e6
            if not kw:
                full, t_full = F, T
                loss = {"max_deficit": 0.0, "relative_loss": 0.0}
            else:
                loss = truncation_loss(F, full)
            dt = float(np.abs(T - t_full)[shadow].max(initial=0.0))
            cs = ("none" if not kw else f"{kw['max_distance_m'] / 1000:g} km"
                  if "max_distance_m" in kw else f"F<{kw['min_factor']:g}")
            print(f"{name:>18} {fac.n:>7} {cs:>8} {F.nnz:>10} {mb:>7.1f} {tb:>8.2f} {ts:>8.4f} "
                  f"{loss['max_deficit']:>12.4f} {loss['relative_loss']:>9.3%} {dt:>9.2f}")

    print("\n4) hierarchical operator (view_factor_operator, 2-px base blocks) vs all pairs")
    print("   (dT over shadowed facets of the no-conduction equilibrium, Sun at 5 deg)")
    print(f"{'terrain':>14} {'facets':>7} {'k':>3} {'levels':>6} {'entries':>10} {'MB':>7} "
          f"{'build s':>8} {'solve s':>8} {'mean|dT| K':>10} {'max|dT| K':>9}")
    for n in ((48,) if quick else (64, 96)):
        fac = facets_from_dem(rough_bowl(n))
        E = direct_flux_point_sun(fac, sun_vector(180, 5), flux_w_m2=1361)
        shadow = E == 0
        F, tb = timed(view_factor_matrix, fac)
        _, ts = timed(scattered_flux, F, E, 0.12, repeat=3)
        t_full = equilibrium_temperature(F, E, albedo=0.12, emissivity=0.95)
        mb = (F.data.nbytes + F.indices.nbytes + F.indptr.nbytes) / 1e6
        print(f"{'rough bowl ' + str(n):>14} {fac.n:>7} {'all':>3} {'-':>6} {F.nnz:>10} {mb:>7.1f} "
              f"{tb:>8.2f} {ts:>8.4f} {0.0:>10.2f} {0.0:>9.2f}")
        del F
        for k in (4, 8):
            op, tb = timed(view_factor_operator, fac, block_px=2, near_blocks=k)
            _, ts = timed(scattered_flux, op, E, 0.12, repeat=3)
            dt = np.abs(equilibrium_temperature(op, E, albedo=0.12, emissivity=0.95) - t_full)[shadow]
            print(f"{'':>14} {fac.n:>7} {k:>3} {op.levels:>6} {op.nnz:>10} {op.nbytes / 1e6:>7.1f} "
                  f"{tb:>8.2f} {ts:>8.4f} {dt.mean():>10.2f} {dt.max():>9.2f}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes only (CI smoke run)")
    main(ap.parse_args().quick)
