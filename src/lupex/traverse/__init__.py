"""lupex.traverse: space-time rover route planning under power, darkness, comms and slope.

>>> from lupex.traverse import Rover, plan_traverse, frames_from_arrays  # doctest: +SKIP
"""

from lupex.scenario.traverse import PlannerOptions
from lupex.traverse.planner import Grid, TraversePlan, make_grid, plan_traverse
from lupex.traverse.targets import psr_edge_targets
from lupex.traverse.visibility import (
    VisibilityFrame,
    VisibilityStack,
    frames_from_arrays,
    visibility_stack,
)
from lupex.vehicles.rover import (
    MOON_G_M_S2,
    Rover,
    array_incidence_cos,
    array_power_w,
    speed_on_slope_m_s,
    traction_power_w,
)

__all__ = [
    "MOON_G_M_S2",
    "Grid",
    "PlannerOptions",
    "Rover",
    "TraversePlan",
    "VisibilityFrame",
    "VisibilityStack",
    "array_incidence_cos",
    "array_power_w",
    "frames_from_arrays",
    "make_grid",
    "plan_traverse",
    "psr_edge_targets",
    "speed_on_slope_m_s",
    "traction_power_w",
    "visibility_stack",
]
