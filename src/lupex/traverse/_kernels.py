"""Numba kernels of the route planner: a binary heap, static Dijkstra on travel time, and the
time-expanded label-setting A* with battery / darkness / Earth-contact resources.

All arrays are flat over the grid (cell = row * nx + col). Times are seconds after the start of
the first visibility step, energy in Wh, power in W. See ``docs/traverse.md`` for the algorithm.
"""

from __future__ import annotations

import numba as nb
import numpy as np

DI = np.array([-1, -1, -1, 0, 0, 1, 1, 1], dtype=np.int64)
DJ = np.array([-1, 0, 1, -1, 1, -1, 0, 1], dtype=np.int64)

# rover parameter vector layout (kept in one float64 array so the kernel signature stays short)
RP_CAP, RP_SOCMIN, RP_PBASE, RP_MG, RP_CRR, RP_EFF, RP_PIDLE, RP_PSCI, RP_PHIB = range(9)
RP_MAXDARK, RP_MAXNC, RP_WAITQ, RP_EPS_SOC, RP_EPS_T, RP_DARK_THR = range(9, 15)
N_RP = 15

# counters
C_NLAB, C_NHEAP, C_EXPANDED, C_GOAL, C_SOC, C_DARK, C_COMM, C_HORIZON, C_DOM, C_STATUS = range(10)
N_C = 10
KIND_START, KIND_DRIVE, KIND_WAIT, KIND_SCIENCE = 0, 1, 2, 3


@nb.njit(cache=True, inline="always")
def _push(hk, hv, n, key, val):
    i = n
    hk[i] = key
    hv[i] = val
    while i > 0:
        p = (i - 1) >> 1
        if hk[p] <= hk[i]:
            break
        hk[p], hk[i] = hk[i], hk[p]
        hv[p], hv[i] = hv[i], hv[p]
        i = p
    return n + 1


@nb.njit(cache=True, inline="always")
def _pop(hk, hv, n):
    key = hk[0]
    val = hv[0]
    n -= 1
    hk[0] = hk[n]
    hv[0] = hv[n]
    i = 0
    while True:
        lc = 2 * i + 1
        if lc >= n:
            break
        r = lc + 1
        m = lc
        if r < n and hk[r] < hk[lc]:
            m = r
        if hk[i] <= hk[m]:
            break
        hk[m], hk[i] = hk[i], hk[m]
        hv[m], hv[i] = hv[i], hv[m]
        i = m
    return key, val, n


@nb.njit(cache=True, inline="always")
def _edge(c, n, di, dj, nx, dx, dy, pace, elev, invk):
    """Ground length [m], duration [s] and sine of the grade of the move c -> n."""
    lh = np.sqrt((dj * dx) ** 2 + (di * dy) ** 2) * 0.5 * (invk[c] + invk[n])
    dz = elev[n] - elev[c]
    l3 = np.sqrt(lh * lh + dz * dz)
    tau = l3 * 0.5 * (pace[c] + pace[n])
    return l3, tau, dz / l3


@nb.njit(cache=True, nogil=True)
def static_times(pace, elev, invk, ny, nx, dx, dy, sources):
    """Multi-source Dijkstra on travel time (no illumination, no resources).

    Returns ``(time_s, pred)``: the least travel time from every cell to the nearest source and
    the next cell on that route toward the source (-1 at sources / unreachable). Edge cost
    ``ground_length x (pace_a + pace_b) / 2``, the same rule as the planner (and as
    scikit-image's ``MCP_Geometric`` on a flat grid).
    """
    ncell = ny * nx
    dist = np.full(ncell, np.inf)
    pred = np.full(ncell, -1, dtype=np.int64)
    cap = max(1024, ncell)
    hk = np.empty(cap, dtype=np.float64)
    hv = np.empty(cap, dtype=np.int64)
    nh = 0
    for s in sources:
        if np.isfinite(pace[s]) and dist[s] > 0.0:
            dist[s] = 0.0
            if nh >= cap:
                cap *= 2
                hk2 = np.empty(cap, np.float64)
                hv2 = np.empty(cap, np.int64)
                hk2[:nh] = hk[:nh]
                hv2[:nh] = hv[:nh]
                hk, hv = hk2, hv2
            nh = _push(hk, hv, nh, 0.0, s)
    while nh > 0:
        d, c, nh = _pop(hk, hv, nh)
        if d > dist[c]:
            continue
        ci = c // nx
        cj = c - ci * nx
        for q in range(8):
            ni = ci + DI[q]
            nj = cj + DJ[q]
            if ni < 0 or ni >= ny or nj < 0 or nj >= nx:
                continue
            n = ni * nx + nj
            if not np.isfinite(pace[n]):
                continue
            _, tau, _ = _edge(c, n, DI[q], DJ[q], nx, dx, dy, pace, elev, invk)
            nd = d + tau
            if nd < dist[n]:
                dist[n] = nd
                pred[n] = c
                if nh >= cap:
                    cap *= 2
                    hk2 = np.empty(cap, np.float64)
                    hv2 = np.empty(cap, np.int64)
                    hk2[:nh] = hk[:nh]
                    hv2[:nh] = hv[:nh]
                    hk, hv = hk2, hv2
                nh = _push(hk, hv, nh, nd, n)
    return dist, pred


