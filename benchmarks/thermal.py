"""Benchmark: the conduction kernel, and where a temperature-map run spends its time.

Table 1: the numba conduction kernel vs a straightforward per-column numpy loop and vs the
kernel before the lane-batched rewrite (``_thermal_kernel_before.py``), all solving the same
equations (lupex.thermal._kernel docstring) over one lunar day at 1-hour steps at the equator
from the same spun-up state: wall time, column-years per second, ratios, and the max surface
temperature difference.

Table 2 (``--map-px N``, 0 skips it): ``thermal_maps`` on an N x N synthetic south-pole DEM
(40 m pixels) over ``--map-days`` at 1 h steps with as many spin-up days, run twice in the
same process, with the kernel before and after; the time is split into visibility frames +
insolation, the conduction kernel, terrain radiosity (``--radiosity``) and the rest, and the
maps of the two runs are compared. Then a projection for 512 x 512 pixels and one year.

    .venv/bin/python benchmarks/thermal.py [--columns 4096] [--baseline-columns 4]
                                           [--map-px 128 --map-days 30] [--radiosity]
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
_HERE = __import__("pathlib").Path(__file__).resolve().parent


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
    ap.add_argument("--map-px", type=int, default=64, help="map side [px] of table 2 (0: skip)")
    ap.add_argument("--map-days", type=float, default=10.0, help="window and spin-up [d]")
    ap.add_argument("--radiosity", action="store_true",
                    help="table 2 with terrain radiosity (hierarchical view factors, k = 4)")
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
    before = _before_kernel()
    t_before, res_before = _time_kernel(before, flux, st, dt)
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
    rate_before = args.columns * years / t_before
    print(f"{'lupex kernel before (1 column)':<34} {args.columns:>8} {t_before:>8.3f} "
          f"{rate_before:>16.4g} {rate_before / rate_base:>7.0f}")
    print(f"{'lupex numba kernel (16 lanes)':<34} {args.columns:>8} {t_ours:>8.3f} {rate_ours:>16.4g} "
          f"{rate_ours / rate_base:>7.0f}")
    print(f"lanes / before: {t_before / t_ours:.2f}x; max |T(lanes) - T(before)| over all columns "
          f"and depths: {np.max(np.abs(res_before - res.t_max_k)):.2e} K (maxima), "
          f"surface vs baseline over {nb} columns: {err:.2e} K")
    if args.map_px:
        maps_table(args.map_px, args.map_days, args.radiosity, before)
    return 0


def _before_kernel():
    import importlib.util

    spec = importlib.util.spec_from_file_location("_thermal_kernel_before",
                                                  _HERE / "_thermal_kernel_before.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)

    def before(T, T_prev, has_prev, flux, *args):  # the current signature; no extrapolation
        return mod.integrate_kernel(T, flux, *args)

    return before


def _time_kernel(kernel, flux, st, dt):
    """Run ``kernel`` (the integrate_kernel signature) over ``flux``; (wall s, maxima)."""
    from lupex.thermal.conduction import _output_interp

    a = _column_arrays(st.grid, st.params)
    _, idx, w = _output_interp(st.grid, (0.0,))
    ncol = flux.shape[1]

    def go(f):
        T = st.t_k.copy()
        tmax = np.full((ncol, 1), -np.inf)
        z = np.zeros((1, 1))
        kernel(T, np.empty_like(T), False, f, dt, a["rho_w"], a["kc"], a["dz"], a["chi350"], a["cpc"], a["eps"], a["qb"],
               8, False, idx, w, tmax, np.full((ncol, 1), np.inf), np.zeros((ncol, 1)),
               -np.ones(ncol, np.int64), np.zeros((1, 1, 1)), 0, False, z, z, z, np.zeros((1, 3)))
        return tmax

    go(np.ascontiguousarray(flux[:2]))  # compile
    t = time.perf_counter()
    tmax = go(np.ascontiguousarray(flux))
    return time.perf_counter() - t, tmax


class _Timers:
    """Wall time spent inside chosen functions during a map run (patched in, then restored)."""

    def __init__(self):
        self.s = {}
        self._undo = []

    def wrap(self, owner, name, label):
        fn = getattr(owner, name)

        def timed(*a, **k):
            t = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                self.s[label] = self.s.get(label, 0.0) + time.perf_counter() - t

        setattr(owner, name, timed)
        self._undo.append((owner, name, fn))

    def restore(self):
        for owner, name, fn in reversed(self._undo):
            setattr(owner, name, fn)
        self._undo.clear()


def maps_table(n_px, days, radiosity, before_kernel):
    import lupex.thermal.maps as tm
    import lupex.thermal.radiosity as rad
    from lupex.horizon import horizon_map
    from lupex.terrain.synth import synthetic_south_pole

    dem = synthetic_south_pole(size_km=n_px * 0.04, pixel_m=40.0, massifs=False)
    hor = horizon_map(dem, n_azimuths=90)
    F = None
    if radiosity:
        from lupex.thermal.viewfactors import view_factor_operator

        F = view_factor_operator(dem, near_blocks=4)
    stop = np.datetime64("2028-01-01T00:00") + np.timedelta64(int(days * 24), "h")
    kw = dict(spinup_days=days, view_factors=F, depths_m=[0, 0.1, 0.5])
    tm.thermal_maps(dem.isel(x=slice(0, 8), y=slice(0, 8)), np.asarray(hor)[:, :8, :8],
                    "2028-01-01", "2028-01-01T06:00", "1h", spinup_days=0.25)  # compile
    rows, outs = [], {}
    after_kernel = tm.integrate_auto
    for label, kern in (("before", before_kernel), ("after", after_kernel)):
        timers = _Timers()
        tm.integrate_auto = kern
        timers.wrap(tm, "integrate_auto", "conduction")
        timers.wrap(tm._FrameForcing, "__call__", "frames")
        if radiosity:
            timers.wrap(rad, "infrared_flux", "radiosity")
        t = time.perf_counter()
        try:
            ds = tm.thermal_maps(dem, hor, "2028-01-01", str(stop), "1h", **kw)
        finally:
            timers.restore()
            tm.integrate_auto = after_kernel
        total = time.perf_counter() - t
        outs[label] = ds
        rows.append((label, total, timers.s, int(ds.attrs["spinup_cycles"])))
    n_epochs = int(outs["after"].attrs["n_epochs"])
    cycles = rows[1][3]
    print()
    print(f"thermal_maps: {n_px} x {n_px} px, {days:g} d at 1 h ({n_epochs} epochs) after "
          f"{days:g} d of spin-up ({cycles} periods); radiosity: {bool(radiosity)}; "
          f"numba threads: {numba.get_num_threads()}")
    print(f"{'kernel':<8} {'total_s':>8} {'frames_s':>9} {'conduction_s':>13} {'radiosity_s':>12} "
          f"{'other_s':>8} {'ratio':>6}")
    for label, total, s, _ in rows:
        other = total - sum(s.values())
        print(f"{label:<8} {total:>8.1f} {s.get('frames', 0):>9.1f} {s.get('conduction', 0):>13.1f} "
              f"{s.get('radiosity', 0):>12.1f} {other:>8.1f} {rows[0][1] / total:>6.2f}")
    diff = max(float(np.nanmax(np.abs(outs["before"][v].values - outs["after"][v].values)))
               for v in outs["after"].data_vars)
    print(f"max |map(after) - map(before)| over all maps: {diff:.2e} K (float32 maps)")
    # projection: conduction per column-step, frames per pixel-epoch, from the 'after' run
    npix = n_px * n_px
    steps = npix * n_epochs * (cycles + 1)
    s = rows[1][2]
    cond_ns = s["conduction"] / steps * 1e9
    frame_ns = s["frames"] / (npix * n_epochs * 2) * 1e9  # each epoch of both spans computed once
    big, year = 512 * 512, 8766
    cyc = 6  # spin-up periods of a year at the pole (docs/thermal.md)
    cond_h = cond_ns * 1e-9 * big * year * (cyc + 1) / 3600
    frames_h = frame_ns * 1e-9 * big * year * (cyc + 2) / 3600  # a year of frames (9 GB) is not cached
    print(f"per column-step {cond_ns:.0f} ns, per pixel-epoch frames {frame_ns:.0f} ns -> "
          f"512 x 512 px, 1 yr at 1 h after a 1-yr spin-up ({cyc} periods): conduction "
          f"{cond_h:.1f} h + frames {frames_h:.1f} h on {numba.get_num_threads()} threads")


if __name__ == "__main__":
    raise SystemExit(main())
