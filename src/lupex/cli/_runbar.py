"""Progress display of a run: one bar for the stages, one per long stage."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.progress import Progress


def stage_callbacks(p: Progress, n_stages: int, title: str
                    ) -> tuple[Callable[[str, int, int], None], Callable[[str, str], None]]:
    """``(progress, on_stage)`` callbacks of :func:`lupex.run.run_scenario` driving ``p``."""
    overall = p.add_task(title, total=n_stages)
    subs: dict[str, Any] = {}

    def progress(stage: str, done: int, total: int) -> None:
        if stage not in subs:
            subs[stage] = p.add_task(f"  {stage}", total=total)
        p.update(subs[stage], completed=done, total=total)

    def on_stage(stage: str, event: str) -> None:
        if event == "start":
            p.update(overall, description=f"{title}: {stage}")
        elif event in ("done", "reused"):
            p.advance(overall)
            if event == "reused":
                p.update(overall, description=f"{title}: {stage} (reused)")

    return progress, on_stage


def run_with_progress(scenario: Any, out: Any, *, stages: Any = None, options: Any = None,
                      title: str = "lupex run", report: bool = False) -> Any:
    """:func:`lupex.run.run_scenario` under a rich progress display; returns its results."""
    from pathlib import Path

    from lupex.cli._common import progress as progress_bar
    from lupex.run import plan, run_scenario
    from lupex.run.scheduler import load_scenario

    scenario = load_scenario(scenario, Path(out))  # a bad file fails before any bar is drawn
    n = len(plan(stages))
    with progress_bar() as p:
        prog, on_stage = stage_callbacks(p, n, title)
        return run_scenario(scenario, out, stages=stages, options=options, progress=prog,
                            on_stage=on_stage, report=report)
