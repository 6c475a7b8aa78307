"""The scenario: one TOML file holding the whole configuration of a lupex run.

:class:`Scenario` composes one table per concern; each table is a pydantic model that lives
beside its kind (environment tables here in :mod:`lupex.scenario.environment`, hardware in
:mod:`lupex.vehicles`, search options in :mod:`lupex.scenario.traverse` ...)::

    [terrain]      DEM file, synthetic terrain or LOLA crop
    [horizon]      azimuths, observer height, far field
    [window]       mission window (UTC) and time step
    [ephemeris]    the site of the Sun/Earth table (default: DEM centre)
    [illumination] PSR span, time-series points
    [thermal]      conduction model: window, step, grid, radiosity, depths
    [volatiles]    species, loss rate
    [lander]       touchdown tolerances, landing ellipse, survivable darkness
    [sites]        site-score constraints, scales and weights
    [rover]        mass, speeds, slopes, power, array, battery, limits
    [traverse]     route-search options

Errors name the file, the field, the value and the allowed range, e.g.
``S.toml: rover.battery_wh = -5 is outside the allowed range (0, 1e+06] Wh.``
:meth:`Scenario.template` (``lupex run --template-config``) prints a complete default that runs
as it is on the embedded synthetic terrain. Loading the schema imports no numba kernel.
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lupex.errors import ScenarioError
from lupex.scenario._toml import emit, explain
from lupex.scenario.environment import (
    EphemerisTable,
    HorizonTable,
    IlluminationTable,
    TerrainTable,
    ThermalTable,
    VolatilesTable,
    WindowTable,
)
from lupex.scenario.instruments import InstrumentsTable
from lupex.scenario.launch import LaunchTable
from lupex.scenario.mission import MissionTable
from lupex.scenario.sites import SiteCriteria
from lupex.scenario.traverse import PlannerOptions
from lupex.scenario.truth import TruthTable
from lupex.vehicles.lander import Lander
from lupex.vehicles.rover import Rover


class Scenario(BaseModel):
    """Every parameter of a lupex run (see the module docstring for the tables)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    name: str = Field("LUPEX scenario", description="a name for the reports",
                      json_schema_extra={"unit": ""})
    terrain: TerrainTable = Field(default_factory=TerrainTable)
    horizon: HorizonTable = Field(default_factory=HorizonTable)
    window: WindowTable = Field(default_factory=WindowTable)
    ephemeris: EphemerisTable = Field(default_factory=EphemerisTable)
    illumination: IlluminationTable = Field(default_factory=IlluminationTable)
    thermal: ThermalTable = Field(default_factory=ThermalTable)
    volatiles: VolatilesTable = Field(default_factory=VolatilesTable)
    lander: Lander = Field(default_factory=Lander)
    sites: SiteCriteria = Field(default_factory=SiteCriteria)
    rover: Rover = Field(default_factory=Rover)
    traverse: PlannerOptions = Field(default_factory=PlannerOptions)
    instruments: InstrumentsTable = Field(default_factory=InstrumentsTable)
    truth: TruthTable = Field(default_factory=TruthTable)
    mission: MissionTable = Field(default_factory=MissionTable)
    launch: LaunchTable = Field(default_factory=LaunchTable)

    @property
    def site_darkness_limit_h(self) -> float:
        """Longest darkness a landing site may have: the shorter of lander's and rover's [h]."""
        return min(self.lander.max_darkness_h, self.rover.max_darkness_h)

    # -- loading -----------------------------------------------------------------------------
    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Scenario:
        """Read and validate a scenario TOML file (missing tables/fields take their defaults).

        A relative ``terrain.dem`` (or ``horizon.far_field`` path) is taken relative to the
        file's folder and stored absolute, so a run folder's copy still finds it.
        """
        p = Path(path)
        if not p.is_file():
            raise ScenarioError(f"{p}: no such scenario file. Write a default one with "
                                "`lupex run --template-config > scenario.toml`.")
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ScenarioError(f"{p}: not valid TOML ({exc}). Compare with "
                                "`lupex run --template-config`.") from exc
        _absolute_paths(data, p.resolve().parent)
        return cls.from_dict(data, source=str(p))

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, source: str = "scenario") -> Scenario:
        """Validate a dict (as parsed from TOML); errors name ``source``, field, value, range."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise ScenarioError(explain(exc, source, cls)) from None

    def updated(self, changes: dict[str, Any], *, source: str = "override") -> Scenario:
        """A copy with ``{"table.field": value}`` changes applied and validated."""
        data = self.model_dump()
        for dotted, value in changes.items():
            node = data
            *parents, leaf = dotted.split(".")
            for part in parents:
                node = node.setdefault(part, {})
            node[leaf] = value
        return type(self).from_dict(data, source=source)

    # -- writing -----------------------------------------------------------------------------
    @classmethod
    def template(cls) -> str:
        """A complete default scenario as commented TOML (it runs as it is)."""
        return cls().to_toml(header=[
            "# lupex scenario (TOML): the whole configuration of `lupex run S.toml --out RUN`.",
            "# Every field is shown with its default, its unit in [brackets], its public source",
            "# where there is one, and its allowed range. 'estimate' marks a value with no public",
            "# source for LUPEX: change it when you know better. Tables you leave out take these",
            "# defaults. As written it runs the whole chain on the embedded synthetic terrain."])

    def to_toml(self, *, header: list[str] | None = None) -> str:
        """This scenario as commented TOML (loads back to an equal scenario)."""
        lines = [*(header or [f"# lupex scenario: {self.name}"]), ""]
        emit(lines, self, prefix="")
        return "\n".join(lines).rstrip() + "\n"

    # -- cache keys --------------------------------------------------------------------------
    def part(self, dotted: str) -> Any:
        """The JSON-able value of a table or a ``table.field`` (what a stage reads)."""
        node: Any = self
        for piece in dotted.split("."):
            if not hasattr(node, piece):
                raise KeyError(f"scenario has no {dotted!r}")
            node = getattr(node, piece)
        return node.model_dump(mode="json") if isinstance(node, BaseModel) else node

    def digest(self, parts: tuple[str, ...]) -> str:
        """sha256 of the named tables / fields (the part of a stage's cache key they make)."""
        payload = {p: self.part(p) for p in sorted(parts)}
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _absolute_paths(data: dict[str, Any], base: Path) -> None:
    terrain = data.get("terrain")
    if isinstance(terrain, dict) and isinstance(terrain.get("dem"), str) and terrain["dem"]:
        if not Path(terrain["dem"]).is_absolute():
            terrain["dem"] = str((base / terrain["dem"]).resolve())
    horizon = data.get("horizon")
    if isinstance(horizon, dict) and isinstance(horizon.get("far_field"), str):
        ff = horizon["far_field"]
        if ff not in ("auto", "none", "") and not Path(ff).is_absolute():
            horizon["far_field"] = str((base / ff).resolve())
    mission = data.get("mission")
    if isinstance(mission, dict) and isinstance(mission.get("nested_dem"), str):
        nd = mission["nested_dem"]
        if nd and not Path(nd).is_absolute():
            mission["nested_dem"] = str((base / nd).resolve())
