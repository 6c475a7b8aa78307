"""The transfer and descent budget: delta-v, duration and propellant per phase, launch margin.

Timeline, backwards from the touchdown epoch ``t_L``: the descent takes
``descent.duration_h``; before it the stack spends ``transfer.orbit_days`` in the low polar
orbit; lunar orbit insertion (LOI) is at the perilune epoch ``t_arr``; the trans-lunar
injection (TLI) ``transfer.time_of_flight_d`` earlier; the launch ``launcher.coast_h`` before
the TLI (plus the phasing loops in ``phasing`` mode).

Delta-v: TLI and LOI from the propagated, targeted transfer (:mod:`lupex.launch.targeting`),
impulsive, each raised by ``finite_burn_loss``: TLI = |v after TLI| - v of the parking orbit
at its perigee; LOI = perilune speed - circular speed at the perilune radius (capture straight
into the circular low orbit). The phasing option splits the TLI into a perigee burn to the
phasing orbit and a final perigee burn after ``phasing_loops`` revolutions (two-body Earth;
the final arc is the propagated one). Descent: :mod:`lupex.launch.descent`.

Propellant: the rocket equation (Tsiolkovsky) with one exhaust speed ``c = Isp g0``, phase by
phase backwards from the landed dry mass: ``m_before = m_after exp(dv / c)``; the braking
delta-v depends on the mass at its start (thrust-to-weight), so the descent is iterated to a
fixed point (< 0.01 kg). The launch margin is the launcher's payload to the parking orbit
minus the required stack mass at separation.

References
----------
.. [1] Vallado, D. A. (2013). Fundamentals of Astrodynamics and Applications, 4th ed. (vis-viva,
   Hohmann transfer, orbital periods).
.. [2] Robbins, H. M. (1966). An analytical study of the impulsive approximation. AIAA J. 4(8),
   1417-1423 (finite-burn losses of perigee burns).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lupex.launch import descent as D
from lupex.launch import forces as F

DAY_S = 86400.0


@dataclass
class TransferPlan:
    """The budget, its timeline and the targeting diagnostics."""

    phases: list[dict[str, Any]]
    total_delta_v_m_s: float
    launch_utc: str
    tli_utc: str
    loi_utc: str
    landing_utc: str
    required_wet_mass_kg: float
    margin_kg: float
    stack_margin_kg: float
    targeting: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"phases": self.phases, "total_delta_v_m_s": self.total_delta_v_m_s,
                "launch_utc": self.launch_utc, "tli_utc": self.tli_utc, "loi_utc": self.loi_utc,
                "landing_utc": self.landing_utc,
                "required_wet_mass_kg": self.required_wet_mass_kg, "margin_kg": self.margin_kg,
                "stack_margin_kg": self.stack_margin_kg, "targeting": self.targeting,
                "notes": self.notes}


def _utc(tdb_s: float) -> str:
    from lupex.ephemeris.timescales import tdb_seconds_to_utc

    return str((tdb_seconds_to_utc(tdb_s) + np.timedelta64(500, "ms")).astype("datetime64[s]"))


def _tdb(utc: Any) -> float:
    from lupex.ephemeris.timescales import times_and_tdb

    return float(times_and_tdb([utc])[1][0])


def _burn_s(m0: float, dv: float, c: float, thrust: float) -> float:
    return m0 * c / thrust * (1.0 - np.exp(-dv / c))


def plan_transfer(launch: Any, landing_utc: Any, *, south: bool = True) -> TransferPlan:
    """Target the transfer for a touchdown epoch and budget every phase.

    Parameters
    ----------
    launch : lupex.scenario.launch.LaunchTable
        Launcher, stack, transfer and descent values.
    landing_utc : str or datetime64
        Touchdown epoch (UTC), e.g. the start of a landing window.
    south : bool
        The site is in the southern hemisphere (perilune over it).
    """
    from lupex.launch.targeting import target_direct

    lv, st, tr, de = launch.launcher, launch.stack, launch.transfer, launch.descent
    c = st.isp_s * D.G0_M_S2
    t_land = _tdb(landing_utc)
    t_doi = t_land - de.duration_h * 3600.0
    t_arr = t_doi - tr.orbit_days * DAY_S
    t0 = t_arr - tr.time_of_flight_d * DAY_S
    rp_e = F.EARTH_RADIUS_KM + lv.perigee_altitude_km
    ra_e = F.EARTH_RADIUS_KM + max(lv.apogee_altitude_km, lv.perigee_altitude_km)
    trans = target_direct(t0, t_arr, parking_perigee_radius_km=rp_e,
                          parking_apogee_radius_km=ra_e,
                          parking_inclination_deg=lv.inclination_deg,
                          perilune_altitude_km=tr.perilune_altitude_km, south=south)
    mu_e = F.GM_EARTH_KM3_S2
    v0 = float(np.linalg.norm(trans.state0[3:]))
    v_leo = float(np.sqrt(mu_e / rp_e))
    rp_m = (F.MOON_RADIUS_KM + tr.perilune_altitude_km) * 1e3
    v_peri = float(np.linalg.norm(trans.arrival[3:])) * 1e3
    v_llo = float(np.sqrt(D.MU_MOON_M3_S2 / rp_m))
    loss = 1.0 + tr.finite_burn_loss

    # Earth-side burns (m/s), forward list of (name, dv, duration, note)
    earth: list[tuple[str, float, float, str]] = []
    launch_tdb = t0 - lv.coast_h * 3600.0
    if tr.mode == "phasing":
        ra_ph = F.EARTH_RADIUS_KM + tr.phasing_apogee_km
        v_ph = float(np.sqrt(mu_e * (2 / rp_e - 2 / (rp_e + ra_ph))))
        period = 2 * np.pi * np.sqrt(((rp_e + ra_ph) / 2) ** 3 / mu_e)
        launch_tdb -= tr.phasing_loops * period
        earth.append(("phasing_raise", (v_ph - trans.parking_speed_km_s) * 1e3 * loss,
                      tr.phasing_loops * period,
                      f"{tr.phasing_loops} loops, apogee {tr.phasing_apogee_km:.0f} km"))
        earth.append(("tli", (v0 - v_ph) * 1e3 * loss, 0.0, "final perigee burn"))
    else:
        earth.append(("tli", (v0 - trans.parking_speed_km_s) * 1e3 * loss, 0.0,
                      "tangential at the parking perigee"))
    earth.append(("midcourse", tr.midcourse_m_s, tr.time_of_flight_d * DAY_S,
                  "allowance; coast to perilune"))
    earth.append(("loi", (v_peri - v_llo) * loss, 0.0,
                  f"capture into a {tr.perilune_altitude_km:g} km circular polar orbit"))
    earth.append(("orbit_maintenance", tr.orbit_maintenance_m_s, tr.orbit_days * DAY_S,
                  "allowance"))
    r_pdi = D.R_MOON_M + de.pdi_altitude_km * 1e3
    dv_doi = D.deorbit_delta_v(rp_m, r_pdi)
    t_doi_half = np.pi * np.sqrt(((rp_m + r_pdi) / 2) ** 3 / D.MU_MOON_M3_S2)
    v_pdi = float(np.sqrt(D.MU_MOON_M3_S2 * (2 / r_pdi - 2 / (rp_m + r_pdi))))

    # descent backwards from the dry mass, iterated on the mass at powered-descent start
    term = D.terminal(m0_kg=st.dry_mass_kg * 1.05, isp_s=st.isp_s, h_gate_m=de.gate_altitude_m,
                      v_gate_m_s=de.gate_speed_m_s, hover_s=de.hover_s, divert_m_s=de.divert_m_s)
    m_gate = st.dry_mass_kg * np.exp(term.delta_v_m_s / c)
    m_pdi = m_gate * 1.8
    for _ in range(50):
        brk = D.braking(h0_m=de.pdi_altitude_km * 1e3, v0_m_s=v_pdi, m0_kg=m_pdi,
                        thrust_n=st.thrust_n, isp_s=st.isp_s, h_gate_m=de.gate_altitude_m,
                        v_gate_m_s=de.gate_speed_m_s)
        new = m_gate * np.exp(brk.delta_v_m_s / c)
        if abs(new - m_pdi) < 0.01:
            break
        m_pdi = new
    descent = [("deorbit", dv_doi, float(t_doi_half), "Hohmann half to the PDI perilune"),
               ("braking", brk.delta_v_m_s, brk.duration_s, brk.note),
               ("terminal_descent", term.delta_v_m_s, term.duration_s, term.note)]

    rows = earth + descent
    masses = [st.dry_mass_kg]
    for _name, dv, _dur, _note in reversed(rows):
        masses.append(masses[-1] * np.exp(dv / c))
    masses = masses[::-1]   # masses[i] before phase i, masses[-1] = dry
    phases = [{"name": lv.name + " launch", "delta_v_m_s": 0.0,
               "duration_s": lv.coast_h * 3600.0, "propellant_kg": 0.0,
               "mass_before_kg": round(masses[0], 1), "note": f"launcher to the parking orbit "
               f"{lv.perigee_altitude_km:g} x {lv.apogee_altitude_km:g} km, "
               f"i = {lv.inclination_deg:g} deg"}]
    for i, (name, dv, dur, note) in enumerate(rows):
        if name in ("tli", "loi", "phasing_raise"):
            dur = dur + _burn_s(masses[i], dv, c, st.thrust_n)
        phases.append({"name": name, "delta_v_m_s": round(float(dv), 2),
                       "duration_s": round(float(dur), 1),
                       "propellant_kg": round(float(masses[i] - masses[i + 1]), 2),
                       "mass_before_kg": round(float(masses[i]), 1), "note": note})
    total = float(sum(r[1] for r in rows))
    wet = float(masses[0])
    tli_leo = (v0 - v_leo) * 1e3
    notes = [f"TLI from a circular {lv.perigee_altitude_km:g} km LEO would be "
             f"{tli_leo:.0f} m/s (impulsive)",
             f"descent total (deorbit + braking + terminal) "
             f"{sum(r[1] for r in descent):.0f} m/s"]
    targeting = {"iterations": trans.iterations, **trans.residuals,
                 "perilune_speed_m_s": v_peri, "tli_speed_m_s": v0 * 1e3,
                 "parking_raan_deg": float(np.rad2deg(trans.raan_rad) % 360.0),
                 "tli_from_leo_m_s": tli_leo}
    return TransferPlan(phases, total, _utc(launch_tdb), _utc(t0), _utc(t_arr), _utc(t_land),
                        wet, float(lv.payload_kg - wet), float(st.wet_mass_kg - wet), targeting,
                        notes)
