"""Propagation of the transfer: heyoka's Taylor integrator, and SciPy DOP853 as the check.

heyoka ([1]_) integrates the force model of :mod:`lupex.launch.forces` with an adaptive-order
Taylor method; its first-order variational equations ([2]_, ``hy.var_ode_sys``) give the
6 x 6 state-transition matrix (STM) Phi = d x(t) / d x(t0) used by the differential correction
(:mod:`lupex.launch.targeting`). The DE421 series enter as runtime parameters that change at
every 4-day record boundary: the integration stops exactly at each boundary, loads the next
record's coefficients and goes on (the model is piecewise polynomial in time, smooth inside
each piece, and continuous across pieces to DE421's own ~mm fit junctions).

Compiled integrators are cached per process (one with, one without the STM; ~1-2 s to
compile each in compact mode).

:func:`propagate_dop853` integrates the same accelerations with SciPy's explicit Runge-Kutta
8(5,3) of Dormand & Prince ([3]_), evaluated by numpy Clenshaw sums of the same coefficients:
an independent integrator and an independent evaluation of the model. Tests and
``scripts/validation/transfer_dop853.py`` compare the two.

References
----------
.. [1] Biscani, F., Izzo, D. (2021). Revisiting high-order Taylor methods for astrodynamics and
   celestial mechanics. MNRAS 504(2), 2614-2628.
.. [2] heyoka documentation, "Computing derivatives with respect to initial conditions and
   parameters" (variational equations, ``var_ode_sys``), heyoka.py 7.
.. [3] Hairer, E., Norsett, S. P., Wanner, G. (1993). Solving Ordinary Differential
   Equations I, 2nd ed., Springer, sec. II.10 (DOP853).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from lupex.launch import forces as F


def _cheb_expr(hy: Any, ofs: int, s: Any) -> Any:
    """Clenshaw sum of ``N_COEF`` runtime parameters starting at ``par[ofs]`` at ``s``."""
    b1, b2 = hy.expression(0.0), hy.expression(0.0)
    for k in range(F.N_COEF - 1, 0, -1):
        b1, b2 = hy.par[ofs + k] + 2.0 * s * b1 - b2, b1
    return hy.par[ofs] + s * b1 - b2


def _system(hy: Any) -> list:
    x, y, z, vx, vy, vz = hy.make_vars("x", "y", "z", "vx", "vy", "vz")
    sa = (hy.time - hy.par[0]) * hy.par[1]
    sb = (hy.time - hy.par[2]) * hy.par[3]
    n = 3 * F.N_COEF
    moon = [_cheb_expr(hy, 4 + c * F.N_COEF, sa) for c in range(3)]
    earth = [_cheb_expr(hy, 4 + n + c * F.N_COEF, sa) for c in range(3)]
    sun = [_cheb_expr(hy, 4 + 2 * n + c * F.N_COEF, sb) - earth[c] for c in range(3)]
    r = [x, y, z]
    r3 = hy.sqrt(x * x + y * y + z * z) ** 3
    acc = [-F.GM_EARTH_KM3_S2 * r[i] / r3 for i in range(3)]
    for mu, body in ((F.GM_MOON_KM3_S2, moon), (F.GM_SUN_KM3_S2, sun)):
        d = [body[i] - r[i] for i in range(3)]
        d3 = hy.sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]) ** 3
        b3 = hy.sqrt(body[0] * body[0] + body[1] * body[1] + body[2] * body[2]) ** 3
        for i in range(3):
            acc[i] = acc[i] + mu * (d[i] / d3 - body[i] / b3)
    return [(x, vx), (y, vy), (z, vz), (vx, acc[0]), (vy, acc[1]), (vz, acc[2])]


@functools.lru_cache(maxsize=2)
def integrator(stm: bool) -> Any:
    """The compiled heyoka integrator (cached per process); ``stm`` adds the variational
    equations (state 6 + 36)."""
    import heyoka as hy

    sys = _system(hy)
    if stm:
        sys = hy.var_ode_sys(sys, hy.var_args.vars, order=1)
    return hy.taylor_adaptive(sys, [7000.0, 0, 0, 0, 7.5, 0], pars=np.zeros(F.N_PARS),
                              compact_mode=True)


def _check_outcome(res: Any, hy: Any) -> None:
    if res[0] != hy.taylor_outcome.time_limit:
        from lupex.errors import InfeasibleError

        raise InfeasibleError(f"heyoka integration stopped early ({res[0]}); the trajectory "
                              "probably hits the Earth or the Moon.")


def propagate(state0_km: np.ndarray, t0_tdb_s: float, t1_tdb_s: float, *,
              stm: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
    """Propagate a geocentric ICRF state (6,) [km, km/s] from ``t0`` to ``t1`` (TDB s).

    Backwards when ``t1 < t0``. Returns the final state (6,) and, with ``stm=True``, the 6 x 6
    state-transition matrix Phi(t1, t0) (``Phi[i, j] = d x_i(t1) / d x_j(t0)``).
    """
    import heyoka as hy

    ta = integrator(stm)
    direction = 1.0 if t1_tdb_s >= t0_tdb_s else -1.0
    st = np.zeros(42 if stm else 6)
    st[:6] = state0_km
    if stm:
        st[6:] = np.eye(6).ravel()
    ta.state[:] = st
    ta.time = float(t0_tdb_s)
    t = float(t0_tdb_s)
    while (t1_tdb_s - t) * direction > 0:
        pars, edge = F.record_parameters(t, direction)
        stop = min(edge, t1_tdb_s) if direction > 0 else max(edge, t1_tdb_s)
        ta.pars[:] = pars
        _check_outcome(ta.propagate_until(stop), hy)
        t = stop
    out = np.array(ta.state)
    return out[:6], (out[6:].reshape(6, 6) if stm else None)


def propagate_grid(state0_km: np.ndarray, t0_tdb_s: float, times_tdb_s: np.ndarray) -> np.ndarray:
    """States (n, 6) at increasing ``times_tdb_s`` (all >= t0), e.g. for plots and tables."""
    out = np.empty((len(times_tdb_s), 6))
    s, t = np.asarray(state0_km, float), float(t0_tdb_s)
    for i, ti in enumerate(np.asarray(times_tdb_s, float)):
        s, _ = propagate(s, t, ti)
        t = ti
        out[i] = s
    return out


def propagate_dop853(state0_km: np.ndarray, t0_tdb_s: float, t1_tdb_s: float, *,
                     rtol: float = 1e-13, atol: float = 1e-12) -> np.ndarray:
    """The same propagation with SciPy's DOP853 (the independent check); final state (6,)."""
    from scipy.integrate import solve_ivp

    def rhs(t: float, s: np.ndarray) -> np.ndarray:
        return np.concatenate([s[3:], F.acceleration_km_s2(t, s[:3])])

    # integrate piece by piece across the DE421 record boundaries, as heyoka does, so that
    # neither integrator steps over a (tiny) discontinuity of the model's derivatives
    direction = 1.0 if t1_tdb_s >= t0_tdb_s else -1.0
    s, t = np.asarray(state0_km, float), float(t0_tdb_s)
    while (t1_tdb_s - t) * direction > 0:
        _, edge = F.record_parameters(t, direction)
        stop = min(edge, t1_tdb_s) if direction > 0 else max(edge, t1_tdb_s)
        sol = solve_ivp(rhs, (t, stop), s, method="DOP853", rtol=rtol, atol=atol)
        if not sol.success:  # pragma: no cover
            from lupex.errors import InfeasibleError

            raise InfeasibleError(f"DOP853 failed: {sol.message}")
        s, t = sol.y[:, -1], stop
    return s
