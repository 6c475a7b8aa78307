"""The thin orchestrator: run the stages a request needs, in dependency order, caching each.

Modelled on pvlib's ``ModelChain`` in spirit and a build system's DAG in mechanics: the
registry (:mod:`lupex.run.registry`) lists the stages; a request names some of them; the
scheduler adds what they need, orders them topologically, and for each one either reuses it
(finished with the same key, products on disk) or runs it. A stage interrupted half-way is
marked ``running`` in ``run.json``; the next run with the same key resumes it
(``ctx.resume``), which the horizon store, the illumination tiles and the thermal checkpoint
use to continue where they stopped.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from lupex.errors import ParameterError
from lupex.io.atomic import write_text_atomic
from lupex.io.runfolder import SCENARIO, RunFolder
from lupex.run.contract import RunContext, RunOptions, Stage, stage_key
from lupex.scenario import Scenario


def registry() -> dict[str, Stage]:
    """The registered stages by name, in registry order."""
    from lupex.run.registry import STAGES

    return {s.name: s for s in STAGES}


def plan(requested: Iterable[str] | None = None) -> list[str]:
    """The stages a request runs, needs first (registry order among equals).

    Raises :class:`~lupex.errors.ParameterError` for an unknown stage name.
    """
    reg = registry()
    names = list(reg) if requested is None else list(requested)
    for n in names:
        if n not in reg:
            raise ParameterError(f"unknown stage {n!r}; stages: {', '.join(reg)}.")
    wanted: set[str] = set()

    def add(n: str) -> None:
        if n not in wanted:
            wanted.add(n)
            for d in reg[n].needs:
                add(d)

    for n in names:
        add(n)
    order: list[str] = []
    done: set[str] = set()
    while len(order) < len(wanted):
        progressed = False
        for n in reg:
            if n in wanted and n not in done and all(d in done for d in reg[n].needs):
                order.append(n)
                done.add(n)
                progressed = True
        if not progressed:
            raise ParameterError(f"stage dependencies form a cycle among {sorted(wanted - done)}")
    return order


def keys(scenario: Scenario) -> dict[str, str]:
    """Every registered stage's cache key for ``scenario``."""
    reg = registry()
    out: dict[str, str] = {}

    def key(n: str) -> str:
        if n not in out:
            st = reg[n]
            out[n] = stage_key(st, scenario, {d: key(d) for d in st.needs})
        return out[n]

    for n in reg:
        key(n)
    return out


class RunResults(Mapping):
    """The typed results of a run by stage name, loaded from the run folder when first read."""

    def __init__(self, resolve: Callable[[str], Any], names: list[str],
                 ran: list[str], reused: list[str]) -> None:
        self._resolve = resolve
        self._names = names
        self.ran = ran
        """Stages this call ran."""
        self.reused = reused
        """Stages this call found finished and reused."""

    def __getitem__(self, name: str) -> Any:
        if name not in self._names:
            raise KeyError(name)
        return self._resolve(name)

    def __iter__(self):
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def load_scenario(scenario: Scenario | str | os.PathLike[str] | None,
                  run_dir: Path) -> Scenario:
    """The scenario object: given, read from a file, or the run folder's own copy."""
    if isinstance(scenario, Scenario):
        return scenario
    if scenario is None:
        own = run_dir / SCENARIO
        if not own.exists():
            raise ParameterError(f"{run_dir}: no {SCENARIO} in the run folder; give the scenario "
                                 "(`lupex run S.toml --out RUN`).")
        return Scenario.load(own)
    return Scenario.load(scenario)


