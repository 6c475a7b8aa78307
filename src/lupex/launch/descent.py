"""Descent from a low circular lunar orbit to touchdown: deorbit, braking, terminal descent.

1. Deorbit (descent-orbit insertion, DOI): a Hohmann half from the circular orbit of radius
   ``r_llo`` to a perilune of altitude ``h_pdi``: ``dv = v_c(r_llo) - v_apo`` (vis-viva).
2. Braking (powered descent): planar point-mass motion over a spherical, non-rotating Moon
   (the surface at the pole moves < 0.1 m/s; at the equator 4.6 m/s) from the perilune at
   full thrust ``T`` and exhaust speed ``c = Isp g0`` (``dm/dt = -T / c``), sinking at a
   constant rate: the thrust's vertical part cancels gravity less the centrifugal
   acceleration ``mu/r^2 - v_t^2/r`` (the gravity loss), the rest brakes the horizontal
   speed. The sink rate is found (Brent's method) so that the horizontal speed falls to
   ``v_gate`` exactly at the hover-gate altitude ``h_gate``; the sink rate is then taken
   out. Delta-v = ``c ln(m0 / m1)`` + sink rate; its excess over the orbital speed lost is
   the gravity loss. (A pure gravity turn (thrust against the velocity, Citron et al. 1964)
   cannot stop a lander with T/W < ~3 before the ground when it starts horizontal.)
3. Terminal descent: a hover of ``hover_s`` (``dv = g hover_s``), a lateral divert allowance
   and a vertical descent from ``h_gate`` at ``v_gate`` (``dv = g h_gate / v_gate``).

Published figures this is checked against (tests, docs/launch.md): Chandrayaan-3's powered
descent began at 30 km altitude at 1.68 km/s and reached zero speed near 800 m, then a vertical
descent to 150 m and a divert of up to 60 m (ISRO/SAC, N. M. Desai, 22 Aug 2023, via
moneycontrol.com); NASA's lunar architecture figure for 100 km LLO to the surface is
2.180 km/s including a 5 % reserve, i.e. 2.076 km/s (Mueller 2012 via Acta Astronautica 177
(2020) 351, Table 4); the Apollo LM descent stage carried 8100 ft/s (2.47 km/s) of capability
with margin.

References
----------
.. [1] Citron, S. J., Dunin, S. E., Meissinger, H. F. (1964). A terminal guidance technique for
   lunar landing. AIAA Journal 2(3), 503-509 (gravity-turn descent).
.. [2] Vallado, D. A. (2013). Fundamentals of Astrodynamics and Applications, 4th ed., sec. 6.3
   (Hohmann transfer).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lupex.errors import InfeasibleError

G0_M_S2 = 9.80665
MU_MOON_M3_S2 = 4.9028000e12   # DE421 (lupex.launch.forces: 4902.8000 km^3/s^2)
R_MOON_M = 1_737_400.0


@dataclass(frozen=True)
class DescentPhase:
    """One descent phase: delta-v [m/s], duration [s], mass before and after [kg]."""

    name: str
    delta_v_m_s: float
    duration_s: float
    mass_before_kg: float
    mass_after_kg: float
    note: str = ""


def deorbit_delta_v(r_llo_m: float, r_pdi_m: float) -> float:
    """DOI delta-v [m/s]: circular ``r_llo`` to the apolune of an ``r_llo x r_pdi`` ellipse."""
    v_c = np.sqrt(MU_MOON_M3_S2 / r_llo_m)
    v_a = np.sqrt(MU_MOON_M3_S2 * (2 / r_llo_m - 2 / (r_llo_m + r_pdi_m)))
    return float(v_c - v_a)


def _hold_rate(rdot_m_s: float, *, h0_m: float, v0_m_s: float, m0_kg: float, thrust_n: float,
               c_m_s: float, v_gate_m_s: float):
    """Full-thrust braking at a constant sink rate ``rdot``: the thrust's vertical part holds
    ``d(rdot)/dt = 0`` (it cancels gravity less the centrifugal term), the rest brakes."""
    from scipy.integrate import solve_ivp

    def rhs(_t: float, s: np.ndarray) -> np.ndarray:
        r, vt, m = s
        a = thrust_n / m
        a_r = MU_MOON_M3_S2 / r**2 - vt * vt / r
        a_t = np.sqrt(max(a * a - a_r * a_r, 0.0))
        return np.array([rdot_m_s, -a_t - rdot_m_s * vt / r, -thrust_n / c_m_s])

    def slow(_t: float, s: np.ndarray) -> float:
        return s[1] - v_gate_m_s

    slow.terminal = True
    s0 = np.array([R_MOON_M + h0_m, v0_m_s, m0_kg])
    return solve_ivp(rhs, (0.0, 5000.0), s0, events=(slow,), rtol=1e-10, atol=1e-6,
                     max_step=5.0)


def braking(*, h0_m: float, v0_m_s: float, m0_kg: float, thrust_n: float, isp_s: float,
            h_gate_m: float, v_gate_m_s: float) -> DescentPhase:
    """Braking from the perilune to the hover gate (module doc, step 2)."""
    from scipy.optimize import brentq

    c = isp_s * G0_M_S2
    g_surf = MU_MOON_M3_S2 / R_MOON_M**2
    if thrust_n / (m0_kg * g_surf) < 1.05:
        raise InfeasibleError(f"descent thrust {thrust_n:g} N gives a lunar thrust-to-weight "
                              f"below 1.05 for {m0_kg:.0f} kg; raise launch.stack.thrust_n.")

    def gate_error(rdot: float) -> float:
        sol = _hold_rate(rdot, h0_m=h0_m, v0_m_s=v0_m_s, m0_kg=m0_kg, thrust_n=thrust_n,
                         c_m_s=c, v_gate_m_s=v_gate_m_s)
        return float(sol.y_events[0][0][0] - R_MOON_M - h_gate_m)

    rdot = brentq(gate_error, -500.0, -1e-3, xtol=1e-9)
    sol = _hold_rate(rdot, h0_m=h0_m, v0_m_s=v0_m_s, m0_kg=m0_kg, thrust_n=thrust_n, c_m_s=c,
                     v_gate_m_s=v_gate_m_s)
    m1 = float(sol.y_events[0][0][2])
    # the sink rate is taken out at the gate (impulsively: a slight over-estimate)
    dv = c * np.log(m0_kg / m1) + abs(rdot)
    m1 = m0_kg / np.exp(dv / c)
    loss = dv - (v0_m_s - v_gate_m_s)
    return DescentPhase("braking", float(dv), float(sol.t_events[0][0]), m0_kg, float(m1),
                        f"full thrust, sink rate {-rdot:.1f} m/s; gravity loss {loss:.0f} m/s")


def terminal(*, m0_kg: float, isp_s: float, h_gate_m: float, v_gate_m_s: float,
             hover_s: float, divert_m_s: float) -> DescentPhase:
    """Hover, divert and vertical descent from the gate (module doc, step 3)."""
    g = MU_MOON_M3_S2 / R_MOON_M**2
    t_vert = h_gate_m / v_gate_m_s
    dv = g * (hover_s + t_vert) + divert_m_s
    m1 = m0_kg / np.exp(dv / (isp_s * G0_M_S2))
    return DescentPhase("terminal_descent", float(dv), float(hover_s + t_vert), m0_kg, float(m1),
                        f"hover {hover_s:g} s, divert {divert_m_s:g} m/s, vertical "
                        f"{h_gate_m:g} m at {v_gate_m_s:g} m/s")
