"""The mission's parameters and results: :class:`MissionConfig`, :class:`LanderPower`,
:class:`MissionResult` (plain data shared by the timeline, the Monte Carlo and the stage)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lupex.errors import ParameterError
from lupex.vehicles.comms import Comms
from lupex.vehicles.power import Battery, PowerLoads
from lupex.vehicles.rover import Rover

NS_COLUMNS = 4
"""Columns sampled along the path of one moving neutron reading (evenly spaced)."""

MODE_CODES = {"idle": 1, "drive": 2, "science": 3, "drill": 4, "hibernate": 5, "charge": 6,
              "egress": 7, "commissioning": 8, "lost": 9}


@dataclass(frozen=True)
class LanderPower:
    """The lander as a power and comms system (values of ``[mission]``)."""

    array_w: float = 700.0
    battery_wh: float = 3000.0
    idle_w: float = 150.0
    hibernate_w: float = 40.0
    dte_rate_kbps: float = 128.0


@dataclass(frozen=True)
class MissionConfig:
    """Everything one simulation needs, resolved (see :func:`lupex.mission.config_from_scenario`).

    Durations in seconds, distances in metres.
    """

    rover: Rover
    loads: PowerLoads
    battery: Battery
    comms: Comms
    landing_xy: tuple[float, float]
    duration_s: float
    area_m: float = 1000.0
    traverse_goal_m: float = 10000.0
    egress_s: float = 48 * 3600.0
    commissioning_s: float = 120 * 3600.0
    drill_sites: int = 8
    drill_depth_m: float = 1.5
    strategy: str = "guided"
    drill_separation_m: float = 50.0
    soc_resume_fraction: float = 0.6
    active_in_shadow_s: float = 8 * 3600.0
    speed_sigma: float = 0.0
    ops_sigma: float = 0.0
    hazard_per_km: float = 0.0
    replan_window_s: float = 72 * 3600.0
    lander: LanderPower = field(default_factory=LanderPower)
    hazard_cells: tuple[int, ...] = ()
    replan: str = "planner"
    havens: bool = True
    haven_margin_fraction: float = 0.1

    def __post_init__(self) -> None:
        if self.strategy not in ("guided", "grid"):
            raise ParameterError(f"mission.strategy = {self.strategy!r}; use 'guided' or 'grid'.")
        if self.replan not in ("planner", "static"):
            raise ParameterError(f"replan = {self.replan!r}; use 'planner' or 'static'.")
        if not 0.0 <= self.haven_margin_fraction < 0.5:
            raise ParameterError(f"mission.haven_margin_fraction = {self.haven_margin_fraction!r}"
                                 "; use a fraction of the battery in [0, 0.5).")
        if self.duration_s <= 0:
            raise ParameterError(f"mission duration {self.duration_s!r} s must be > 0.")


@dataclass
class MissionResult:
    """What one simulation produced.

    ``timeline`` and ``measurements`` are :class:`pandas.DataFrame` (the CSV tables); ``route``
    is (time_s, x_m, y_m) per driven vertex; ``traces`` per step: ``soc_wh``, ``stored_mb``,
    ``sent_mb``, ``mode``, ``lander_soc_wh``; ``summary`` the numbers of ``summary.json``.
    """

    timeline: Any
    measurements: Any
    route: np.ndarray
    traces: dict[str, np.ndarray]
    summary: dict[str, Any]
    drill_sites: list[dict[str, Any]]