def run_scenario(scenario: Scenario | str | os.PathLike[str] | None,
                 run_dir: str | os.PathLike[str], *, stages: Iterable[str] | None = None,
                 options: RunOptions | None = None,
                 progress: Callable[[str, int, int], None] | None = None,
                 on_stage: Callable[[str, str], None] | None = None,
                 report: bool = True) -> RunResults:
    """Run a scenario (or some of its stages) into a run folder, reusing finished stages.

    Parameters
    ----------
    scenario : Scenario, path or None
        The scenario; a TOML path; None for the run folder's own ``scenario.toml``.
    run_dir : path-like
        The run folder (created). Its ``scenario.toml`` is replaced by this scenario.
    stages : iterable of str, optional
        Stages to bring up to date (with what they need); all registered stages by default.
    options : RunOptions, optional
        Options that do not change results (engine device, Monte Carlo count ...).
    progress : callable, optional
        ``progress(stage, done, total)`` from inside long stages.
    on_stage : callable, optional
        ``on_stage(stage, event)`` with event ``"reused"``, ``"start"`` or ``"done"``.
    report : bool
        Write ``report.html`` at the end.

    Returns
    -------
    RunResults
        A mapping stage -> typed result (lazy), with ``.ran`` and ``.reused``.
    """
    folder = RunFolder(run_dir)
    sc = load_scenario(scenario, folder.path)
    options = options or RunOptions()
    order = plan(stages)
    all_keys = keys(sc)
    reg = registry()
    text = sc.to_toml()
    own = folder.path / SCENARIO
    if not own.exists() or own.read_text(encoding="utf-8") != text:
        write_text_atomic(own, text)
    folder.set("scenario_name", sc.name)
    folder.set("scenario", sc.model_dump(mode="json"))
    from lupex.io.provenance import provenance

    folder.set("provenance", provenance("lupex.run.run_scenario", stages=order,
                                        device=options.device))
    results: dict[str, Any] = {}
    ran: list[str] = []
    reused: list[str] = []
    folder.set("last_run", {"started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                            "requested": list(stages) if stages is not None else "all",
                            "ran": ran, "reused": reused, "complete": False})
    folder.save()

    def closure(name: str) -> frozenset[str]:
        out: set[str] = set()
        todo = list(reg[name].needs)
        while todo:
            n = todo.pop()
            if n not in out:
                out.add(n)
                todo.extend(reg[n].needs)
        return frozenset(out)

    def context(name: str, resume: bool = False) -> RunContext:
        return RunContext(folder, sc, options, resolve=resolve, progress=progress, stage=name,
                          resume=resume, reads=reg[name].reads, allowed_needs=closure(name))

    checked: set[str] = set()

    def ensure(name: str) -> None:
        """Bring ``name`` up to date: reuse it (no loading) or run it."""
        if name in checked:
            return
        st = reg[name]
        for d in st.needs:
            ensure(d)
        key = all_keys[name]
        if folder.is_done(name, key):
            reused.append(name)
            checked.add(name)
            if on_stage:
                on_stage(name, "reused")
            return
        prev = folder.stage_record(name)
        resume = bool(prev and prev.get("status") == "running" and prev.get("key") == key)
        folder.forget_stage(name)
        folder.start_stage(name, key, st.version)
        if on_stage:
            on_stage(name, "start")
        ctx = context(name, resume)
        t0 = time.perf_counter()
        results[name] = st.run(ctx)
        folder.finish_stage(name, ctx._summary, time.perf_counter() - t0)
        ran.append(name)
        checked.add(name)
        folder.set("last_run", {**folder.manifest["last_run"], "ran": ran, "reused": reused})
        folder.save()
        if on_stage:
            on_stage(name, "done")

    def resolve(name: str) -> Any:
        """The typed result of ``name``: in memory, or loaded after bringing it up to date."""
        if name not in results:
            ensure(name)
            if name not in results:
                results[name] = reg[name].load(context(name))
        return results[name]

    for name in order:
        ensure(name)
    folder.set("last_run", {**folder.manifest["last_run"], "ran": ran, "reused": reused,
                            "complete": True})
    folder.save()
    if report:
        from lupex.report import write_report

        write_report(folder.path)
    return RunResults(resolve, order, ran, reused)
