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
RP_MAXDARK, RP_MAXNC, RP_WAITQ, RP_EPS_SOC, RP_EPS_T, RP_DARK_THR, RP_EPS_NC = range(9, 16)
N_RP = 16

# counters
C_NLAB, C_NHEAP, C_EXPANDED, C_GOAL, C_SOC, C_DARK, C_COMM, C_HORIZON, C_DOM, C_STATUS = range(10)
C_WALK, C_CAND = 10, 11
N_C = 12
KIND_START, KIND_DRIVE, KIND_WAIT, KIND_SCIENCE = 0, 1, 2, 3
MAX_PROJECT = 1
"""Dominance looks at most this many visibility steps ahead when projecting a wait."""



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
def _lt2(a1, a2, b1, b2):
    return a1 < b1 or (a1 == b1 and a2 < b2)


@nb.njit(cache=True, inline="always")
def _push2(hk, hk2, hv, n, key, key2, val):
    """Push onto a heap ordered by (key, key2)."""
    i = n
    hk[i] = key
    hk2[i] = key2
    hv[i] = val
    while i > 0:
        p = (i - 1) >> 1
        if not _lt2(hk[i], hk2[i], hk[p], hk2[p]):
            break
        hk[p], hk[i] = hk[i], hk[p]
        hk2[p], hk2[i] = hk2[i], hk2[p]
        hv[p], hv[i] = hv[i], hv[p]
        i = p
    return n + 1


@nb.njit(cache=True, inline="always")
def _pop2(hk, hk2, hv, n):
    val = hv[0]
    n -= 1
    hk[0] = hk[n]
    hk2[0] = hk2[n]
    hv[0] = hv[n]
    i = 0
    while True:
        lc = 2 * i + 1
        if lc >= n:
            break
        r = lc + 1
        m = lc
        if r < n and _lt2(hk[r], hk2[r], hk[lc], hk2[lc]):
            m = r
        if not _lt2(hk[m], hk2[m], hk[i], hk2[i]):
            break
        hk[m], hk[i] = hk[i], hk[m]
        hk2[m], hk2[i] = hk2[i], hk2[m]
        hv[m], hv[i] = hv[i], hv[m]
        i = m
    return val, n


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


