"""Safe havens: the energy a rover needs, at each place and time, to live to the end of the mission.

At the lunar poles the Sun circles the horizon once a synodic month, so a cell behind a ridge
is dark for days while another a few hundred metres away is lit. A solar rover without
radioisotope heaters survives by moving: before a darkness longer than its battery can carry
at the hibernation load, it drives to a "safe haven" (a place that stays lit, or whose coming
darkness it can carry), waits and charges there, and plans its excursions into shadow so that
it can always get back. This is VIPER's operations concept: active work while Sun and
direct-to-Earth overlap, "safe haven operations" otherwise (Colaprete et al. 2021 [1]), routes
planned so that the rover "reaches a safe haven in time to park" (NASA VIPER lunar
operations [2]); LUPEX, also solar and battery powered, needs the same.

lupex computes the haven rule once per environment as a survival field, by backward induction
(dynamic programming, Bellman 1957 [3]) over the mission's visibility steps on a graph of haven
candidates:

- nodes: on blocks of ``f x f`` cells (``f`` keeps the table within a memory budget), the
  passable cell that is lit most often (the block's best haven);
- moves: stay (hibernate or charge), or drive to the node of a neighbouring block, taking
  ``m = ceil(tau / step)`` steps for the least drive time ``tau`` on the known map (Dijkstra
  on the planner's edge costs through the blocks around the node, :func:`_window_times`): a
  node walled off by impassable cells is no move, and a detour costs its real time;
- energy per step (the battery model of :mod:`lupex.vehicles.power`): array input
  ``P_array[k] x min(sun_a, sun_b)`` against the drive load while driving and the hibernation
  load (with survival heaters) otherwise, stored at ``eta_c`` / drawn at ``1 / eta_d``;
- ``V[k, a]`` = the least stored energy at node ``a`` at step ``k`` from which the best
  sequence of moves never empties the battery before the mission ends:
  ``V[n] = 0``; ``V[k, a] = min over moves (need going backwards through the move's steps)``,
  with ``need <- max(0, need - eta_c E_net)`` for a gain and ``need <- need + |E_net| / eta_d``
  for a loss, and infinity where the need exceeds the capacity.

The timeline's rule (:mod:`lupex.mission.timeline`): work only while the charge stays above
the need at the rover's cell plus a margin (:meth:`HavenField.need_wh`: the cheapest nearby
node, reached by driving); below it, follow the field downhill (the best move of each step)
until the charge is above the need by a larger margin, in sunlight. A drive into shadow is thus
an excursion limited by the energy to get back to a haven. Where the need exceeds the capacity
even at full charge, no haven is within reach and the rover falls back to hibernating in place
(its loss is then reported with that cause).

Limits: routes between nodes are sought within one block around the move's ring (a longer
detour is not seen); obstacles met during the mission are not in the field (it is computed
once); the sun of a move is taken as the darker of its two ends; constant loads per mode, no
thermal inertia; a coarse block (``f > 1``) sees only its best cell as a haven.

References
----------
.. [1] Colaprete, A. et al. (2021). Volatiles Investigating Polar Exploration Rover (VIPER).
   NTRS 20210015009 ("safe haven operations" when Sun and direct-to-Earth do not overlap).
.. [2] NASA, "VIPER Lunar Operations", nasa.gov/viper/lunar-operations (two-week traverses
   that reach a safe haven in time to park through communication and sunlight gaps).
.. [3] Bellman, R. (1957). Dynamic Programming. Princeton University Press (backward induction
   of the value function).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numba as nb
import numpy as np

from lupex.traverse import _kernels as TK

RING = 1
"""Blocks a move may cross in one transition (Chebyshev radius)."""

MAX_MOVE_STEPS = 6
"""Longest single move between nodes, in steps."""

INF = np.float32(np.inf)

WINDOW_MARGIN_BLOCKS = 1
"""Blocks beyond a node's move ring that its routes may cross (a detour around an obstacle)."""


