"""Targeting of the direct Earth-Moon transfer: Lambert first guess, then differential
correction on the state-transition matrix.

The trans-lunar injection (TLI) is a tangential burn at the perigee of the parking orbit, whose
inclination ``i_park`` is given (set by the launch site and the launcher); the unknowns of the
Earth side are the post-TLI speed ``V``, the parking orbit's right ascension of the ascending
node ``RAAN`` and the TLI point's argument of latitude ``u`` (``u1 = (V, RAAN, u)``). The
targets at the fixed perilune epoch ``t_arr`` (selenocentric state rho, nu) are

1. perilune radius ``|rho| = R_moon + h_perilune``;
2. the epoch is the perilune: ``rho . nu = 0``;
3. polar arrival: orbit normal ``. p = 0`` (p the Moon's mean-Earth pole; i = 90 deg).

Why these unknowns: near the 180-deg transfer of a tangential TLI, the TLI velocity's
out-of-plane component does not move the arrival point (the classic 180-deg degeneracy of
Lambert's problem), so the plane is steered by the parking orbit's node instead, as a launch
time of day does in practice.

Steps (each a Newton iteration ``u <- u - J^-1 g`` with ``J = dg/dx_f Phi dx_0/du``, Phi from
heyoka's variational equations, the small closed-form Jacobians dg/dx_f and dx_0/du by central
differences, damped by halving until a merit function decreases, Press et al. 2007 sec. 9.7):

- first guess: the parking plane through the anti-Moon direction at arrival; the arrival
  hyperbola (polar, radius rp, perilune over the site's hemisphere) from the v_inf of a Lambert
  arc (Izzo 2015, lamberthub) from that plane to the Moon; ``V`` from a Lambert arc to the patch
  point, one day before arrival on that hyperbola (its backward propagation);
- stage 1a: the forward arc hits the patch point (3 x 3, 1 m);
- stage 1b: forward-backward shooting: the forward arc (u1) and the backward arc from the
  perilune (speed, node, argument of perilune of the polar hyperbola) meet at the patch
  epoch (6 x 6; 1 mm, 1 um/s);
- stage 2: single shooting from TLI on targets 1-3 (3 x 3). Tolerances: perilune altitude
  <= 1 m, flight-path angle at perilune <= 1e-6 rad, inclination <= 1e-5 deg.

References
----------
.. [1] Izzo, D. (2015). Revisiting Lambert's problem. Celest. Mech. Dyn. Astr. 121, 1-15.
.. [2] Vallado, D. A. (2013). Fundamentals of Astrodynamics and Applications, 4th ed.,
   sec. 12.5 (patched conics for lunar trajectories: v_inf, B vector, hyperbola geometry).
.. [3] Press, W. H. et al. (2007). Numerical Recipes, 3rd ed., sec. 9.7 (backtracking Newton).
.. [4] Parker, J. S., Anderson, R. L. (2013). Low-Energy Lunar Trajectory Design. JPL DESCANSO
   book series, ch. 2 (direct transfers; forward-backward shooting with a patch point).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from lupex.errors import InfeasibleError, ParameterError
from lupex.launch import forces as F
from lupex.launch.propagate import propagate

TOL_ALTITUDE_KM = 1e-3
TOL_FPA_RAD = 1e-6
TOL_INCLINATION_DEG = 1e-5


@dataclass
class Arrival:
    """Geometry shared by the targeting steps (km, km/s, TDB s, ICRF)."""

    t0: float                  # TLI epoch
    t_arr: float               # perilune epoch
    r_park_km: float           # parking-orbit perigee radius (TLI point)
    v_park_km_s: float         # parking-orbit speed at that point
    inc_rad: float             # parking-orbit inclination to the Earth's equator (ICRF z)
    rp_km: float               # wanted perilune radius
    pole: np.ndarray           # Moon ME pole in ICRF at t_arr
    moon_arr: np.ndarray       # Moon state (6,) at t_arr, geocentric

    def tli_state(self, u1: np.ndarray) -> np.ndarray:
        """Post-TLI state from (V, RAAN, arg. of latitude): tangential burn at r_park."""
        v, raan, arg = u1
        node = np.array([np.cos(raan), np.sin(raan), 0.0])
        h = np.array([np.sin(raan) * np.sin(self.inc_rad), -np.cos(raan) * np.sin(self.inc_rad),
                      np.cos(self.inc_rad)])
        inplane = np.cross(h, node)
        r_hat = np.cos(arg) * node + np.sin(arg) * inplane
        return np.concatenate([self.r_park_km * r_hat, v * np.cross(h, r_hat)])


@dataclass(frozen=True)
class Transfer:
    """A converged direct transfer (geocentric ICRF, km, km/s, TDB s)."""

    t0: float
    t_arr: float
    state0: np.ndarray         # just after TLI
    arrival: np.ndarray        # selenocentric state at perilune
    parking_speed_km_s: float  # parking-orbit speed at the TLI point (before the burn)
    raan_rad: float
    iterations: int
    residuals: dict[str, float]
    history: list[float]       # merit per Newton iteration, all stages


def residuals_at_arrival(rel: np.ndarray, geo: Arrival) -> np.ndarray:
    """Targets 1-3 of a selenocentric state: radius error [km], sine of the flight-path angle,
    cosine of the inclination to the Moon's equator."""
    rho, nu = rel[:3], rel[3:]
    h = np.cross(rho, nu)
    return np.array([np.linalg.norm(rho) - geo.rp_km,
                     np.dot(rho, nu) / (np.linalg.norm(rho) * np.linalg.norm(nu)),
                     np.dot(h, geo.pole) / np.linalg.norm(h)])


