"""lupex.run: one scenario file, one command, one run folder.

>>> from lupex.run import run_scenario                                  # doctest: +SKIP
>>> results = run_scenario("examples/lupex.toml", "RUN")                # doctest: +SKIP
>>> results["sites"].candidates.head()                                  # doctest: +SKIP

The stage contract is :mod:`lupex.run.contract`, the stages are :mod:`lupex.run.stages`, the
registry :mod:`lupex.run.registry`, the orchestrator :mod:`lupex.run.scheduler`, the run folder
and its manifest :mod:`lupex.io.runfolder`.
"""

from lupex.run.contract import RunContext, RunOptions, Stage
from lupex.run.scheduler import RunResults, keys, plan, registry, run_scenario

__all__ = ["RunContext", "RunOptions", "RunResults", "Stage", "keys", "plan", "registry",
           "run_scenario"]
