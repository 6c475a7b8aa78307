"""Numba kernels of the mission timeline: energy and data over visibility steps at one cell.

The visibility is piecewise constant per step (the illumination layer's frames), so the power
balance of an activity at one cell is integrated exactly step by step with the battery model
of :func:`lupex.vehicles.power.battery_step` (same equations, written again here in a compiled
loop because it runs for every event).
"""

from __future__ import annotations

import numba as nb
import numpy as np

from lupex.traverse._kernels import DI, DJ, _edge, _pop, _push

STOP_DONE = 0
STOP_FLOOR = 1      # the charge reached the floor given (stop work and recover)
STOP_SUN = 2        # the Sun came back (end of a hibernation)
STOP_FULL = 3       # the charge reached the target (end of a recharge)
STOP_EMPTY = 4      # the battery emptied: the vehicle is lost


@nb.njit(cache=True, nogil=True)
def integrate(t_a, t_b, cell, gate_cell, load_w, radio_w, soc, stored_mb, sun_u8, earth_u8, array_w,
              rate_kbps, step_s, cap_wh, eta_c, eta_d, floor_wh, target_wh, stop_on_sun,
              can_send, soc_trace, stored_trace, sent_trace, active_trace, mode_code):
    """Integrate battery and data at ``cell`` from ``t_a`` to at most ``t_b`` [s from t0].

    Array power per step = ``array_w[k] x sun_u8[k, cell] / 254``; the vehicle transmits at
    ``rate_kbps[k]`` (already 0 when no station sees the Moon) when ``earth_u8[k, gate_cell] > 0``
    (``gate_cell`` = the transmitter's cell: ``cell`` itself, or the lander's for a relay),
    ``can_send`` and data are stored, drawing ``radio_w`` more. Stops early when the charge
    falls to ``floor_wh`` (a work limit), reaches ``target_wh`` (a recharge), or, with
    ``stop_on_sun``, at the first sunlit step; an empty battery stops with STOP_EMPTY.

    Returns ``(t, soc, stored_mb, sent_mb, soc_min, energy_in_wh, energy_out_wh, status)``.
    The traces (per step) receive the state at the end of each step visited.
    """
    n = sun_u8.shape[0]
    t = t_a
    sent = 0.0
    soc_min = soc
    e_in = 0.0
    e_out = 0.0
    status = STOP_DONE
    while t < t_b - 1e-9:
        k = int(t // step_s)
        if k >= n:
            break
        su = sun_u8[k, cell]
        if stop_on_sun and su > 0:
            status = STOP_SUN
            break
        seg_end = min((k + 1) * step_s, t_b)
        dt = seg_end - t
        p_in = array_w[k] * su / 254.0
        send = can_send and earth_u8[k, gate_cell] > 0 and rate_kbps[k] > 0 and stored_mb > 0
        p_out = load_w + (radio_w if send else 0.0)
        net = p_in - p_out
        # when will the charge hit the floor / the target / zero inside this segment?
        if net >= 0:
            rate_wh_s = net * eta_c / 3600.0
        else:
            rate_wh_s = net / eta_d / 3600.0
        hit = dt
        st = STOP_DONE
        if rate_wh_s < 0:
            if soc + rate_wh_s * dt <= floor_wh:
                hit = max((floor_wh - soc) / rate_wh_s, 0.0)
                st = STOP_FLOOR if floor_wh > 0 else STOP_EMPTY
        elif rate_wh_s > 0 and target_wh > 0 and soc + rate_wh_s * dt >= target_wh:
            hit = max((target_wh - soc) / rate_wh_s, 0.0)
            st = STOP_FULL
        new = soc + rate_wh_s * hit
        if new > cap_wh:
            new = cap_wh
        if new < 0.0:
            new = 0.0
        used = hit
        e_in += p_in * used / 3600.0
        e_out += p_out * used / 3600.0
        soc = new
        v = 0.0
        if send:
            v = rate_kbps[k] * 1e3 * used / 8e6
            if v > stored_mb:
                v = stored_mb
            stored_mb -= v
            sent += v
        if soc < soc_min:
            soc_min = soc
        t = t + used
        soc_trace[k] = soc
        stored_trace[k] = stored_mb
        sent_trace[k] += v
        active_trace[k] = mode_code
        if st != STOP_DONE:
            status = st
            break
    return t, soc, stored_mb, sent, soc_min, e_in, e_out, status


@nb.njit(cache=True)
def next_sunlit_step(sun_u8, cell, k0):
    """First step >= k0 with any part of the Sun visible at ``cell`` (n_steps if none)."""
    n = sun_u8.shape[0]
    for k in range(max(k0, 0), n):
        if sun_u8[k, cell] > 0:
            return k
    return n


@nb.njit(cache=True)
def next_dark_step(sun_u8, cell, k0):
    """First step >= k0 with the Sun fully hidden at ``cell`` (n_steps if none)."""
    n = sun_u8.shape[0]
    for k in range(max(k0, 0), n):
        if sun_u8[k, cell] == 0:
            return k
    return n


@nb.njit(cache=True)
def longest_dark_run(sun_u8, cell, k0, k1):
    """Longest run of dark steps at ``cell`` within [k0, k1) [steps]."""
    best = 0
    run = 0
    for k in range(max(k0, 0), min(k1, sun_u8.shape[0])):
        if sun_u8[k, cell] == 0:
            run += 1
            if run > best:
                best = run
        else:
            run = 0
    return best


def as_contiguous(a: np.ndarray, dtype) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=dtype)