@nb.njit(cache=True, inline="always")
def _project(soc, dark, nc, ta, tb, cell, sun_u8, earth_u8, array_w, step_s, rp, max_steps):
    """State of a label at ``cell`` after waiting in place from ``ta`` to ``tb`` (walking the
    visibility steps in between, at most ``max_steps``); ok=False if a limit breaks."""
    t = ta
    n = 0
    while tb - t > 1e-9:
        k = int(t // step_s)
        if k >= sun_u8.shape[0] or n >= max_steps:
            return soc, dark, nc, False
        seg = min(tb, (k + 1) * step_s) - t
        if seg <= 0.0:  # t sits on a boundary up to rounding: step to the next
            t = (k + 1) * step_s
            n += 1
            continue
        su = sun_u8[k, cell]
        sl = su > rp[RP_DARK_THR]
        pw = rp[RP_PIDLE] if sl else rp[RP_PHIB]
        soc, dark, nc, ok = _rest(soc, dark, nc, seg, array_w[k] * su / 254.0, pw, sl,
                                  earth_u8[k, cell] > 0, rp)
        if not ok:
            return soc, dark, nc, False
        t += seg
        n += 1
    return soc, dark, nc, True


@nb.njit(cache=True, inline="always")
def _hfind(tk, key):
    """Index of ``key`` in the open-addressing table ``tk``, or of the empty slot it goes in."""
    mask = tk.shape[0] - 1
    h = key * np.int64(-7046029254386353131)
    i = (h ^ (h >> 29)) & mask
    while tk[i] != -1 and tk[i] != key:
        i = (i + 1) & mask
    return i


@nb.njit(cache=True)
def _hgrow(tk, tv):
    """Double the table and re-insert every entry."""
    nk = np.full(2 * tk.shape[0], -1, np.int64)
    nv = np.full(2 * tk.shape[0], -1, np.int32)
    for i in range(tk.shape[0]):
        if tk[i] != -1:
            j = _hfind(nk, tk[i])
            nk[j] = tk[i]
            nv[j] = tv[i]
    return nk, nv


@nb.njit(cache=True)
def _grow(a, n):
    b = np.empty(n, dtype=a.dtype)
    b[: a.shape[0]] = a
    return b


@nb.njit(cache=True, nogil=True)
def plan_kernel(ny, nx, dx, dy, pace, elev, invk, sun_u8, earth_u8, array_w, step_s,
                rp, start_cell, t_start, soc0, targets, sci_s, goal, h, t_goal_lit, max_labels, cap0):
    """Time-expanded A* with resource labels (see docs/traverse.md, "Algorithm").

    State = (cell, stage, time) with the labels (state of charge, time in darkness, time without
    Earth) attached; ``stage`` counts the targets already visited. Moves: drive to one of the 8
    neighbours (optionally after charging j wait quanta in the current step), wait until the
    next visibility step, do the science at the stage's target. A label is pruned when another
    label at the same (cell, stage), no later and at most MAX_PROJECT visibility steps earlier,
    would be at least as good after waiting in place until it (dominance on SOC and the two
    clocks, the wait simulated step by step). Labels are listed per (cell, stage, step) in a
    hash table, so a comparison only visits the few labels of nearby steps.

    The heap is ordered by ``f = max(t + h, t_goal_lit)`` (``h`` the static travel time through
    the remaining targets, ``t_goal_lit`` the first time any end cell is sunlit: both lower
    bounds of the arrival time, and consistent), ties broken toward later ``t`` (so among equally
    good states the search waits in place rather than fanning out).

    Returns the label arrays, the number of labels and the counters.
    """
    ncell = ny * nx
    n_steps = sun_u8.shape[0]
    horizon = n_steps * step_s
    n_targets = targets.shape[0]
    thr = rp[RP_DARK_THR]
    waitq = rp[RP_WAITQ]
    eps_soc = rp[RP_EPS_SOC]
    eps_t = rp[RP_EPS_T]      # darkness-clock resolution [s]
    eps_nc = rp[RP_EPS_NC]    # Earth-clock resolution [s]
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
    # label lists keyed by (cell, stage, visibility step) in an open-addressing hash table
    tk = np.full(1 << 16, -1, np.int64)
    tv = np.full(1 << 16, -1, np.int32)
    n_keys = 0
    hk = np.empty(cap, np.float64)
    hk2 = np.empty(cap, np.float64)
    hv = np.empty(cap, np.int64)
    ctr = np.zeros(N_C, np.int64)
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
    i0 = _hfind(tk, np.int64(start_cell) * n_steps + int(t_start // step_s))
    tk[i0] = np.int64(start_cell) * n_steps + int(t_start // step_s)
    tv[i0] = 0
    n_keys = 1
    nl = 1
    nh = _push2(hk, hk2, hv, nh, max(t_start + h[0, start_cell], t_goal_lit), -t_start, 0)
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
        lid, nh = _pop2(hk, hk2, hv, nh)
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
        ctr[C_CAND] += ncand
        for m in range(ncand):
            n = cc[m]
            s2i = cs[m]
            t2 = ct[m]
            k2 = int(t2 // step_s)
            slot = np.int64(s2i * ncell + n) * n_steps
            dominated = False
            for kk in range(max(0, k2 - MAX_PROJECT), min(n_steps, k2 + MAX_PROJECT + 1)):
                hi = _hfind(tk, slot + kk)
                if tk[hi] == -1:
                    continue
                idx = tv[hi]
                wprev = -1
                while idx != -1:
                    nxt = lnext[idx]
                    if not alive[idx]:
                        if wprev == -1:
                            tv[hi] = nxt
                        else:
                            lnext[wprev] = nxt
                        idx = nxt
                        continue
                    ta = lt[idx]
                    ctr[C_WALK] += 1
                    if ta <= t2:
                        # a wait is judged only against labels of the same instant: the earlier
                        # label's own wait chain is what makes projecting it forward legitimate
                        if ck[m] != KIND_WAIT or t2 - ta < 1e-6:
                            a_soc, a_dark, a_nc, ok = _project(
                                np.float64(lsoc[idx]), np.float64(ldark[idx]), np.float64(lnc[idx]),
                                ta, t2, n, sun_u8, earth_u8, array_w, step_s, rp, MAX_PROJECT + 1)
                            if ok and a_soc >= csoc[m] - eps_soc and a_dark <= cdark[m] + eps_t \
                                    and a_nc <= cnc[m] + eps_nc:
                                dominated = True
                                break
                    elif lkind[idx] != KIND_WAIT or ta - t2 < 1e-6:
                        b_soc, b_dark, b_nc, ok = _project(csoc[m], cdark[m], cnc[m], t2, ta, n, sun_u8,
                                                           earth_u8, array_w, step_s, rp, MAX_PROJECT + 1)
                        if ok and b_soc >= lsoc[idx] - eps_soc and b_dark <= ldark[idx] + eps_t \
                                and b_nc <= lnc[idx] + eps_nc:
                            alive[idx] = False
                            if wprev == -1:
                                tv[hi] = nxt
                            else:
                                lnext[wprev] = nxt
                            idx = nxt
                            continue
                    wprev = idx
                    idx = nxt
                if dominated:
                    break
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
                hk2 = _grow(hk2, cap)
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
            alive[nl] = True
            if 2 * (n_keys + 1) > tk.shape[0]:
                tk, tv = _hgrow(tk, tv)
            hi = _hfind(tk, slot + k2)
            if tk[hi] == -1:
                tk[hi] = slot + k2
                tv[hi] = -1
                n_keys += 1
            lnext[nl] = tv[hi]
            tv[hi] = nl
            nh = _push2(hk, hk2, hv, nh, max(t2 + h[s2i, n], t_goal_lit), -t2, nl)
            nl += 1
        if status == 2:
            break
    ctr[C_NLAB] = nl
    ctr[C_STATUS] = status
    return (lt[:nl], lsoc[:nl], ldark[:nl], lnc[:nl], lwait[:nl], lcell[:nl], lstage[:nl],
            lkind[:nl], lpar[:nl], ctr)