def _jac_fd(fun, x: np.ndarray, rel_step: float = 1e-7) -> np.ndarray:
    cols = []
    for j in range(x.size):
        h = rel_step * max(1.0, abs(x[j]))
        xp, xm = x.copy(), x.copy()
        xp[j] += h
        xm[j] -= h
        cols.append((fun(xp) - fun(xm)) / (2 * h))
    return np.stack(cols, axis=1)


def _b_target(geo: Arrival, v_inf: np.ndarray, south: bool) -> tuple[np.ndarray, np.ndarray]:
    """Wanted B vector of a polar hyperbola with perilune radius rp (perilune over the south
    or north hemisphere), and the unit asymptote direction."""
    vinf = np.linalg.norm(v_inf)
    s_hat = v_inf / vinf
    e = 1.0 + geo.rp_km * vinf**2 / F.GM_MOON_KM3_S2
    h_hat = np.cross(s_hat, geo.pole)
    h_hat /= np.linalg.norm(h_hat)
    b_mag = geo.rp_km * np.sqrt(1.0 + 2.0 * F.GM_MOON_KM3_S2 / (geo.rp_km * vinf**2))
    for sign in (1.0, -1.0):
        hh = sign * h_hat
        b_hat = np.cross(s_hat, hh)
        e_hat = s_hat / e + np.sqrt(e * e - 1) / e * b_hat
        if (np.dot(e_hat, geo.pole) < 0) == south:
            break
    return b_mag * b_hat, s_hat


def _moon_axes(geo: Arrival) -> tuple[np.ndarray, np.ndarray]:
    """Two unit vectors spanning the Moon's equator (ICRF)."""
    x = np.cross(np.array([0.0, 0.0, 1.0]), geo.pole)
    x /= np.linalg.norm(x)
    return x, np.cross(geo.pole, x)


def _perilune_state(p: np.ndarray, geo: Arrival) -> np.ndarray:
    """Geocentric state at perilune of the polar hyperbola ``p = (v_p, node, arg_perilune)``
    [km/s, rad, rad] (i = 90 deg, perilune radius rp, epoch t_arr)."""
    xe, ye = _moon_axes(geo)
    node = np.cos(p[1]) * xe + np.sin(p[1]) * ye
    e_hat = np.cos(p[2]) * node + np.sin(p[2]) * geo.pole
    w_hat = np.cos(p[2]) * geo.pole - np.sin(p[2]) * node
    return np.concatenate([geo.moon_arr[:3] + geo.rp_km * e_hat,
                           geo.moon_arr[3:] + p[0] * w_hat])


def _perilune_guess(geo: Arrival, v_inf: np.ndarray, south: bool) -> np.ndarray:
    """(v_p, node, arg_perilune) of the polar hyperbola with the given v_inf (patched conics,
    Vallado 2013 sec. 12.5): its plane holds the pole and the asymptote."""
    b_star, _ = _b_target(geo, v_inf, south)
    vinf = np.linalg.norm(v_inf)
    e = 1.0 + geo.rp_km * vinf**2 / F.GM_MOON_KM3_S2
    s_hat = v_inf / vinf
    b_hat = b_star / np.linalg.norm(b_star)
    e_hat = s_hat / e + np.sqrt(e * e - 1) / e * b_hat
    h_hat = np.cross(b_hat, s_hat)
    node = np.cross(geo.pole, h_hat)          # ascending node: h = node x pole
    node /= np.linalg.norm(node)
    xe, ye = _moon_axes(geo)
    om = np.arctan2(np.dot(node, ye), np.dot(node, xe))
    w = np.arctan2(np.dot(e_hat, geo.pole), np.dot(e_hat, node))
    return np.array([np.sqrt(vinf**2 + 2 * F.GM_MOON_KM3_S2 / geo.rp_km), om, w])


