"""The lander in the mission: its own power balance at its cell and its instruments' downlink.

The lander stays where it landed: awake (``idle_w``) in sunlight, hibernating (``hibernate_w``,
heaters included) in darkness, its array scaled from the rover's incidence, sending its
instruments' data when the Earth is above the terrain horizon at its cell and a ground station
sees the Moon; lost when a darkness outlasts its battery (same battery model as the rover,
:func:`lupex.mission._kernels.integrate`). Limits: no survival of the lander through a darkness
by any other means, no relay traffic counted against its power.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lupex.mission import _kernels as MK
from lupex.mission.model import MODE_CODES


def lander_science(sim: Any) -> None:
    """Measurements of the lander-hosted instruments at the landing site."""
    x, y = sim.env.xy(sim.lander_cell)
    col = sim.truth.column(float(x), float(y))
    for m in sim.sci.lander_site(col, sim.rng):
        sim._record(m, float(x), float(y), m.duration_s)


def simulate_lander(sim: Any) -> None:
    """The lander over the whole mission at its cell (module docstring)."""
    lp, cfg, env = sim.cfg.lander, sim.cfg, sim.env
    arr = np.ascontiguousarray(lp.array_w * sim.array_w
                               / max(cfg.rover.array_rated_power_w, 1e-9))
    t, soc, stored = 0.0, lp.battery_wh, sim.lander_stored
    c = sim.lander_cell
    tr = sim.traces
    while t < sim.t_end - 1e-6:
        k = min(int(t // env.step_s), env.n_steps - 1)
        dark = env.sun_u8[k, c] == 0
        if dark:
            t_b, load, mode = sim.t_end, lp.hibernate_w, "hibernate"
        else:
            t_b = min(MK.next_dark_step(env.sun_u8, c, k) * env.step_s, sim.t_end)
            load, mode = lp.idle_w, "idle"
        t1, soc, stored, sent, _, _, _, st = MK.integrate(
            t, t_b, c, c, load, cfg.comms.radio_w, soc, stored, env.sun_u8, env.earth_u8,
            arr, sim.lander_rate, env.step_s, lp.battery_wh, cfg.battery.charge_efficiency,
            cfg.battery.discharge_efficiency, 0.0, 0.0, dark, not dark,
            tr["lander_soc_wh"], tr["lander_stored_mb"], tr["lander_sent_mb"],
            sim.lander_mode, MODE_CODES[mode])
        sim.lander_sent += sent
        if st == MK.STOP_EMPTY:
            sim.lander_alive_until = t1
            break
        t = t1 if t1 > t else (k + 1) * env.step_s
    sim.lander_stored = stored
