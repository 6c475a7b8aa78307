"""The stage contract: what a stage declares, and the context it runs in.

A stage is one module under :mod:`lupex.run.stages` that defines ``STAGE = Stage(...)``:

- ``name`` and ``needs`` (the stages whose results it uses);
- ``reads``: the scenario tables (``"rover"``) or fields (``"window.start"``) it uses;
- ``version``: bumped when the stage's physics or outputs change;
- ``run(ctx) -> Result``: compute, write through ``ctx`` (which registers each product in the
  manifest) and return the typed result, by convention ``load(ctx)`` so a fresh run returns
  exactly what a resumed one does;
- ``load(ctx) -> Result``: the same typed result read back from the run folder, never None.

Its cache key is sha256 over its version, the values of what it reads and its needs' keys
(:func:`stage_key`), so a physics change or an edited table reruns exactly the stages that
depend on it. The scheduler (:mod:`lupex.run.scheduler`) decides what to run.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lupex.io.runfolder import RunFolder
from lupex.scenario import Scenario


@dataclass(frozen=True)
class Stage:
    """One stage of a lupex run (see the module docstring)."""

    name: str
    needs: tuple[str, ...]
    reads: tuple[str, ...]
    version: str
    run: Callable[[RunContext], Any]
    load: Callable[[RunContext], Any]
    doc: str = ""
    fingerprint: Callable[[Scenario], Any] | None = None
    """Extra inputs of the key that are not scenario values (e.g. a DEM file's size and time)."""


@dataclass
class RunOptions:
    """Options of a run that do not change its results (so they are not part of any key).

    Parameters
    ----------
    device : str
        Horizon engine: ``"cpu"``, ``"gpu"`` or ``"auto"`` (both compute the same horizons).
    monte_carlo : int
        Monte Carlo repetitions of the mission simulation (0: one nominal mission).
    scheduler : str, optional
        dask.distributed scheduler address for the tiled stages (local threads when None).
    extra : dict
        Stage-specific options (documented by the stage).
    """

    device: str = "cpu"
    monte_carlo: int = 0
    scheduler: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class ScenarioView:
    """The part of the scenario a stage declared in ``reads``; anything else is refused.

    So a stage's cache key (which hashes only what it declares) cannot miss an input: reading
    an undeclared table or field raises :class:`~lupex.errors.StageContractError`.
    """

    def __init__(self, scenario: Any, reads: tuple[str, ...], stage: str,
                 prefix: str = "") -> None:
        self._sc = scenario
        self._reads = reads
        self._stage = stage
        self._prefix = prefix

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        dotted = f"{self._prefix}{name}"
        value = getattr(self._sc, name)
        if name == "name" and not self._prefix:
            return value  # the scenario's name labels outputs; it changes no result
        if any(dotted == r or dotted.startswith(r + ".") for r in self._reads):
            return value
        base = getattr(type(self._sc), "DERIVED_FROM", {}).get(name)  # e.g. start_utc <- start
        if base is not None and any(f"{self._prefix}{base}" == r for r in self._reads):
            return value
        if any(r.startswith(dotted + ".") for r in self._reads):
            return ScenarioView(value, self._reads, self._stage, prefix=dotted + ".")
        from lupex.errors import StageContractError

        raise StageContractError(f"stage {self._stage!r} reads scenario {dotted!r} but does not "
                                 f"declare it in `reads` {self._reads}; add it there so its cache "
                                 "key follows it.")

    def part(self, dotted: str) -> Any:
        """The JSON-able value of a declared table or field (for provenance records)."""
        node: Any = self
        for piece in dotted.split("."):
            node = getattr(node, piece)
        return node.model_dump(mode="json") if hasattr(node, "model_dump") else node


class RunContext:
    """What a stage sees: the run folder, the scenario, its needs' results, progress."""

    def __init__(self, folder: RunFolder, scenario: Scenario, options: RunOptions, *,
                 resolve: Callable[[str], Any], progress: Callable[[str, int, int], None] | None,
                 stage: str = "", resume: bool = False, reads: tuple[str, ...] | None = None,
                 allowed_needs: frozenset[str] | None = None) -> None:
        self.folder = folder
        self.scenario: Any = scenario if reads is None else ScenarioView(scenario, reads, stage)
        self.allowed_needs = allowed_needs
        self.options = options
        self.stage = stage
        self.resume = resume
        self._resolve = resolve
        self._progress = progress
        self._summary: dict[str, Any] = {}

    @property
    def run_dir(self) -> Path:
        """The run folder's path."""
        return self.folder.path

    def need(self, name: str) -> Any:
        """The typed result of stage ``name`` (loaded from disk or run first when stale).

        Only stages this one declares in ``needs`` (directly or through them) may be asked for.
        """
        if self.allowed_needs is not None and name not in self.allowed_needs:
            from lupex.errors import StageContractError

            raise StageContractError(f"stage {self.stage!r} asks for {name!r}, which it does not "
                                     "declare in `needs`; add it there.")
        return self._resolve(name)

    def progress(self, done: int, total: int) -> None:
        """Report progress of the current stage (drives the CLI's progress bar)."""
        if self._progress is not None:
            self._progress(self.stage, int(done), int(total))

    def progress_callback(self) -> Callable[[int, int], None] | None:
        """``f(done, total)`` for library functions, or None when nobody listens."""
        return self.progress if self._progress is not None else None

    def set_summary(self, values: dict[str, Any]) -> None:
        """Short results of this stage for ``run.json`` and the report (``load`` reads them)."""
        self._summary.update(values)
        self.folder.set_stage_summary(self.stage, self._summary)

    def provenance(self, **parameters: Any) -> dict[str, Any]:
        """A provenance record for this stage's files (scenario name, stage, parameters)."""
        from lupex.io.provenance import provenance

        return provenance(f"lupex.run.stages.{self.stage}", scenario=str(self.scenario.name),
                          **parameters)

    def register(self, path: str | os.PathLike[str], da: Any = None, *,
                 long_name: str | None = None, units: Any = None,
                 time_range: list[str] | None = None, **extra: Any) -> dict[str, Any]:
        """Record one file this stage wrote in the manifest, its kind taken from its suffix.

        ``.tif`` maps take units, long name and CRS from ``da``; a ``.png`` beside a map is
        its quicklook; ``.zarr`` and ``.npz`` are stores; ``.csv`` tables; ``.geojson`` plans.
        """
        p = Path(path)
        suffix = p.suffix.lower()
        f = self.folder
        if suffix == ".tif":
            return f.add_map(self.stage, p, da, long_name=long_name, units=units,
                             time_range=time_range, **extra)
        name = long_name or _title(p.stem)
        if suffix == ".png":
            twin = p.with_suffix(".tif")
            if (self.run_dir / twin if not twin.is_absolute() else twin).exists():
                extra.setdefault("quicklook_of", f._rel(twin))
            return f.add_plot(self.stage, p, long_name=name, time_range=time_range, **extra)
        if suffix == ".csv":
            return f.add_table(self.stage, p, long_name=name, units=units, time_range=time_range,
                               **extra)
        if suffix == ".geojson":
            return f.add_plan(self.stage, p, long_name=name, time_range=time_range, **extra)
        if suffix in (".zarr", ".npz"):
            return f.add(self.stage, p, kind="store", long_name=name, units=units,
                         time_range=time_range, **extra)
        return f.add(self.stage, p, kind="document", long_name=name, units=units,
                     time_range=time_range, **extra)


def _title(stem: str) -> str:
    return stem.replace("_", " ")


def stage_key(stage: Stage, scenario: Scenario, needs_keys: dict[str, str]) -> str:
    """sha256 (16 hex digits) of the stage's version, what it reads, and its needs' keys."""
    payload = {"stage": stage.name, "version": stage.version,
               "reads": scenario.digest(stage.reads),
               "needs": {n: needs_keys[n] for n in sorted(stage.needs)},
               "fingerprint": stage.fingerprint(scenario) if stage.fingerprint else None}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()
                          ).hexdigest()[:16]
