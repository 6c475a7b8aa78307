"""Small synthetic mission environments and truths for the mission tests (imported by them)."""

from __future__ import annotations

import numpy as np

from lupex.instruments.column import Column
from lupex.mission.environment import MissionEnvironment
from lupex.mission.timeline import LanderPower, MissionConfig
from lupex.vehicles.comms import Comms
from lupex.vehicles.power import Battery, PowerLoads
from lupex.vehicles.rover import Rover

PIX = 20.0
T0 = np.datetime64("2028-09-01T00:00:00")
STATIONS = ["IDSN-32", "DSS-43"]


def environment(ny: int = 30, nx: int = 30, n_steps: int = 24 * 20, *, step_s: float = 3600.0,
                sun=1.0, earth=1.0, stations=True) -> MissionEnvironment:
    """A flat grid; ``sun``/``earth`` are a scalar, an (n,) series or an (n, ny*nx) array of
    visible fractions; ``stations`` a bool or an (n, 2) bool array."""
    ncell = ny * nx

    def cube(v):
        a = np.asarray(v, float)
        if a.ndim == 0:
            a = np.full((n_steps, ncell), float(a))
        elif a.ndim == 1:
            a = np.repeat(a[:, None], ncell, axis=1)
        return np.rint(np.clip(a, 0, 1) * 254).astype(np.uint8)

    st = np.asarray(stations, bool)
    st = np.broadcast_to(st if st.ndim == 2 else st[..., None, None], (n_steps, 2)).copy() \
        if st.ndim else np.full((n_steps, 2), bool(st))
    return MissionEnvironment(
        t0=T0, step_s=step_s, x_m=np.arange(nx) * PIX, y_m=-np.arange(ny) * PIX,
        elev_m=np.zeros((ny, nx)), slope_deg=np.zeros((ny, nx)), sun_u8=cube(sun),
        earth_u8=cube(earth), sun_elevation_deg=np.zeros(n_steps),
        sun_azimuth_deg=np.zeros(n_steps), station_names=list(STATIONS), station_visible=st)


class StripeTruth:
    """Ice below a 0.2 m dry lag, abundance rising with x: ``wt% = a + b x``."""

    def __init__(self, a: float = 0.5, b: float = 0.01) -> None:
        self.a, self.b = a, b

    def column(self, x_m: float, y_m: float) -> Column:
        return Column.two_layer(self.a + self.b * x_m, 0.2, x_m=x_m, y_m=y_m)


def config(env: MissionEnvironment, **kw) -> MissionConfig:
    rover = kw.pop("rover", Rover(speed_flat_m_s=0.1))
    loads = kw.pop("loads", PowerLoads(drive_base_w=100, science_w=80, drill_w=100, idle_w=60,
                                       hibernate_w=20, survival_heater_w=20, radio_w=20))
    battery = kw.pop("battery", Battery(capacity_wh=2000, charge_efficiency=0.95,
                                        discharge_efficiency=0.95, soc_min_fraction=0.2))
    comms = kw.pop("comms", Comms(ref_rate_kbps=64.0, radio_w=20.0))
    cx = float(env.x_m[env.shape[1] // 2])
    cy = float(env.y_m[env.shape[0] // 2])
    base = dict(rover=rover, loads=loads, battery=battery, comms=comms, landing_xy=(cx, cy),
                duration_s=env.duration_s, area_m=400.0, traverse_goal_m=2000.0,
                egress_s=3600.0, commissioning_s=3600.0, drill_sites=2, drill_depth_m=0.6,
                lander=LanderPower())
    base.update(kw)
    return MissionConfig(**base)
