"""Shared by ``lupex sites`` and ``lupex traverse``: find a run folder's DEM and horizons, load
the scenario, parse LAT,LON points."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lupex.errors import InputFileError, ParameterError


def run_params(run_dir: Path) -> dict[str, Any]:
    """``parameters`` recorded in ``RUN/run.json`` (empty when there is none)."""
    p = Path(run_dir) / "run.json"
    if not p.exists():
        return {}
    try:
        meta = json.loads(p.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise InputFileError(f"{p}: not readable JSON ({exc}); rerun the step that wrote it.") from exc
    params = dict(meta.get("parameters", {}))
    for key in ("dem", "horizons"):  # the chain's layout records them at the top
        if key not in params and isinstance(meta.get(key), str):
            params[key] = meta[key]
    return params


def find_dem(run_dir: Path, dem: Path | None) -> Path:
    """``--dem``, else the DEM recorded in run.json, else ``RUN/maps/dem.tif``."""
    if dem is not None:
        return Path(dem)
    rec = run_params(run_dir).get("dem")
    if rec and Path(rec).exists():
        return Path(rec)
    p = Path(run_dir) / "maps" / "dem.tif"
    if p.exists():
        return p
    raise InputFileError(f"{run_dir}: no DEM found (no --dem, none recorded in run.json, no "
                         "maps/dem.tif). Pass --dem DEM.tif.")


def load_scenario(path: Path | None):
    from lupex.mission import Scenario

    return Scenario() if path is None else Scenario.load(path)


def parse_latlon(text: str, option: str) -> tuple[float, float]:
    try:
        lat_s, lon_s = text.split(",")
        lat, lon = float(lat_s), float(lon_s)
    except ValueError:
        raise ParameterError(f"{option} {text!r}: expected LAT,LON in degrees, e.g. "
                             f"{option} -89.45,222.7") from None
    if not -90.0 <= lat <= 90.0:
        raise ParameterError(f"{option} {text!r}: latitude {lat:g} is outside [-90, 90] deg.")
    return lat, lon