def _solve(evaluate: Callable, u: np.ndarray, tol: np.ndarray, weight: np.ndarray,
           max_iter: int, what: str) -> tuple[np.ndarray, int, np.ndarray, list[float]]:
    """Damped Newton: ``evaluate(u, jac) -> (g, J)``; stops when ``|g| <= tol``."""
    history: list[float] = []
    g, jac = evaluate(u, True)
    for it in range(max_iter + 1):
        merit = float(np.linalg.norm(g * weight))
        history.append(merit)
        if np.all(np.abs(g) <= tol):
            return u, it, g, history
        if it == max_iter:
            break
        step = np.linalg.solve(jac, -g)
        lam = 1.0
        while lam > 1e-3:
            try:
                g_new, _ = evaluate(u + lam * step, False)
                if np.linalg.norm(g_new * weight) < merit:
                    break
            except InfeasibleError:
                pass
            lam /= 2
        u = u + lam * step
        g, jac = evaluate(u, True)
    raise InfeasibleError(f"transfer targeting ({what}) did not converge in {max_iter} "
                          f"iterations (merit {history[0]:.3g} -> {history[-1]:.3g}); try "
                          "another time of flight or landing epoch.")


def _forward(geo: Arrival, t_target: float, terminal: Callable, tol: np.ndarray,
             weight: np.ndarray, u1: np.ndarray, max_iter: int, what: str):
    """Single shooting from TLI on ``terminal(x(t_target))`` (3 equations, 3 unknowns)."""

    def evaluate(u: np.ndarray, with_jac: bool):
        x0 = geo.tli_state(u)
        xf, phi = propagate(x0, geo.t0, t_target, stm=with_jac)
        g = terminal(xf)
        if not with_jac:
            return g, None
        return g, _jac_fd(terminal, xf) @ phi @ _jac_fd(geo.tli_state, u)

    return _solve(evaluate, u1, tol, weight, max_iter, what)


def _two_arc(u: np.ndarray, geo: Arrival, t_m: float, max_iter: int):
    """Continuity at ``t_m`` of the forward arc (V, RAAN, u) and the backward arc from the
    perilune (v_p, node, arg. of perilune): 6 x 6."""

    def evaluate(u: np.ndarray, with_jac: bool):
        x1, phi1 = propagate(geo.tli_state(u[:3]), geo.t0, t_m, stm=with_jac)
        x2, phi2 = propagate(_perilune_state(u[3:], geo), geo.t_arr, t_m, stm=with_jac)
        if not with_jac:
            return x1 - x2, None
        jac = np.hstack([phi1 @ _jac_fd(geo.tli_state, u[:3]),
                         -phi2 @ _jac_fd(lambda p: _perilune_state(p, geo), u[3:])])
        return x1 - x2, jac

    # merit: 1 km of position weighs as 0.1 mm/s of velocity (the arcs' ~1e4 s sensitivity)
    return _solve(evaluate, u, np.array([1e-6] * 3 + [1e-9] * 3),
                  np.array([1.0] * 3 + [1e4] * 3), max_iter, "two-arc stage")


def _plane_guess(geo: Arrival, ascending: bool) -> tuple[float, float]:
    """RAAN and argument of latitude of the anti-Moon direction at arrival on a parking plane
    of the given inclination (spherical trigonometry; the Moon's declination must not exceed
    the inclination)."""
    d = -geo.moon_arr[:3] / np.linalg.norm(geo.moon_arr[:3])
    dec, ra = np.arcsin(d[2]), np.arctan2(d[1], d[0])
    ratio = np.sin(dec) / np.sin(geo.inc_rad)
    if abs(ratio) > 1:
        raise InfeasibleError(f"the Moon's declination ({np.rad2deg(-dec):.1f} deg) exceeds the "
                              f"parking-orbit inclination ({np.rad2deg(geo.inc_rad):.1f} deg); "
                              "raise launch.transfer.parking_inclination_deg or move the date.")
    arg = np.arcsin(ratio) if ascending else np.pi - np.arcsin(ratio)
    raan = ra - np.arctan2(np.cos(geo.inc_rad) * np.sin(arg), np.cos(arg))
    return float(raan), float(arg)