@nb.njit(cache=True, nogil=True)
def astar_path(pace, elev, invk, ny, nx, dx, dy, a, b, min_pace):
    """Least-time route a -> b by A* on the planner's edge costs (:func:`lupex.traverse.
    _kernels._edge`, the same rule as its Dijkstra) with the admissible heuristic
    ``straight-line distance x min_pace`` (a move is never shorter than its horizontal length
    nor faster than the fastest cell). Returns the cells a..b, or an empty array if b is
    unreachable.
    """
    ncell = ny * nx
    g = np.full(ncell, np.inf)
    came = np.full(ncell, -1, dtype=np.int64)
    closed = np.zeros(ncell, dtype=np.bool_)
    cap = 1024
    hk = np.empty(cap, dtype=np.float64)
    hv = np.empty(cap, dtype=np.int64)
    nh = 0
    bi = b // nx
    bj = b - bi * nx
    g[a] = 0.0
    ai = a // nx
    h0 = np.sqrt(((ai - bi) * dy) ** 2 + ((a - ai * nx - bj) * dx) ** 2) * min_pace
    nh = _push(hk, hv, nh, h0, a)
    found = False
    while nh > 0:
        _, c, nh = _pop(hk, hv, nh)
        if closed[c]:
            continue
        if c == b:
            found = True
            break
        closed[c] = True
        ci = c // nx
        cj = c - ci * nx
        for q in range(8):
            ni = ci + DI[q]
            nj = cj + DJ[q]
            if ni < 0 or ni >= ny or nj < 0 or nj >= nx:
                continue
            n = ni * nx + nj
            if closed[n] or not np.isfinite(pace[n]):
                continue
            _, tau, _ = _edge(c, n, DI[q], DJ[q], nx, dx, dy, pace, elev, invk)
            ng = g[c] + tau
            if ng < g[n]:
                g[n] = ng
                came[n] = c
                h = np.sqrt(((ni - bi) * dy) ** 2 + ((nj - bj) * dx) ** 2) * min_pace
                if nh >= cap:
                    cap *= 2
                    hk2 = np.empty(cap, np.float64)
                    hv2 = np.empty(cap, np.int64)
                    hk2[:nh] = hk[:nh]
                    hv2[:nh] = hv[:nh]
                    hk, hv = hk2, hv2
                nh = _push(hk, hv, nh, ng + h, n)
    if not found:
        return np.zeros(0, dtype=np.int64)
    m = 1
    c = b
    while c != a:
        c = came[c]
        m += 1
    out = np.empty(m, dtype=np.int64)
    c = b
    for i in range(m - 1, -1, -1):
        out[i] = c
        if i > 0:
            c = came[c]
    return out
