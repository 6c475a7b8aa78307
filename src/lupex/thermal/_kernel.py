"""Numba kernel of the 1-D conduction model: fully implicit steps, columns in parallel.

Finite volumes around nodes z[0] = 0 < z[1] < ... (half volumes at the two ends). One time step
solves, for each column,

    C_i (T_i - T_i^n) = G_{i-1}(T_{i-1} - T_i) + G_i (T_{i+1} - T_i)              (0 < i < N-1)
    C_0 (T_0 - T_0^n) = Q - eps sigma T_0^4 + G_0 (T_1 - T_0)                      (surface)
    C_N (T_N - T_N^n) = G_{N-1}(T_{N-1} - T_N) + Q_b                               (bottom)

with C_i = rho_i c_p w_i / dt (c_p the chord value (H(T) - H(T^n)) / (T - T^n) of the enthalpy
H = integral of c_p dT, so a converged step conserves energy exactly), G_i = (k_i + k_{i+1}) / (2 dz_i) (or k_i / dz_i with ``k_upper``, the rule of heat1d, kept
for validation only: it is first order and biases the subsurface mean warm by ~5 K). The tridiagonal system is
eliminated from the bottom up (Thomas algorithm) to one scalar equation for T_0, solved by
Newton's method (exact for the T^4 term, no linearisation error), then back-substituted.
Conductivity and heat capacity are re-evaluated at the new temperatures (Picard passes, at
most ``n_iter``, until no node moves more than 1e-4 K; a column in steady state stops after
one), so the step is fully implicit in them too and conserves enthalpy to that tolerance even
across a sunrise in one 6-hour step.

Speed: columns are stepped 16 at a time per thread (``LANES``), arrays (node, lane), so the 16
independent Thomas sweeps interleave and the loops over lanes vectorise; a converged lane is
frozen, so every column gets the numbers it would get alone. H(T^n) is computed once per step,
not once per pass; Newton starts from the previous pass's surface temperature; the first pass
starts from the extrapolation 2 T^n - T^(n-1), so most steps need 2 passes instead of 3-4.
"""

from __future__ import annotations

import numba
import numpy as np

_SIGMA = 5.670374419e-8
_PICARD_TOL_K = 1e-4  # stop the Picard passes when no node moves more than this [K]
# fused multiply-add, reciprocals and reassociation only: no "nnan"/"ninf" (the max/min
# accumulators start at -inf/+inf) and no "afn" (the 1/4 power stays exact)
_FASTMATH = {"contract", "arcp", "nsz", "reassoc"}


@numba.njit(cache=True, inline="always")
def _cp(t, c0, c1, c2, c3, c4):
    if t < 2.0:
        t = 2.0
    return c0 + t * (c1 + t * (c2 + t * (c3 + t * c4)))


@numba.njit(cache=True, inline="always")
def _enthalpy(t, c0, c1, c2, c3, c4):
    # integral of _cp from 0 (the 2 K floor is immaterial above 2 K)
    return t * (c0 + t * (c1 / 2 + t * (c2 / 3 + t * (c3 / 4 + t * c4 / 5))))


@numba.njit(cache=True, inline="always")
def _cp_chord_h(t, tn, hn, c0, c1, c2, c3, c4):
    """Chord heat capacity (H(t) - H(tn)) / (t - tn), with H(tn) = ``hn`` known (fixed during a
    step): makes the step conserve enthalpy."""
    d = t - tn
    if abs(d) < 1e-3 or t < 2.0 or tn < 2.0:
        return _cp(0.5 * (t + tn), c0, c1, c2, c3, c4)
    return (_enthalpy(t, c0, c1, c2, c3, c4) - hn) / d


LANES = 16
"""Columns stepped together in one thread: their independent recurrences interleave (the CPU
overlaps the divisions of 8 Thomas sweeps) and the inner loops over lanes vectorise."""


