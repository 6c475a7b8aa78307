"""lupex.scenario: the one TOML file that configures a run, validated by pydantic.

>>> from lupex.scenario import Scenario
>>> Scenario().window.step
'2h'
"""

from lupex.scenario.schema import Scenario

__all__ = ["Scenario"]
