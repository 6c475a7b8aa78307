"""The scenario file: one TOML document holding every mission parameter, validated by pydantic.

Each layer owns the model of its own parameters (``lupex.sites.criteria``,
``lupex.traverse.rover``, ``lupex.traverse.options``); :class:`Scenario` only composes them::

    [window]    mission window (UTC) of the illumination maps the sites are scored on
    [lander]    LanderLimits   footprint, slope/roughness limits, landing ellipse, darkness
    [sites]     SiteCriteria   hard constraints, scales, separation, [sites.weights]
    [rover]     Rover          mass, speeds, slope limits, power, array, battery, limits
    [traverse]  PlannerOptions science time, window, wait quantum, safe end

Errors name the file, the field, the value and the allowed range, e.g.
``S.toml: rover.battery_wh = -5 is outside the allowed range (0, 1e+06] Wh.``
``Scenario.template()`` (``lupex sites --template-config``) prints a complete default file.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from lupex.errors import ScenarioError
from lupex.sites.criteria import LanderLimits, SiteCriteria
from lupex.traverse.options import PlannerOptions
from lupex.traverse.rover import Rover


class MissionWindow(BaseModel):
    """The mission window: the span whose illumination maps the sites are judged on."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    start: str = Field("2028-01-01T00:00:00", description="start of the mission window (UTC, ISO 8601)",
                       json_schema_extra={"unit": "UTC"})
    stop: str = Field("2028-03-01T00:00:00", description="end of the mission window (UTC, ISO 8601)",
                      json_schema_extra={"unit": "UTC"})
    step_h: float = Field(1.0, gt=0, le=720, description="time step of the illumination frames",
                          json_schema_extra={"unit": "h"})

    @field_validator("start", "stop")
    @classmethod
    def _iso(cls, v: str) -> str:
        try:
            np.datetime64(v, "s")
        except Exception as exc:
            raise ValueError(f"{v!r} is not an ISO 8601 UTC time such as 2028-01-01T00:00") from exc
        return v

    @model_validator(mode="after")
    def _ordered(self) -> MissionWindow:
        if np.datetime64(self.stop, "s") <= np.datetime64(self.start, "s"):
            raise ValueError(f"stop = {self.stop!r} must be after start = {self.start!r}")
        return self


class Scenario(BaseModel):
    """Every parameter of a lupex mission plan (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    name: str = Field("LUPEX default scenario", description="a name for the reports",
                      json_schema_extra={"unit": ""})
    window: MissionWindow = Field(default_factory=MissionWindow)
    lander: LanderLimits = Field(default_factory=LanderLimits)
    sites: SiteCriteria = Field(default_factory=SiteCriteria)
    rover: Rover = Field(default_factory=Rover)
    traverse: PlannerOptions = Field(default_factory=PlannerOptions)

    @property
    def site_darkness_limit_h(self) -> float:
        """Longest darkness a landing site may have: the shorter of lander's and rover's [h]."""
        return min(self.lander.max_darkness_h, self.rover.max_darkness_h)

    # -- loading -----------------------------------------------------------------------------
    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Scenario:
        """Read and validate a scenario TOML file (missing tables/fields take their defaults)."""
        p = Path(path)
        if not p.exists():
            raise ScenarioError(f"{p}: no such scenario file. Write a default one with "
                                "`lupex sites --template-config > scenario.toml`.")
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ScenarioError(f"{p.name}: not valid TOML ({exc}). Compare with "
                                "`lupex sites --template-config`.") from exc
        return cls.from_dict(data, source=p.name)

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, source: str = "scenario") -> Scenario:
        """Validate a dict (as parsed from TOML); errors name ``source``, field, value, range."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise ScenarioError(_explain(exc, source)) from None

    # -- template ----------------------------------------------------------------------------
    @classmethod
    def template(cls) -> str:
        """A complete default scenario as commented TOML."""
        lines = ["# lupex scenario (TOML). Every field is shown with its default; units in the",
                 "# comments. 'estimate' marks a value with no public source for LUPEX.",
                 "# Validate with `lupex sites RUN --scenario this.toml`.", ""]
        default = cls()
        _emit(lines, default, prefix="")
        return "\n".join(lines).rstrip() + "\n"


