"""Benchmark: the numba conduction kernel vs a straightforward per-column numpy loop.

Both solve the same equations (lupex.thermal._kernel docstring: implicit finite volumes,
radiative surface, geothermal bottom) over one lunar day at 1-hour steps at the equator,
from the same spun-up state. Prints a table: size, wall time, column-years simulated per
second, the speed-up ratio, and the max difference of the surface temperature between the two.

    .venv/bin/python benchmarks/thermal.py [--columns 4096] [--baseline-columns 4]
"""

from __future__ import annotations

import argparse
import time

import numba
import numpy as np
from scipy.linalg import solve_banded

from lupex.thermal import (
    SYNODIC_MONTH_S,
    RegolithParams,
    equilibrate,
    heat_capacity,
    idealized_diurnal_flux,
    integrate,
)
from lupex.thermal.conduction import _column_arrays

YEAR_D = 365.25


def numpy_baseline(flux, t0, dt, grid, params, n_iter=8):
    """Per column, per step: build the tridiagonal system and solve it with scipy, Newton on T^4."""
    a = _column_arrays(grid, params)
    kc, dz, rho_w = a["kc"], a["dz"], a["rho_w"]
    es = params.emissivity * 5.670374419e-8
    nt, ncol = flux.shape
    nz = grid.nz
    tsurf = np.empty((nt, ncol))
    for c in range(ncol):
        T = t0[c].copy()
        for t in range(nt):
            Tn = T.copy()
            for it in range(n_iter):
                T_prev = T.copy()
                k = kc * (1 + a["chi350"] * T**3)
                G = 0.5 * (k[:-1] + k[1:]) / dz
                d = T - Tn
                cp = np.where(np.abs(d) > 1e-3, 0.0, heat_capacity(0.5 * (T + Tn)))
                big = np.abs(d) > 1e-3
                if big.any():  # chord heat capacity, as in the kernel
                    def H(x):
                        c0, c1, c2, c3, c4 = params.heat_capacity_coeffs
                        return x * (c0 + x * (c1 / 2 + x * (c2 / 3 + x * (c3 / 4 + x * c4 / 5))))
                    cp[big] = (H(T[big]) - H(Tn[big])) / d[big]
                C = rho_w * cp / dt
                for _newton in range(30):  # Newton on the surface T^4 term, full system each time
                    ab = np.zeros((3, nz))
                    diag = C.copy()
                    diag[:-1] += G
                    diag[1:] += G
                    rhs = C * Tn
                    rhs[-1] += params.geothermal_flux_w_m2
                    t03 = T[0] ** 3
                    diag[0] += 4 * es * t03
                    rhs[0] += flux[t, c] + 3 * es * t03 * T[0]
                    ab[0, 1:] = -G
                    ab[1] = diag
                    ab[2, :-1] = -G
                    new = solve_banded((1, 1), ab, rhs)
                    done = abs(new[0] - T[0]) < 1e-9
                    T = new
                    if done:
                        break
                if it >= 1 and np.max(np.abs(T - T_prev)) < 1e-4:  # the kernel's Picard rule
                    break
            tsurf[t, c] = T[0]
    return tsurf


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--columns", type=int, default=4096)
    ap.add_argument("--baseline-columns", type=int, default=4)
    ap.add_argument("--steps", type=int, default=708, help="steps per lunar day (708 = 1 h)")
    args = ap.parse_args(argv)

    params = RegolithParams()
    f1, _ = idealized_diurnal_flux(0.0, args.steps, params=params)
    dt = SYNODIC_MONTH_S / args.steps
    state1, _ = equilibrate(f1, dt_s=dt, params=params)
    years = SYNODIC_MONTH_S / 86400 / YEAR_D

    def ours(ncol):
        scale = np.linspace(0.2, 1.0, ncol)
        flux = f1[:, None] * scale[None, :]
        st = type(state1)(np.repeat(state1.t_k, ncol, axis=0), state1.grid, state1.params)
        integrate(flux[:2], st, dt_s=dt)  # compile / warm up
        t = time.perf_counter()
        res = integrate(flux, st, dt_s=dt, series_columns=range(min(ncol, args.baseline_columns)))
        return time.perf_counter() - t, res, flux, st

    t_ours, res, flux, st = ours(args.columns)
    nb = args.baseline_columns
    t = time.perf_counter()
    base = numpy_baseline(flux[:, :nb], st.t_k[:nb], dt, st.grid, params)
    t_base = time.perf_counter() - t
    err = np.max(np.abs(base - res.series_k[:nb, :, 0].T))

    rate_ours = args.columns * years / t_ours
    rate_base = nb * years / t_base
    print(f"grid: {st.grid.nz} nodes to {st.grid.bottom_m:.2f} m; {args.steps} steps of {dt:.0f} s "
          f"(one lunar day); numba threads: {numba.get_num_threads()}")
    print(f"{'implementation':<34} {'columns':>8} {'wall_s':>8} {'col_years_per_s':>16} {'ratio':>7}")
    print(f"{'numpy + scipy per-column loop':<34} {nb:>8} {t_base:>8.3f} {rate_base:>16.4g} {1.0:>7.1f}")
    print(f"{'lupex numba kernel (prange)':<34} {args.columns:>8} {t_ours:>8.3f} {rate_ours:>16.4g} "
          f"{rate_ours / rate_base:>7.0f}")
    print(f"max |T_surface(lupex) - T_surface(baseline)| over {nb} columns: {err:.2e} K")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