@nb.njit(cache=True, inline="always")
def _rest(soc, dark, nc, dt, p_in, p_out, sunlit, earth, rp):
    """State after resting ``dt`` seconds under constant conditions; ok=False if a limit breaks."""
    soc2 = min(rp[RP_CAP], soc + (p_in - p_out) * dt / 3600.0)
    dark2 = 0.0 if sunlit else dark + dt
    nc2 = 0.0 if earth else nc + dt
    ok = soc2 >= rp[RP_SOCMIN] - 1e-9 and dark2 <= rp[RP_MAXDARK] and nc2 <= rp[RP_MAXNC]
    return soc2, dark2, nc2, ok


@nb.njit(cache=True)
def _grow(a, n):
    b = np.empty(n, dtype=a.dtype)
    b[: a.shape[0]] = a
    return b


@nb.njit(cache=True, nogil=True)
def plan_kernel(ny, nx, dx, dy, pace, elev, invk, sun_u8, earth_u8, array_w, step_s,
                rp, start_cell, t_start, soc0, targets, sci_s, goal, h, max_labels, cap0):
    """Time-expanded A* with resource labels (see docs/traverse.md, "Algorithm").

    State = (cell, stage, time) with the labels (state of charge, time in darkness, time without
    Earth) attached; ``stage`` counts the targets already visited. Moves: drive to one of the 8
    neighbours (optionally after charging j wait quanta in the current step), wait until the
    next visibility step, do the science at the stage's target. A label is pruned when another
    label at the same (cell, stage), in the same visibility step and no later, would be at least
    as good after waiting in place until it (dominance on SOC and the two clocks).

    Returns the label arrays, the number of labels and the counters.
    """
    ncell = ny * nx
    n_steps = sun_u8.shape[0]
    horizon = n_steps * step_s
    n_targets = targets.shape[0]
    n_stage = n_targets + 1
    thr = rp[RP_DARK_THR]
    waitq = rp[RP_WAITQ]
    eps_soc = rp[RP_EPS_SOC]
    eps_t = rp[RP_EPS_T]
    cap = max(cap0, 1024)
    lt = np.empty(cap, np.float64)
    lsoc = np.empty(cap, np.float32)
    ldark = np.empty(cap, np.float32)
    lnc = np.empty(cap, np.float32)
    lwait = np.empty(cap, np.float32)
    lcell = np.empty(cap, np.int32)
    lstage = np.empty(cap, np.int8)
    lkind = np.empty(cap, np.int8)
    lpar = np.empty(cap, np.int32)
    lnext = np.empty(cap, np.int32)
    alive = np.empty(cap, np.bool_)
    head = np.full(n_stage * ncell, -1, np.int32)
    hk = np.empty(cap, np.float64)
    hv = np.empty(cap, np.int64)
    ctr = np.zeros(10, np.int64)
    ctr[C_GOAL] = -1
    nl = 0
    nh = 0
    # start label
    lt[0] = t_start
    lsoc[0] = soc0
    ldark[0] = 0.0
    lnc[0] = 0.0
    lwait[0] = 0.0
    lcell[0] = start_cell
    lstage[0] = 0
    lkind[0] = KIND_START
    lpar[0] = -1
    lnext[0] = -1
    alive[0] = True
    head[start_cell] = 0
    nl = 1
    nh = _push(hk, hv, nh, t_start + h[0, start_cell], 0)
    # candidate buffer for one expansion (science, wait, 8 drives x 16 delays)
    nbuf = 8 * 16 + 2
    cc = np.empty(nbuf, np.int64)
    cs = np.empty(nbuf, np.int64)
    ct = np.empty(nbuf, np.float64)
    csoc = np.empty(nbuf, np.float64)
    cdark = np.empty(nbuf, np.float64)
    cnc = np.empty(nbuf, np.float64)
    cw = np.empty(nbuf, np.float64)
    ck = np.empty(nbuf, np.int64)
    status = 1
    while nh > 0:
        _, lid, nh = _pop(hk, hv, nh)
        if not alive[lid]:
            continue
        ctr[C_EXPANDED] += 1
        t = lt[lid]
        k = int(t // step_s)
        if k >= n_steps:
            ctr[C_HORIZON] += 1
            continue
        c = lcell[lid]
        s = lstage[lid]
        soc = np.float64(lsoc[lid])
        dark = np.float64(ldark[lid])
        nc = np.float64(lnc[lid])
        su = sun_u8[k, c]
        sunlit = su > thr
        earth = earth_u8[k, c] > 0
        if s == n_targets and goal[c] and sunlit:
            ctr[C_GOAL] = lid
            status = 0
            break
        p_in = array_w[k] * su / 254.0
        t_bound = (k + 1) * step_s
        # candidate successors: (cell, stage, t, soc, dark, nc, wait, kind)
        ncand = 0
        # 1) science at this stage's target (conditions may change across steps: walk them)
        if s < n_targets and c == targets[s]:
            rem = sci_s[s]
            tt = t
            s2, d2, n2 = soc, dark, nc
            ok = True
            while rem > 0:
                kk = int(tt // step_s)
                if kk >= n_steps:
                    ok = False
                    ctr[C_HORIZON] += 1
                    break
                seg = min(rem, (kk + 1) * step_s - tt)
                sl = sun_u8[kk, c] > thr
                pin = array_w[kk] * sun_u8[kk, c] / 254.0
                s2, d2, n2, ok = _rest(s2, d2, n2, seg, pin, rp[RP_PSCI], sl, earth_u8[kk, c] > 0, rp)
                if not ok:
                    if s2 < rp[RP_SOCMIN]:
                        ctr[C_SOC] += 1
                    elif d2 > rp[RP_MAXDARK]:
                        ctr[C_DARK] += 1
                    else:
                        ctr[C_COMM] += 1
                    break
                tt += seg
                rem -= seg
            if ok:
                cc[ncand] = c
                cs[ncand] = s + 1
                ct[ncand] = tt
                csoc[ncand] = s2
                cdark[ncand] = d2
                cnc[ncand] = n2
                cw[ncand] = 0.0
                ck[ncand] = KIND_SCIENCE
                ncand += 1
        # 2) wait in place until the next visibility step
        p_wait = rp[RP_PIDLE] if sunlit else rp[RP_PHIB]
        if t_bound < horizon:
            s2, d2, n2, ok = _rest(soc, dark, nc, t_bound - t, p_in, p_wait, sunlit, earth, rp)
            if ok:
                cc[ncand] = c
                cs[ncand] = s
                ct[ncand] = t_bound
                csoc[ncand] = s2
                cdark[ncand] = d2
                cnc[ncand] = n2
                cw[ncand] = 0.0
                ck[ncand] = KIND_WAIT
                ncand += 1
            elif s2 < rp[RP_SOCMIN]:
                ctr[C_SOC] += 1
            elif d2 > rp[RP_MAXDARK]:
                ctr[C_DARK] += 1
            else:
                ctr[C_COMM] += 1
        else:
            ctr[C_HORIZON] += 1
        # 3) drive to a neighbour, now or after charging j quanta within this step
        ci = c // nx
        cj = c - ci * nx
        charging = sunlit and p_in > p_wait and soc < rp[RP_CAP]
        for j in range(16):
            delay = j * waitq
            if j > 0:
                if not charging or t + delay >= t_bound:
                    break
            sd, dd, nd, ok = _rest(soc, dark, nc, delay, p_in, p_wait, sunlit, earth, rp)
            if not ok:
                break
            for q in range(8):
                ni = ci + DI[q]
                nj = cj + DJ[q]
                if ni < 0 or ni >= ny or nj < 0 or nj >= nx:
                    continue
                n = ni * nx + nj
                if not np.isfinite(pace[n]):
                    continue
                l3, tau, sg = _edge(c, n, DI[q], DJ[q], nx, dx, dy, pace, elev, invk)
                v = l3 / tau
                force = rp[RP_MG] * (rp[RP_CRR] * np.sqrt(max(0.0, 1.0 - sg * sg)) + sg)
                p_out = rp[RP_PBASE] + max(force, 0.0) * v / rp[RP_EFF]
                s2, d2, n2, ok = _rest(sd, dd, nd, tau, p_in, p_out, sunlit, earth, rp)
                if not ok:
                    if s2 < rp[RP_SOCMIN]:
                        ctr[C_SOC] += 1
                    elif d2 > rp[RP_MAXDARK]:
                        ctr[C_DARK] += 1
                    else:
                        ctr[C_COMM] += 1
                    continue
                t2 = t + delay + tau
                if t2 >= horizon:
                    ctr[C_HORIZON] += 1
                    continue
                cc[ncand] = n
                cs[ncand] = s
                ct[ncand] = t2
                csoc[ncand] = s2
                cdark[ncand] = d2
                cnc[ncand] = n2
                cw[ncand] = delay
                ck[ncand] = KIND_DRIVE
                ncand += 1
            if sd >= rp[RP_CAP]:
                break
        # insert candidates with dominance against the (cell, stage) list
        for m in range(ncand):
            n = cc[m]
            s2i = cs[m]
            t2 = ct[m]
            k2 = int(t2 // step_s)
            sl = sun_u8[k2, n] > thr
            er = earth_u8[k2, n] > 0
            pin = array_w[k2] * sun_u8[k2, n] / 254.0
            pw = rp[RP_PIDLE] if sl else rp[RP_PHIB]
            slot = s2i * ncell + n
            idx = head[slot]
            prev = -1
            dominated = False
            while idx != -1:
                nxt = lnext[idx]
                if not alive[idx]:
                    if prev == -1:
                        head[slot] = nxt
                    else:
                        lnext[prev] = nxt
                    idx = nxt
                    continue
                ta = lt[idx]
                if int(ta // step_s) == k2:
                    if ta <= t2:
                        a_soc, a_dark, a_nc, ok = _rest(np.float64(lsoc[idx]), np.float64(ldark[idx]),
                                                        np.float64(lnc[idx]), t2 - ta, pin, pw, sl, er, rp)
                        if ok and a_soc >= csoc[m] - eps_soc and a_dark <= cdark[m] + eps_t \
                                and a_nc <= cnc[m] + eps_t:
                            dominated = True
                            break
                    else:
                        b_soc, b_dark, b_nc, ok = _rest(csoc[m], cdark[m], cnc[m], ta - t2, pin, pw, sl, er, rp)
                        if ok and b_soc >= lsoc[idx] - eps_soc and b_dark <= ldark[idx] + eps_t \
                                and b_nc <= lnc[idx] + eps_t:
                            alive[idx] = False
                            if prev == -1:
                                head[slot] = nxt
                            else:
                                lnext[prev] = nxt
                            idx = nxt
                            continue
                prev = idx
                idx = nxt
            if dominated:
                ctr[C_DOM] += 1
                continue
            if nl >= cap:
                if nl >= max_labels:
                    status = 2
                    break
                cap = min(2 * cap, max_labels)
                lt = _grow(lt, cap)
                lsoc = _grow(lsoc, cap)
                ldark = _grow(ldark, cap)
                lnc = _grow(lnc, cap)
                lwait = _grow(lwait, cap)
                lcell = _grow(lcell, cap)
                lstage = _grow(lstage, cap)
                lkind = _grow(lkind, cap)
                lpar = _grow(lpar, cap)
                lnext = _grow(lnext, cap)
                alive = _grow(alive, cap)
                hk = _grow(hk, cap)
                hv = _grow(hv, cap)
            lt[nl] = t2
            lsoc[nl] = csoc[m]
            ldark[nl] = cdark[m]
            lnc[nl] = cnc[m]
            lwait[nl] = cw[m]
            lcell[nl] = n
            lstage[nl] = s2i
            lkind[nl] = ck[m]
            lpar[nl] = lid
            lnext[nl] = head[slot]
            alive[nl] = True
            head[slot] = nl
            nh = _push(hk, hv, nh, t2 + h[s2i, n], nl)
            nl += 1
        if status == 2:
            break
    ctr[C_NLAB] = nl
    ctr[C_STATUS] = status
    return (lt[:nl], lsoc[:nl], ldark[:nl], lnc[:nl], lwait[:nl], lcell[:nl], lstage[:nl],
            lkind[:nl], lpar[:nl], ctr)
