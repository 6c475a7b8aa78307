"""lupex.mission: the scenario file (TOML + pydantic); later the timeline simulation."""

from lupex.mission.scenario import MissionWindow, Scenario

__all__ = ["MissionWindow", "Scenario"]