@numba.njit(cache=True, fastmath=_FASTMATH)
def _step_lanes(T, Tn, Hn, q, cw, kc, dz, chi350, cpc, es, qb, n_iter, k_upper, G, E, F,
                active, change, nl):
    """Advance ``nl`` columns one step together; arrays (nz, LANES), lanes >= nl are padding.

    T (in: guess, out: new), Tn the previous state, Hn = H(Tn); cw = rho_w / dt,
    es = eps sigma, q the absorbed flux per lane. A lane that has converged is frozen (its T and G are no longer written), so every lane
    makes exactly the passes, and gets exactly the numbers, it would get alone. Returns the
    number of lane-passes made.
    """
    nz = T.shape[0]
    c0, c1, c2, c3, c4 = cpc[0], cpc[1], cpc[2], cpc[3], cpc[4]
    W = T.shape[1]
    Cl = np.empty(W)
    t0 = np.empty(W)
    for ln in range(W):
        active[ln] = ln < nl
        t0[ln] = T[0, ln]
    n_done = 0
    for _it in range(n_iter):
        n_act = 0
        for ln in range(W):
            if active[ln]:
                n_act += 1
        if n_act == 0:
            break
        n_done += n_act
        # conductances at the current estimate (frozen lanes keep theirs)
        for i in range(nz - 1):
            for ln in range(W):
                ta = T[i, ln]
                tb = T[i + 1, ln]
                ka = kc[i] * (1.0 + chi350 * ta * ta * ta)
                kb = kc[i + 1] * (1.0 + chi350 * tb * tb * tb)
                g = (ka if k_upper else 0.5 * (ka + kb)) / dz[i]
                if active[ln]:
                    G[i, ln] = g
        # bottom row
        i = nz - 1
        for ln in range(W):
            C = cw[i] * _cp_chord_h(T[i, ln], Tn[i, ln], Hn[i, ln], c0, c1, c2, c3, c4)
            inv = 1.0 / (C + G[i - 1, ln])
            E[i, ln] = G[i - 1, ln] * inv
            F[i, ln] = (C * Tn[i, ln] + qb) * inv
        for i in range(nz - 2, 0, -1):
            for ln in range(W):
                C = cw[i] * _cp_chord_h(T[i, ln], Tn[i, ln], Hn[i, ln], c0, c1, c2, c3, c4)
                inv = 1.0 / (C + G[i - 1, ln] + G[i, ln] * (1.0 - E[i + 1, ln]))
                E[i, ln] = G[i - 1, ln] * inv
                F[i, ln] = (C * Tn[i, ln] + G[i, ln] * F[i + 1, ln]) * inv
        for ln in range(W):
            Cl[ln] = cw[0] * _cp_chord_h(T[0, ln], Tn[0, ln], Hn[0, ln], c0, c1, c2, c3, c4)
        # surface: C0 (T0 - T0n) - Q + es T0^4 - G0 ((E1 - 1) T0 + F1) = 0, per lane
        for ln in range(W):
            if not active[ln]:
                continue
            a = Cl[ln] + G[0, ln] * (1.0 - E[1, ln])
            b = Cl[ln] * Tn[0, ln] + q[ln] + G[0, ln] * F[1, ln]
            # a T + es T^4 = b (a, b > 0): g increasing and convex for T > 0, so Newton
            # converges from any positive start (from below, the first step lands above the
            # root; from above it decreases monotonically). Start from the last estimate,
            # capped by the upper bound min(b / a, (b / es)^(1/4)) of the root.
            ub = b / a
            if es * ub * ub * ub * ub > b:
                ub = (b / es) ** 0.25
            x = t0[ln]
            if not (x > 0.0) or x > ub:
                x = ub
            for _k in range(60):
                x3 = x * x * x
                gx = a * x + es * x3 * x - b
                dx = gx / (a + 4.0 * es * x3)
                x -= dx
                if abs(dx) < 1e-9:
                    break
            t0[ln] = x
            change[ln] = abs(x - T[0, ln])
            T[0, ln] = x
        # back-substitution (frozen lanes unchanged)
        for i in range(1, nz):
            for ln in range(W):
                new = E[i, ln] * T[i - 1, ln] + F[i, ln]
                d_i = abs(new - T[i, ln])
                if active[ln]:
                    if d_i > change[ln]:
                        change[ln] = d_i
                    T[i, ln] = new
        for ln in range(W):
            if active[ln] and change[ln] < _PICARD_TOL_K:
                active[ln] = False
    return n_done