# ------------------------------------------------------------------------------------------------
# TOML writing and error messages


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    raise TypeError(v)


def _emit(lines: list[str], model: BaseModel, *, prefix: str) -> None:
    nested = []
    for name, info in type(model).model_fields.items():
        v = getattr(model, name)
        if isinstance(v, BaseModel):
            nested.append((name, v))
            continue
        unit = (info.json_schema_extra or {}).get("unit", "") if isinstance(info.json_schema_extra, dict) else ""
        rng = _range_text(info)
        comment = "  # " + (f"[{unit}] " if unit else "") + (info.description or "") + \
            (f"; allowed {rng}" if rng else "")
        if v is None:
            lines.append(f"# {name} = 0.0{comment} (omitted = none)")
        else:
            lines.append(f"{name} = {_toml_value(v)}{comment}")
    for name, v in nested:
        table = f"{prefix}{name}"
        lines.append("")
        doc = (type(v).__doc__ or "").strip().splitlines()[0]
        lines.append(f"[{table}]  # {doc}")
        _emit(lines, v, prefix=f"{table}.")


def _bounds(info: Any) -> tuple[str, str] | None:
    lo = hi = None
    lo_open = hi_open = True
    for m in info.metadata:
        if isinstance(m, Gt):
            lo, lo_open = m.gt, True
        elif isinstance(m, Ge):
            lo, lo_open = m.ge, False
        elif isinstance(m, Lt):
            hi, hi_open = m.lt, True
        elif isinstance(m, Le):
            hi, hi_open = m.le, False
    if lo is None and hi is None:
        return None
    lo_s = "(-inf" if lo is None else ("(" if lo_open else "[") + f"{lo:g}"
    hi_s = "inf)" if hi is None else f"{hi:g}" + (")" if hi_open else "]")
    return lo_s, hi_s


def _range_text(info: Any) -> str:
    b = _bounds(info)
    return "" if b is None else f"{b[0]}, {b[1]}"


def _field_info(loc: tuple[Any, ...]) -> Any:
    model: Any = Scenario
    info = None
    for part in loc:
        fields = getattr(model, "model_fields", None)
        if not fields or part not in fields:
            return info if isinstance(part, int) else None
        info = fields[part]
        ann = info.annotation
        model = ann if isinstance(ann, type) and issubclass(ann, BaseModel) else None
    return info


def _explain(exc: ValidationError, source: str) -> str:
    msgs = []
    for err in exc.errors():
        loc = tuple(err.get("loc", ()))
        dotted = ".".join(str(p) for p in loc)
        value = err.get("input")
        typ = err.get("type", "")
        info = _field_info(loc)
        unit = ""
        if info is not None and isinstance(info.json_schema_extra, dict):
            unit = info.json_schema_extra.get("unit", "")
        rng = _range_text(info) if info is not None else ""
        u = f" {unit}" if unit and unit not in ("1", "UTC") else ""
        if typ in ("greater_than", "greater_than_equal", "less_than", "less_than_equal") and rng:
            msgs.append(f"{source}: {dotted} = {value!r} is outside the allowed range {rng}{u}.")
        elif typ == "extra_forbidden":
            parent = _field_info(loc[:-1])
            model = parent.annotation if parent is not None else Scenario
            allowed = ", ".join(getattr(model, "model_fields", {}).keys())
            msgs.append(f"{source}: unknown field {dotted} (allowed here: {allowed}).")
        elif typ.endswith("_parsing") or typ.endswith("_type") or typ == "finite_number":
            want = err.get("msg", "").replace("Input should be ", "")
            extra = f"; allowed range {rng}{u}" if rng else ""
            msgs.append(f"{source}: {dotted} = {value!r} is not {want}{extra}.")
        else:
            text = err.get("msg", "").removeprefix("Value error, ")
            if text.split(" ", 1)[0] in getattr(_model_at(loc), "model_fields", {}):
                text = f"{dotted + '.' if dotted else ''}{text}"
            elif dotted:
                text = f"{dotted}: {text}"
            msgs.append(f"{source}: {text.rstrip('.')}.")
    return " ".join(msgs)


def _model_at(loc: tuple[Any, ...]) -> Any:
    if not loc:
        return Scenario
    info = _field_info(loc)
    return info.annotation if info is not None else None