def target_direct(t0_tdb_s: float, t_arr_tdb_s: float, *, parking_perigee_radius_km: float,
                  parking_apogee_radius_km: float, parking_inclination_deg: float,
                  perilune_altitude_km: float, south: bool = True, ascending: bool = True,
                  patch_d: float = 1.0, max_iter: int = 30) -> Transfer:
    """Find the TLI that reaches a polar perilune of the given altitude at ``t_arr``.

    Parameters
    ----------
    t0_tdb_s, t_arr_tdb_s : float
        TLI and perilune epochs [TDB s past J2000]; ``t_arr - t0`` is the time of flight.
    parking_perigee_radius_km, parking_apogee_radius_km : float
        The parking orbit (TLI at its perigee) [km from the Earth's centre].
    parking_inclination_deg : float
        Parking-orbit inclination to the Earth's equator [deg].
    perilune_altitude_km : float
        Wanted perilune altitude above the 1737.4 km sphere [km].
    south : bool
        Perilune over the southern hemisphere (for a south-pole site).
    ascending : bool
        TLI near the parking orbit's ascending (or descending) half.
    patch_d : float
        Patch epoch of the two-arc stage, days before arrival.

    Returns
    -------
    Transfer
        Converged within the module tolerances, else :class:`InfeasibleError`.
    """
    import lamberthub

    tof = t_arr_tdb_s - t0_tdb_s
    if not 2.0 * 86400 <= tof <= 8.0 * 86400:
        raise ParameterError(f"time of flight {tof / 86400:.2f} d is outside [2, 8] d for a "
                             "direct transfer; set launch.transfer.time_of_flight_d.")
    rp_e, ra_e = parking_perigee_radius_km, parking_apogee_radius_km
    v_park = float(np.sqrt(F.GM_EARTH_KM3_S2 * (2 / rp_e - 2 / (rp_e + ra_e))))
    geo = Arrival(t0_tdb_s, t_arr_tdb_s, rp_e, v_park, np.deg2rad(parking_inclination_deg),
                  F.MOON_RADIUS_KM + perilune_altitude_km, F.moon_pole_icrf(t_arr_tdb_s),
                  F.moon_state_km(t_arr_tdb_s))
    raan, arg_moon = _plane_guess(geo, ascending)
    # Lambert arcs are solved 10 deg short of the 180-deg transfer (well-posed there)
    start = geo.tli_state(np.array([10.9, raan, arg_moon - np.deg2rad(10.0)]))[:3]
    _, v2 = lamberthub.izzo2015(F.GM_EARTH_KM3_S2, start, geo.moon_arr[:3], tof)
    p0 = _perilune_guess(geo, v2 - geo.moon_arr[3:], south)
    t_m = t_arr_tdb_s - patch_d * 86400.0
    xm, _ = propagate(_perilune_state(p0, geo), t_arr_tdb_s, t_m)
    v1, _ = lamberthub.izzo2015(F.GM_EARTH_KM3_S2, start, xm[:3], t_m - t0_tdb_s)
    u1 = np.array([np.linalg.norm(v1), raan, arg_moon])

    u1, it_a, _, h_a = _forward(geo, t_m, lambda x: x[:3] - xm[:3], np.full(3, 1e-3),
                                np.ones(3), u1, max_iter, "patch point")
    u, it_b, _, h_b = _two_arc(np.concatenate([u1, p0]), geo, t_m, max_iter)
    tol = np.array([TOL_ALTITUDE_KM, TOL_FPA_RAD, np.sin(np.deg2rad(TOL_INCLINATION_DEG))])
    moon = geo.moon_arr
    u1, it_c, g, h_c = _forward(geo, t_arr_tdb_s, lambda x: residuals_at_arrival(x - moon, geo),
                                tol, 1 / tol, u[:3], max_iter, "perilune targets")
    x0 = geo.tli_state(u1)
    xf, _ = propagate(x0, t0_tdb_s, t_arr_tdb_s)
    res = {"perilune_altitude_error_m": float(g[0] * 1e3),
           "perilune_flight_path_angle_rad": float(np.arcsin(np.clip(g[1], -1, 1))),
           "inclination_error_deg": float(-np.rad2deg(np.arcsin(np.clip(g[2], -1, 1))))}
    return Transfer(t0_tdb_s, t_arr_tdb_s, x0, xf - moon, v_park, float(u1[1]),
                    it_a + it_b + it_c, res, h_a + h_b + h_c)
