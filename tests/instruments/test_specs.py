"""The [instruments] table: hosts are values, every default is sourced or an estimate."""

from __future__ import annotations

import pytest

from lupex.errors import ScenarioError
from lupex.scenario import Scenario
from lupex.scenario.instruments import InstrumentsTable


def test_every_default_names_a_source_or_says_estimate():
    for key, spec in InstrumentsTable().specs().items():
        assert spec.source, key
        for name, info in type(spec).model_fields.items():
            extra = info.json_schema_extra or {}
            if extra.get("unit") not in ("", None, "n/a") and name != "host":
                assert extra.get("source"), f"{key}.{name} has no source and no 'estimate'"


def test_host_is_a_value_not_a_rule():
    s = Scenario.from_dict({"instruments": {"gpr": {"host": "lander"}, "isap": {"host": "lander"}}})
    assert set(s.instruments.on("lander")) == {"gpr", "isap"}
    assert "neutron" in s.instruments.on("rover")
    assert not s.instruments.ems_l.has_measurement_model


def test_bad_values_name_the_field():
    with pytest.raises(ScenarioError, match=r"instruments\.gpr\.host = 'orbiter' is not allowed"):
        Scenario.from_dict({"instruments": {"gpr": {"host": "orbiter"}}})
    with pytest.raises(ScenarioError, match=r"instruments\.neutron\.duration_s = -1"):
        Scenario.from_dict({"instruments": {"neutron": {"duration_s": -1}}})