def _integrate(T, T_prev, has_prev, flux, dt, rho_w, kc, dz, chi350, cpc, eps, qb, n_iter,
               k_upper, out_idx, out_w, tmax, tmin, tsum,
               series_slot, series, t_offset,
               accumulate, tnode_sum, qsum, gsum, rad_sum):
    """Integrate all columns over ``flux.shape[0]`` steps.

    T : (ncol, nz) state, updated in place. T_prev : (ncol, nz) the state one step earlier
    (used when ``has_prev``; on return it holds the state one step before the new T, so the next
    call continues with ``has_prev=True``): the first Picard pass of a step starts from the
    linear extrapolation 2 T^n - T^(n-1) (floored at T^n / 2) instead of T^n, which saves about
    a third of the passes; the converged step is the same to the Picard tolerance.
    flux : (nt, ncol) absorbed flux [W m-2] at the end of each step. Statistics at output depths (linear interpolation between nodes out_idx and
    out_idx + 1 with weight out_w) accumulate into tmax/tmin/tsum (ncol, nd). Columns with
    series_slot >= 0 write their output-depth temperatures into series[slot, t_offset + t, :].
    With ``accumulate``, the node temperatures, interface fluxes G (T_{i+1} - T_i) and
    conductances G accumulate, and rad_sum (ncol, 3) gets T_0^4, T_0^3 and the absorbed flux
    (for the spin-up acceleration). Columns run in groups of :data:`LANES` (threads over
    groups). Returns the total number of Picard passes made.
    """
    ncol, nz = T.shape
    nt = flux.shape[0]
    nd = out_idx.shape[0]
    W = LANES
    # plain loops, not array expressions: under parallel=True every array expression is a
    # parallel region of its own, and each costs a thread wake-up per call (milliseconds on
    # a loaded machine; one call per step with terrain radiosity)
    cw = np.empty(nz)
    for i in range(nz):
        cw[i] = rho_w[i] / dt
    es = eps * _SIGMA
    c0, c1, c2, c3, c4 = cpc[0], cpc[1], cpc[2], cpc[3], cpc[4]
    ngroup = (ncol + W - 1) // W
    passes = np.empty(ngroup, np.int64)
    for g in numba.prange(ngroup):
        cbase = g * W
        nl = min(W, ncol - cbase)
        Tl = np.empty((nz, W))
        Tn = np.empty((nz, W))
        Hn = np.empty((nz, W))
        G = np.zeros((nz - 1, W))
        E = np.empty((nz, W))
        F = np.empty((nz, W))
        q = np.zeros(W)
        active = np.zeros(W, np.bool_)
        change = np.zeros(W)
        for i in range(nz):
            for ln in range(W):
                Tl[i, ln] = T[cbase + min(ln, nl - 1), i]
        Tp = np.empty((nz, W))
        if has_prev:
            for i in range(nz):
                for ln in range(W):
                    Tp[i, ln] = T_prev[cbase + min(ln, nl - 1), i]
        npass = 0
        for t in range(nt):
            extrapolate = has_prev or t > 0
            for i in range(nz):
                for ln in range(W):
                    ti = Tl[i, ln]
                    Tn[i, ln] = ti
                    Hn[i, ln] = _enthalpy(ti, c0, c1, c2, c3, c4)
                    if extrapolate:
                        Tl[i, ln] = max(2.0 * ti - Tp[i, ln], 0.5 * ti)
                    Tp[i, ln] = ti
            for ln in range(nl):
                q[ln] = flux[t, cbase + ln]
            npass += _step_lanes(Tl, Tn, Hn, q, cw, kc, dz, chi350, cpc, es, qb, n_iter,
                                 k_upper, G, E, F, active, change, nl)
            for ln in range(nl):
                c = cbase + ln
                slot = series_slot[c]
                for j in range(nd):
                    ii = out_idx[j]
                    w = out_w[j]
                    v = Tl[ii, ln] * (1.0 - w) + Tl[ii + 1, ln] * w if w > 0.0 else Tl[ii, ln]
                    if v > tmax[c, j]:
                        tmax[c, j] = v
                    if v < tmin[c, j]:
                        tmin[c, j] = v
                    tsum[c, j] += v
                    if slot >= 0:
                        series[slot, t_offset + t, j] = v
                if accumulate:
                    for i in range(nz):
                        tnode_sum[c, i] += Tl[i, ln]
                    for i in range(nz - 1):
                        qsum[c, i] += G[i, ln] * (Tl[i + 1, ln] - Tl[i, ln])
                        gsum[c, i] += G[i, ln]
                    t03 = Tl[0, ln] * Tl[0, ln] * Tl[0, ln]
                    rad_sum[c, 0] += t03 * Tl[0, ln]
                    rad_sum[c, 1] += t03
                    rad_sum[c, 2] += flux[t, c]
        for ln in range(nl):
            for i in range(nz):
                T[cbase + ln, i] = Tl[i, ln]
                T_prev[cbase + ln, i] = Tp[i, ln]
        passes[g] = npass
    total = 0
    for g in range(ngroup):
        total += passes[g]
    return total


integrate_kernel = numba.njit(parallel=True, cache=True, fastmath=_FASTMATH)(_integrate)
"""The kernel, threads over groups of columns (``prange``)."""


def _renamed(fn, name):
    """A copy of ``fn`` under another name (numba's on-disk cache is keyed by the name)."""
    import types

    f = types.FunctionType(fn.__code__, fn.__globals__, name, fn.__defaults__, fn.__closure__)
    f.__qualname__ = name
    return f


integrate_kernel_serial = numba.njit(cache=True, fastmath=_FASTMATH)(
    _renamed(_integrate, "_integrate_serial"))
"""The same kernel in the calling thread: for small calls (one step of a few thousand
columns), where waking the thread pool costs more than the work."""

SERIAL_BELOW = 2**15
"""Column-steps per call under which callers use :data:`integrate_kernel_serial`."""


def integrate_auto(T, T_prev, has_prev, flux, *args):
    """:data:`integrate_kernel` or, for fewer than :data:`SERIAL_BELOW` column-steps,
    :data:`integrate_kernel_serial` (identical numbers)."""
    k = integrate_kernel_serial if flux.shape[0] * flux.shape[1] < SERIAL_BELOW else integrate_kernel
    return k(T, T_prev, bool(has_prev), flux, *args)
