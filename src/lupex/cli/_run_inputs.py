"""Shared by the verbs that work on a run folder: run one stage of it, parse LAT,LON points.

A verb given a run folder does what the same stage does inside ``lupex run``: it reads the
folder's own ``scenario.toml``, applies the verb's options as overrides of scenario fields
(``{"window.step": "1h"}``) or replaces it with ``--scenario``, and brings the stage and what it
needs up to date through :func:`lupex.run.run_scenario`. There is no second wiring.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lupex.errors import InputFileError, ParameterError


def is_run_folder(path: Path) -> bool:
    """True for a folder written by ``lupex run`` (it holds ``scenario.toml``)."""
    from lupex.io.runfolder import SCENARIO

    return Path(path).is_dir() and (Path(path) / SCENARIO).is_file()


def run_folder_scenario(run_dir: Path, scenario: Path | None = None,
                        overrides: dict[str, Any] | None = None):
    """The scenario of a run folder (or ``scenario``), with ``overrides`` applied."""
    from lupex.io.runfolder import SCENARIO
    from lupex.scenario import Scenario

    run_dir = Path(run_dir)
    if scenario is not None:
        sc = Scenario.load(scenario)
    elif is_run_folder(run_dir):
        sc = Scenario.load(run_dir / SCENARIO)
    else:
        raise InputFileError(f"{run_dir}: not a lupex run folder (no {SCENARIO}); make one "
                             "with `lupex run S.toml --out RUN` (or `lupex demo`).")
    changes = {k: v for k, v in (overrides or {}).items() if v is not None}
    return sc.updated(changes, source="command-line options") if changes else sc


def run_stage(run_dir: Path, stage: str, *, scenario: Path | None = None,
              overrides: dict[str, Any] | None = None, device: str = "cpu",
              scheduler: str | None = None, extra: dict[str, Any] | None = None):
    """Bring ``stage`` of a run folder up to date with progress bars; return the results."""
    from lupex.cli._runbar import run_with_progress
    from lupex.run import RunOptions

    sc = run_folder_scenario(run_dir, scenario, overrides)
    return run_with_progress(sc, run_dir, stages=(stage,), title=f"lupex {stage}",
                             options=RunOptions(device=device, scheduler=scheduler,
                                                extra=dict(extra or {})))


def print_products(run_dir: Path, stage: str) -> None:
    """Print the paths of a stage's products (from the manifest)."""
    from lupex.cli._common import console
    from lupex.io.runfolder import RunFolder

    c = console()
    for p in RunFolder(run_dir).products(stage):
        c.print(str(Path(run_dir) / p["path"]))


def parse_latlon(text: str, option: str) -> tuple[float, float]:
    """``"LAT,LON"`` in degrees -> ``(lat, lon)``; one clear error otherwise."""
    try:
        lat_s, lon_s = text.split(",")
        lat, lon = float(lat_s), float(lon_s)
    except ValueError:
        raise ParameterError(f"{option} {text!r}: expected LAT,LON in degrees, e.g. "
                             f"{option} -89.45,222.7") from None
    if not -90.0 <= lat <= 90.0:
        raise ParameterError(f"{option} {text!r}: latitude {lat:g} is outside [-90, 90] deg.")
    return lat, lon
