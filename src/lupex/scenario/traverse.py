"""The ``[traverse]`` table: options of the route search."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class PlannerOptions(BaseModel):
    """How :func:`lupex.traverse.plan_traverse` searches (not what the rover can do)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    science_h: float = Field(2.0, ge=0, le=1e4, description="time spent at each target",
                             json_schema_extra={"unit": "h"})
    auto_targets: int = Field(1, ge=0, le=20,
                              description="targets proposed at the nearest drivable PSR edges when none are given (lupex demo / run)",
                              json_schema_extra={"unit": "1"})
    auto_target_max_distance_m: float = Field(5000.0, gt=0, le=1e6,
                                              description="farthest an automatic target may be from the landing site",
                                              json_schema_extra={"unit": "m"})
    window_h: float = Field(720.0, gt=0, le=1e6, description="planning window from the start time",
                            json_schema_extra={"unit": "h"})
    wait_quantum_min: float = Field(10.0, gt=0, le=1440,
                                    description="granularity of 'charge, then drive' within a step",
                                    json_schema_extra={"unit": "min"})
    safe_sun_fraction: float = Field(0.5, ge=0, le=1,
                                     description="an end cell must see part of the Sun at least this fraction of the window",
                                     json_schema_extra={"unit": "1"})
    dark_sun_fraction: float = Field(0.0, ge=0, lt=1,
                                     description="visible Sun fraction at or below which a cell counts as dark",
                                     json_schema_extra={"unit": "1"})
    soc_resolution_fraction: float = Field(0.005, ge=0, lt=0.5,
                                           description="state-of-charge resolution of the dominance test, fraction of battery_wh",
                                           json_schema_extra={"unit": "1"})
    clock_resolution_fraction: float = Field(0.02, ge=0, lt=0.5,
                                             description="darkness/no-Earth clock resolution of the dominance test, fraction of each limit",
                                             json_schema_extra={"unit": "1"})
    max_labels: int = Field(60_000_000, ge=1000, le=2_000_000_000,
                            description="memory guard on the search (about 40 bytes per state)",
                            json_schema_extra={"unit": "1"})

    def planner_kwargs(self) -> dict:
        """These options as keyword arguments of :func:`lupex.traverse.plan_traverse`."""
        return {"science_h": self.science_h, "safe_sun_fraction": self.safe_sun_fraction,
                "wait_quantum_s": self.wait_quantum_min * 60.0,
                "dark_sun_fraction": self.dark_sun_fraction,
                "soc_resolution": self.soc_resolution_fraction,
                "clock_resolution": self.clock_resolution_fraction,
                "max_labels": self.max_labels}