@nb.njit(cache=True, nogil=True)
def _window_times(pace, elev, ny, nx, dx, dy, src, i0, i1, j0, j1, stop_s):
    """Least drive time [s] from ``src`` to every cell of rows ``[i0, i1)`` x columns
    ``[j0, j1)`` by routes inside that window: Dijkstra on the planner's edge cost (ground
    length x mean pace of the two cells, :func:`lupex.traverse._kernels._edge`, 8 neighbours,
    flat map scale), stopping beyond ``stop_s``."""
    wy = i1 - i0
    wx = j1 - j0
    m = wy * wx
    dist = np.full(m, np.inf)
    closed = np.zeros(m, dtype=np.bool_)
    cap = 8 * m + 8
    hk = np.empty(cap, dtype=np.float64)
    hv = np.empty(cap, dtype=np.int64)
    si = src // nx - i0
    sj = src - (src // nx) * nx - j0
    ls = si * wx + sj
    dist[ls] = 0.0
    nh = TK._push(hk, hv, 0, 0.0, ls)
    while nh > 0:
        d, lc, nh = TK._pop(hk, hv, nh)
        if closed[lc]:
            continue
        closed[lc] = True
        if d > stop_s:
            break
        li = lc // wx
        lj = lc - li * wx
        c = (li + i0) * nx + lj + j0
        for q in range(8):
            ni = li + TK.DI[q]
            nj = lj + TK.DJ[q]
            if ni < 0 or ni >= wy or nj < 0 or nj >= wx:
                continue
            ln = ni * wx + nj
            n = (ni + i0) * nx + nj + j0
            if closed[ln] or not np.isfinite(pace[n]):
                continue
            lh = np.sqrt((TK.DJ[q] * dx) ** 2 + (TK.DI[q] * dy) ** 2)
            dz = elev[n] - elev[c]
            nd = d + np.sqrt(lh * lh + dz * dz) * 0.5 * (pace[c] + pace[n])
            if nd < dist[ln]:
                dist[ln] = nd
                nh = TK._push(hk, hv, nh, nd, ln)
    return dist


@nb.njit(cache=True, parallel=True)
def _node_moves(pace, elev, ny, nx, dx, dy, nodes, node_of_block, f, ring, margin, max_s):
    """Moves of every node (itself first, then the nodes of the blocks within ``ring``) with
    the least drive time on the known map, through the blocks within ``ring + margin``; a
    node out of reach (walled off, or beyond ``max_s``) is not a move."""
    nn = nodes.size
    nbi, nbj = node_of_block.shape
    kmax = (2 * ring + 1) ** 2
    idx = np.full((nn, kmax), -1, np.int64)
    tau = np.zeros((nn, kmax))
    for a in nb.prange(nn):
        c = nodes[a]
        i = c // nx
        j = c - i * nx
        bi = i // f
        bj = j // f
        i0 = max(0, (bi - ring - margin) * f)
        i1 = min(ny, (bi + ring + margin + 1) * f)
        j0 = max(0, (bj - ring - margin) * f)
        j1 = min(nx, (bj + ring + margin + 1) * f)
        dist = _window_times(pace, elev, ny, nx, dx, dy, c, i0, i1, j0, j1, max_s)
        wx = j1 - j0
        idx[a, 0] = a
        q = 1
        for di in range(-ring, ring + 1):
            for dj in range(-ring, ring + 1):
                qi = bi + di
                qj = bj + dj
                if (di == 0 and dj == 0) or qi < 0 or qi >= nbi or qj < 0 or qj >= nbj:
                    continue
                b = node_of_block[qi, qj]
                if b < 0:
                    continue
                cb = nodes[b]
                ci = cb // nx
                t = dist[(ci - i0) * wx + cb - ci * nx - j0]
                if t <= max_s:
                    idx[a, q] = b
                    tau[a, q] = t
                    q += 1
    return idx, tau


@nb.njit(cache=True, parallel=True)
def _survival_dp(sun_u8, array_w, nodes, nb_idx, nb_tau, nb_m, step_s, p_hib, p_drive,
                 cap_wh, eta_c, eta_d):
    """Backward induction of the least energy to survive (module docstring)."""
    n = sun_u8.shape[0]
    nn = nodes.shape[0]
    kmax = nb_idx.shape[1]
    v = np.empty((n + 1, nn), dtype=np.float32)
    v[n, :] = 0.0
    for k in range(n - 1, -1, -1):
        for a in nb.prange(nn):
            ca = nodes[a]
            best = np.inf
            for q in range(kmax):
                b = nb_idx[a, q]
                if b < 0:
                    break
                tau = nb_tau[a, q]
                cb = nodes[b]
                m = nb_m[a, q]
                if k + m > n:
                    m = n - k
                need = v[k + m, b]
                if not need < np.inf:
                    continue
                ok = True
                for j in range(m - 1, -1, -1):
                    kk = k + j
                    sa = sun_u8[kk, ca]
                    sb = sun_u8[kk, cb]
                    s = sa if sa < sb else sb
                    drive = tau - j * step_s
                    if drive < 0.0:
                        drive = 0.0
                    if drive > step_s:
                        drive = step_s
                    e_net = (array_w[kk] * s / 254.0 * step_s
                             - p_drive * drive - p_hib * (step_s - drive)) / 3600.0
                    if e_net >= 0.0:
                        need = need - e_net * eta_c
                        if need < 0.0:
                            need = 0.0
                    else:
                        need = need - e_net / eta_d
                    if need > cap_wh:
                        ok = False
                        break
                if ok and need < best:
                    best = need
            v[k, a] = best if best < np.inf else np.inf
    return v


@dataclass
class HavenField:
    """The survival field on its haven nodes (module docstring).

    Attributes
    ----------
    nodes : ndarray (n_nodes,) int
        Flat cell index of each node (the block's most-lit passable cell).
    block : int
        Block size ``f`` [cells].
    v_wh : ndarray (n_steps + 1, n_nodes) float32
        Least stored energy to survive to the end [Wh] (inf: not survivable).
    nb_idx, nb_tau : ndarray (n_nodes, K)
        Moves of each node: the target node (-1 pads; the first is the node itself) and the
        drive time [s].
    """

    nodes: np.ndarray
    block: int
    v_wh: np.ndarray
    nb_idx: np.ndarray
    nb_tau: np.ndarray
    node_of_block: np.ndarray
    shape: tuple[int, int]
    dx_m: float
    dy_m: float
    step_s: float
    p_drive_w: float
    eta_d: float
    pace: np.ndarray
    _elev: np.ndarray | None = None
    _route_cache: dict = field(default_factory=dict, repr=False)

    def _k(self, t_s: float) -> int:
        return min(max(int(t_s // self.step_s), 0), self.v_wh.shape[0] - 1)

    def _routes(self, cell: int) -> list[tuple[int, float]]:
        """(node, least drive time [s]) from ``cell`` to the nodes of the blocks around it on
        the known map (static, so computed once per cell and kept)."""
        got = self._route_cache.get(cell)
        if got is not None:
            return got
        ny, nx = self.shape
        i, j = divmod(int(cell), nx)
        f = self.block
        bi, bj = i // f, j // f
        nbi, nbj = self.node_of_block.shape
        out: list[tuple[int, float]] = []
        if math.isfinite(self.pace[cell]):
            m = RING + WINDOW_MARGIN_BLOCKS
            i0, i1 = max(0, (bi - m) * f), min(ny, (bi + m + 1) * f)
            j0, j1 = max(0, (bj - m) * f), min(nx, (bj + m + 1) * f)
            if self._elev is None:
                self._elev = np.zeros(self.pace.size)
            dist = _window_times(self.pace, self._elev, ny, nx, self.dx_m, self.dy_m,
                                 int(cell), i0, i1, j0, j1, math.inf)
            for di in range(-RING, RING + 1):
                for dj in range(-RING, RING + 1):
                    qi, qj = bi + di, bj + dj
                    if not (0 <= qi < nbi and 0 <= qj < nbj):
                        continue
                    a = int(self.node_of_block[qi, qj])
                    if a < 0:
                        continue
                    ci, cj = divmod(int(self.nodes[a]), nx)
                    tau = float(dist[(ci - i0) * (j1 - j0) + cj - j0])
                    if math.isfinite(tau):
                        out.append((a, tau))
        self._route_cache[cell] = out
        return out

    def approach(self, cell: int, t_s: float) -> list[tuple[float, int, float]]:
        """Nodes near ``cell`` as (need at ``t_s`` including the drive there [Wh], node,
        drive time [s]), cheapest first."""
        out = []
        for a, tau in self._routes(int(cell)):
            need = float(self.v_wh[self._k_arrive(t_s, tau), a])
            need += self.p_drive_w * tau / 3600.0 / self.eta_d
            out.append((need, a, tau))
        out.sort()
        return out

    def _k_arrive(self, t_s: float, tau: float) -> int:
        """The field's step at a node reached after driving ``tau`` seconds from ``t_s``.

        The table holds the need at the start of a step (a move takes whole steps, as in
        :meth:`moves`); a rover arriving within a step has less of it left, so it counts from
        the next step boundary (it waits there). Taking the step of the arrival instead was
        optimistic: the need at a cell stayed finite while every move of the node beside it
        was already too late.
        """
        if tau <= 0.0:
            return self._k(t_s)
        return self._k(math.ceil((t_s + tau) / self.step_s - 1e-9) * self.step_s)

    def need_wh(self, cell: int, t_s: float) -> float:
        """Least charge at ``cell`` and ``t_s`` from which a haven sequence survives [Wh]
        (the cheapest of :meth:`approach`, without building the list: the hot call)."""
        best = math.inf
        v, step, last = self.v_wh, self.step_s, self.v_wh.shape[0] - 1
        p, eta = self.p_drive_w, self.eta_d
        for a, tau in self._routes(int(cell)):
            if tau <= 0.0:
                k = int(t_s // step)
            else:  # as _k_arrive
                k = math.ceil((t_s + tau) / step - 1e-9)
            k = 0 if k < 0 else (last if k > last else k)
            need = float(v[k, a]) + p * tau / 3600.0 / eta  # as approach(), bit for bit
            if need < best:
                best = need
        return best

    def moves(self, node: int, t_s: float) -> list[tuple[float, int, float]]:
        """The node's moves at ``t_s`` as (need after the move [Wh], target node, drive time
        [s]), best first (staying is the target ``node`` itself)."""
        k = self._k(t_s)
        last = self.v_wh.shape[0] - 1
        out = []
        for q in range(self.nb_idx.shape[1]):
            b = int(self.nb_idx[node, q])
            if b < 0:
                break
            tau = float(self.nb_tau[node, q])
            m = 1 if tau <= 0 else math.ceil(tau / self.step_s)
            out.append((float(self.v_wh[min(k + m, last), b]), b, tau))
        out.sort(key=lambda r: (r[0], r[1] != node))
        return out


def survival_field(env, array_w: np.ndarray, pace: np.ndarray, *, hibernate_w: float,
                   drive_w: float, capacity_wh: float, charge_efficiency: float,
                   discharge_efficiency: float, budget_entries: float = 3e7) -> HavenField:
    """Compute the survival field of a rover over ``env`` (module docstring).

    Parameters
    ----------
    env : MissionEnvironment
        Visibility per step and cell.
    array_w : ndarray (n_steps,)
        Array output with the whole Sun visible [W] (rated x incidence).
    pace : ndarray (ny * nx,)
        Seconds per metre on each cell (inf: impassable).
    hibernate_w, drive_w : float
        Hibernation load with survival heaters, and the load while driving [W].
    capacity_wh : float
        Battery capacity [Wh].
    charge_efficiency, discharge_efficiency : float
        Battery efficiencies [1].
    budget_entries : float
        Most entries of the (steps x nodes) table; sets the block size.
    """
    ny, nx = env.shape
    n = env.n_steps
    f = max(1, math.ceil(math.sqrt(ny * nx * (n + 1) / budget_entries)))
    sun = env.sun_u8
    lit = np.zeros(ny * nx, np.float32)
    for k0 in range(0, n, 256):  # chunks: never a float copy of the whole stack
        lit += sun[k0:k0 + 256].astype(np.float32).sum(axis=0)
    lit = np.where(np.isfinite(pace), lit, -1.0).reshape(ny, nx)
    nbi, nbj = math.ceil(ny / f), math.ceil(nx / f)
    node_of_block = np.full((nbi, nbj), -1, np.int64)
    nodes = []
    for bi in range(nbi):
        for bj in range(nbj):
            blk = lit[bi * f:(bi + 1) * f, bj * f:(bj + 1) * f]
            q = int(np.argmax(blk))
            if blk.flat[q] < 0:
                continue
            qi, qj = divmod(q, blk.shape[1])
            node_of_block[bi, bj] = len(nodes)
            nodes.append((bi * f + qi) * nx + bj * f + qj)
    nodes_a = np.asarray(nodes, np.int64)
    step_s = float(env.step_s)
    elev = np.ascontiguousarray(env.elev_m.ravel(), np.float64)
    nb_idx, nb_tau = _node_moves(np.ascontiguousarray(pace, np.float64), elev, ny, nx,
                                 env.dx_m, env.dy_m, nodes_a, node_of_block, f, RING,
                                 WINDOW_MARGIN_BLOCKS, MAX_MOVE_STEPS * step_s)
    nb_m = np.maximum(np.ceil(nb_tau / step_s), 1).astype(np.int64)
    v = _survival_dp(sun, np.ascontiguousarray(array_w, np.float64), nodes_a, nb_idx, nb_tau,
                     nb_m, step_s, float(hibernate_w), float(drive_w), float(capacity_wh),
                     float(charge_efficiency), float(discharge_efficiency))
    return HavenField(nodes=nodes_a, block=f, v_wh=v, nb_idx=nb_idx, nb_tau=nb_tau,
                      node_of_block=node_of_block, shape=(ny, nx), dx_m=env.dx_m,
                      dy_m=env.dy_m, step_s=step_s, p_drive_w=float(drive_w),
                      eta_d=float(discharge_efficiency), pace=np.asarray(pace, float),
                      _elev=elev)
