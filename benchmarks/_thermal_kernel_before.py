"""The conduction kernel as it was before the lane-batched rewrite (commit 6f3df1a), kept as the
"before" of ``benchmarks/thermal.py``. Not used by lupex.

Numba kernel of the 1-D conduction model: fully implicit steps, columns in parallel.

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
least 2, at most ``n_iter``, until no node moves more than 1e-4 K), so the step is fully
implicit in them too and conserves enthalpy to that tolerance even across a sunrise in one
6-hour step.
"""

from __future__ import annotations

import numba
import numpy as np

_SIGMA = 5.670374419e-8
_PICARD_TOL_K = 1e-4  # stop the Picard passes when no node moves more than this [K]


@numba.njit(cache=False, inline="always")
def _cp(t, c0, c1, c2, c3, c4):
    if t < 2.0:
        t = 2.0
    return c0 + t * (c1 + t * (c2 + t * (c3 + t * c4)))


@numba.njit(cache=False, inline="always")
def _enthalpy(t, c0, c1, c2, c3, c4):
    # integral of _cp from 0 (the 2 K floor is immaterial above 2 K)
    return t * (c0 + t * (c1 / 2 + t * (c2 / 3 + t * (c3 / 4 + t * c4 / 5))))


@numba.njit(cache=False, inline="always")
def _cp_chord(t, tn, c0, c1, c2, c3, c4):
    """Chord heat capacity (H(t) - H(tn)) / (t - tn): makes the step conserve enthalpy."""
    d = t - tn
    if abs(d) < 1e-3 or t < 2.0 or tn < 2.0:
        return _cp(0.5 * (t + tn), c0, c1, c2, c3, c4)
    return (_enthalpy(t, c0, c1, c2, c3, c4) - _enthalpy(tn, c0, c1, c2, c3, c4)) / d


@numba.njit(cache=False)
def _step_column(T, Tn, q_abs, dt, rho_w, kc, dz, chi350, cpc, eps, qb, n_iter, k_upper, G, E, F):
    """Advance one column one step; T (in: guess, out: new), Tn previous. Returns nothing."""
    nz = T.shape[0]
    es = eps * _SIGMA
    for _it in range(n_iter):
        # conductances at the current estimate
        kp = kc[0] * (1.0 + chi350 * T[0] * T[0] * T[0])
        for i in range(nz - 1):
            t1 = T[i + 1]
            k1 = kc[i + 1] * (1.0 + chi350 * t1 * t1 * t1)
            G[i] = (kp if k_upper else 0.5 * (kp + k1)) / dz[i]
            kp = k1
        # bottom row
        i = nz - 1
        C = rho_w[i] * _cp_chord(T[i], Tn[i], cpc[0], cpc[1], cpc[2], cpc[3], cpc[4]) / dt
        d = C + G[i - 1]
        E[i] = G[i - 1] / d
        F[i] = (C * Tn[i] + qb) / d
        for i in range(nz - 2, 0, -1):
            C = rho_w[i] * _cp_chord(T[i], Tn[i], cpc[0], cpc[1], cpc[2], cpc[3], cpc[4]) / dt
            d = C + G[i - 1] + G[i] * (1.0 - E[i + 1])
            E[i] = G[i - 1] / d
            F[i] = (C * Tn[i] + G[i] * F[i + 1]) / d
        # surface: C0 (T0 - T0n) - Q + es T0^4 - G0 ((E1 - 1) T0 + F1) = 0
        C0 = rho_w[0] * _cp_chord(T[0], Tn[0], cpc[0], cpc[1], cpc[2], cpc[3], cpc[4]) / dt
        a = C0 + G[0] * (1.0 - E[1])
        b = C0 * Tn[0] + q_abs + G[0] * F[1]
        # a T + es T^4 = b, with a > 0, b > 0: monotone and convex -> Newton from above converges
        t0 = (b / es) ** 0.25
        lin = b / a
        if lin < t0:
            t0 = lin
        # t0 is now an upper bound of the root (both terms positive)
        for _k in range(60):
            t3 = t0 * t0 * t0
            g = a * t0 + es * t3 * t0 - b
            dt0 = g / (a + 4.0 * es * t3)
            t0 -= dt0
            if abs(dt0) < 1e-9:
                break
        change = abs(t0 - T[0])
        T[0] = t0
        for i in range(1, nz):
            new = E[i] * T[i - 1] + F[i]
            d_i = abs(new - T[i])
            if d_i > change:
                change = d_i
            T[i] = new
        if _it >= 1 and change < _PICARD_TOL_K:
            break


@numba.njit(parallel=True, cache=False)
def integrate_kernel(T, flux, dt, rho_w, kc, dz, chi350, cpc, eps, qb, n_iter, k_upper,
                     out_idx, out_w, tmax, tmin, tsum,
                     series_slot, series, t_offset,
                     accumulate, tnode_sum, qsum, gsum, rad_sum):
    """Integrate all columns over ``flux.shape[0]`` steps.

    T : (ncol, nz) state, updated in place. flux : (nt, ncol) absorbed flux [W m-2] at the end of
    each step. Statistics at output depths (linear interpolation between nodes out_idx and
    out_idx + 1 with weight out_w) accumulate into tmax/tmin/tsum (ncol, nd). Columns with
    series_slot >= 0 write their output-depth temperatures into series[slot, t_offset + t, :].
    With ``accumulate``, the node temperatures, interface fluxes G (T_{i+1} - T_i) and
    conductances G accumulate, and rad_sum (ncol, 3) gets T_0^4, T_0^3 and the absorbed flux
    (for the spin-up acceleration).
    """
    ncol, nz = T.shape
    nt = flux.shape[0]
    nd = out_idx.shape[0]
    for c in numba.prange(ncol):
        Tc = T[c].copy()
        Tn = np.empty(nz)
        G = np.empty(nz - 1)
        E = np.empty(nz)
        F = np.empty(nz)
        slot = series_slot[c]
        for t in range(nt):
            for i in range(nz):
                Tn[i] = Tc[i]
            _step_column(Tc, Tn, flux[t, c], dt, rho_w, kc, dz, chi350, cpc, eps, qb, n_iter, k_upper, G, E, F)
            for j in range(nd):
                ii = out_idx[j]
                w = out_w[j]
                v = Tc[ii] * (1.0 - w) + Tc[ii + 1] * w if w > 0.0 else Tc[ii]
                if v > tmax[c, j]:
                    tmax[c, j] = v
                if v < tmin[c, j]:
                    tmin[c, j] = v
                tsum[c, j] += v
                if slot >= 0:
                    series[slot, t_offset + t, j] = v
            if accumulate:
                for i in range(nz):
                    tnode_sum[c, i] += Tc[i]
                for i in range(nz - 1):
                    qsum[c, i] += G[i] * (Tc[i + 1] - Tc[i])
                    gsum[c, i] += G[i]
                t03 = Tc[0] * Tc[0] * Tc[0]
                rad_sum[c, 0] += t03 * Tc[0]
                rad_sum[c, 1] += t03
                rad_sum[c, 2] += flux[t, c]
        for i in range(nz):
            T[c, i] = Tc[i]
