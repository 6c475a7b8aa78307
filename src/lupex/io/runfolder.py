"""The run folder: its layout and ``run.json``, the one manifest of everything a run made.

This module is the only writer of ``run.json``. Every stage and every CLI verb registers what it
writes here (``add_map``, ``add_table``, ...); the report and the viewer read the products from
here and never glob the folder. Layout::

    RUN/scenario.toml   the scenario the run used (complete, absolute paths)
    RUN/run.json        the manifest (below)
    RUN/maps/           Cloud-Optimized GeoTIFF + PNG quicklooks
    RUN/tables/         CSV
    RUN/plans/          GeoJSON (planetocentric lon/lat degrees) and their pictures
    RUN/plots/          figures that are not maps
    RUN/cache/          Zarr stores and checkpoints (horizons, thermal state, ...)
    RUN/report.html     the report
    RUN/summary.json    the mission's answers (when the mission stage ran)

The manifest (``manifest_version`` 1)::

    {"manifest_version": 1, "lupex_version": ..., "created_utc": ..., "updated_utc": ...,
     "scenario_name": ..., "scenario": {...},
     "stages": {name: {"key", "version", "status": "done" | "running", "started_utc",
                       "finished_utc", "duration_s", "summary": {...}}},
     "last_run": {"started_utc", "requested": [...], "ran": [...], "reused": [...]},
     "products": [{"stage", "path", "kind", "long_name", "units", "crs", "time_range",
                   "format"}, ...],
     "provenance": {...}}

``kind`` is one of :data:`KINDS`. Paths are relative to the run folder. Every save is atomic.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from pathlib import Path
from typing import Any

from lupex.errors import InputFileError
from lupex.io.atomic import write_json_atomic

MANIFEST_VERSION = 1
MANIFEST = "run.json"
SCENARIO = "scenario.toml"
SUBFOLDERS = ("maps", "tables", "plans", "plots", "cache")
KINDS = ("map", "table", "plan", "plot", "store", "document")
_FORMATS = {".tif": "GeoTIFF", ".png": "PNG", ".csv": "CSV", ".geojson": "GeoJSON",
            ".json": "JSON", ".zarr": "Zarr", ".html": "HTML", ".npz": "NPZ"}


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class RunFolder:
    """A run folder and its manifest (created when absent).

    Parameters
    ----------
    path : path-like
        The run folder.
    create : bool
        Create the folder and its sub-folders; when False a missing folder or manifest is an
        :class:`~lupex.errors.InputFileError` naming the command that makes one.
    """

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True) -> None:
        self.path = Path(path)
        if not create and not (self.path / MANIFEST).is_file():
            raise InputFileError(f"{self.path}: not a lupex run folder (no {MANIFEST}); make one "
                                 "with `lupex run S.toml --out RUN`.")
        if create:
            for sub in SUBFOLDERS:
                (self.path / sub).mkdir(parents=True, exist_ok=True)
        self.manifest = self._read()

    # -- reading -----------------------------------------------------------------------------
    def _read(self) -> dict[str, Any]:
        p = self.path / MANIFEST
        fresh = {"manifest_version": MANIFEST_VERSION, "created_utc": _now(), "stages": {},
                 "products": [], "last_run": {}}
        if not p.exists():
            return fresh
        try:
            meta = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise InputFileError(f"{p}: not readable JSON ({exc}); delete it to start the run "
                                 "afresh.") from exc
        if meta.get("manifest_version") != MANIFEST_VERSION:
            # a folder from an older lupex: its products are unknown, so every stage reruns
            fresh["previous_manifest_version"] = meta.get("manifest_version")
            return fresh
        return meta

    def products(self, stage: str | None = None, kind: str | None = None) -> list[dict[str, Any]]:
        """The registered products, optionally of one stage and/or kind, in registration order."""
        return [p for p in self.manifest["products"]
                if (stage is None or p["stage"] == stage) and (kind is None or p["kind"] == kind)]

    def product(self, path: str) -> dict[str, Any] | None:
        """The record of one product by its relative path (None when not registered)."""
        rel = self._rel(path)
        return next((p for p in self.manifest["products"] if p["path"] == rel), None)

    def summary(self, stage: str | None = None) -> dict[str, Any]:
        """Short results of one stage, or of all stages merged in run order."""
        stages = self.manifest.get("stages", {})
        if stage is not None:
            return dict(stages.get(stage, {}).get("summary", {}))
        out: dict[str, Any] = {}
        for rec in stages.values():
            out.update(rec.get("summary", {}))
        return out

    def stage_record(self, stage: str) -> dict[str, Any] | None:
        """The manifest's record of one stage (key, status, times, summary) or None."""
        return self.manifest.get("stages", {}).get(stage)

    def is_done(self, stage: str, key: str) -> bool:
        """True when ``stage`` finished with ``key`` and all its products still exist."""
        rec = self.stage_record(stage)
        if not rec or rec.get("status") != "done" or rec.get("key") != key:
            return False
        return all((self.path / p["path"]).exists() for p in self.products(stage))

    # -- writing -----------------------------------------------------------------------------
    def _rel(self, path: str | os.PathLike[str]) -> str:
        p = Path(path)
        if p.is_absolute():
            try:
                p = p.resolve().relative_to(self.path.resolve())
            except ValueError:
                raise InputFileError(f"{path}: products must lie inside the run folder "
                                     f"{self.path}.") from None
        return p.as_posix()

    def add(self, stage: str, path: str | os.PathLike[str], *, kind: str, long_name: str,
            units: str | dict[str, str] | None = None, crs: str | None = None,
            time_range: list[str] | None = None, **extra: Any) -> dict[str, Any]:
        """Register (or replace) one product. Saved by :meth:`save` (stages: at their end)."""
        if kind not in KINDS:
            raise ValueError(f"kind {kind!r} is not one of {KINDS}")
        rel = self._rel(path)
        rec = {"stage": stage, "path": rel, "kind": kind, "long_name": long_name,
               "units": units, "crs": crs, "time_range": time_range,
               "format": _FORMATS.get(Path(rel).suffix.lower(), Path(rel).suffix.lstrip("."))}
        rec.update({k: v for k, v in extra.items() if v is not None})
        prods = self.manifest["products"]
        for i, p in enumerate(prods):
            if p["path"] == rel:
                prods[i] = rec
                break
        else:
            prods.append(rec)
        return rec

    def add_map(self, stage: str, path: str | os.PathLike[str], da: Any = None, *,
                long_name: str | None = None, units: str | None = None,
                time_range: list[str] | None = None, **extra: Any) -> dict[str, Any]:
        """Register a GeoTIFF map; units, long name and CRS default to ``da``'s attrs/CRS."""
        attrs = dict(getattr(da, "attrs", {}) or {})
        crs = None
        if da is not None and getattr(da, "rio", None) is not None and da.rio.crs is not None:
            crs = da.rio.crs.to_string()
        name = long_name or attrs.get("long_name") or getattr(da, "name", None) or Path(path).stem
        return self.add(stage, path, kind="map", long_name=str(name),
                        units=units if units is not None else attrs.get("units"), crs=crs,
                        time_range=time_range, **extra)

    def add_table(self, stage: str, path: str | os.PathLike[str], *, long_name: str,
                  units: dict[str, str] | None = None, time_range: list[str] | None = None,
                  **extra: Any) -> dict[str, Any]:
        """Register a CSV table; ``units`` maps column names to units."""
        return self.add(stage, path, kind="table", long_name=long_name, units=units,
                        time_range=time_range, **extra)

    def add_plan(self, stage: str, path: str | os.PathLike[str], *, long_name: str,
                 time_range: list[str] | None = None, **extra: Any) -> dict[str, Any]:
        """Register a GeoJSON plan (planetocentric lon/lat degrees, RFC 7946)."""
        return self.add(stage, path, kind="plan", long_name=long_name,
                        crs="planetocentric lon/lat deg (IAU_2015:30100)", time_range=time_range,
                        **extra)

    def add_plot(self, stage: str, path: str | os.PathLike[str], *, long_name: str,
                 time_range: list[str] | None = None, **extra: Any) -> dict[str, Any]:
        """Register a figure (PNG)."""
        return self.add(stage, path, kind="plot", long_name=long_name, time_range=time_range,
                        **extra)

    def forget_stage(self, stage: str) -> None:
        """Drop a stage's products and record (before it reruns)."""
        self.manifest["products"] = [p for p in self.manifest["products"] if p["stage"] != stage]
        self.manifest.get("stages", {}).pop(stage, None)

    def start_stage(self, stage: str, key: str, version: str) -> None:
        """Record that ``stage`` started with ``key`` (so an interrupted one can resume)."""
        self.manifest.setdefault("stages", {})[stage] = {
            "key": key, "version": version, "status": "running", "started_utc": _now()}
        self.save()

    def set_stage_summary(self, stage: str, summary: dict[str, Any]) -> None:
        """Replace the summary of a stage that is running (saved with the stage)."""
        rec = self.manifest.setdefault("stages", {}).setdefault(stage, {})
        rec["summary"] = _plain(summary)

    def finish_stage(self, stage: str, summary: dict[str, Any] | None, duration_s: float) -> None:
        """Mark ``stage`` done with its summary and save."""
        rec = self.manifest["stages"][stage]
        rec.update(status="done", finished_utc=_now(), duration_s=round(duration_s, 3),
                   summary=_plain({**rec.get("summary", {}), **(summary or {})}))
        self.save()

    def set(self, key: str, value: Any) -> None:
        """Set a top-level manifest entry (``scenario``, ``last_run``, ``provenance`` ...)."""
        if key in ("products", "stages", "manifest_version"):
            raise ValueError(f"{key!r} is written through its own methods")
        self.manifest[key] = _plain(value)

    def save(self) -> Path:
        """Write ``run.json`` atomically."""
        from lupex import __version__

        self.manifest["lupex_version"] = __version__
        self.manifest["updated_utc"] = _now()
        return write_json_atomic(self.path / MANIFEST, self.manifest)


def _plain(v: Any) -> Any:
    """JSON-able copy: numpy scalars to Python, NaN to None, other objects to str."""
    import math

    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if hasattr(v, "item") and callable(v.item) and getattr(v, "ndim", 1) == 0:
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    return str(v)
