"""The scenario file: defaults round-trip through the template; errors name file, field,
value and allowed range."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from lupex.errors import ScenarioError
from lupex.scenario import Scenario

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "lupex.toml"


def _write(tmp_path, text: str) -> Path:
    p = tmp_path / "S.toml"
    p.write_text(text)
    return p


def test_template_is_complete_and_round_trips():
    t = Scenario.template()
    assert Scenario.from_dict(tomllib.loads(t)) == Scenario()
    for table in ("[window]", "[lander]", "[sites]", "[sites.weights]", "[rover]", "[traverse]"):
        assert table in t
    assert "estimate" in t


def test_example_file_is_the_template():
    assert EXAMPLE.read_text() == Scenario.template()
    assert Scenario.load(EXAMPLE) == Scenario()


def test_partial_file_takes_defaults(tmp_path):
    s = Scenario.load(_write(tmp_path, "[rover]\nbattery_wh = 1500\n"))
    assert s.rover.battery_wh == 1500 and s.lander.max_slope_deg == 8.0


@pytest.mark.parametrize(("text", "message"), [
    ("[rover]\nbattery_wh = -5\n",
     "S.toml: rover.battery_wh = -5 is outside the allowed range (0, 1e+06] Wh."),
    ("[lander]\nmax_slope_deg = 95\n",
     "S.toml: lander.max_slope_deg = 95 is outside the allowed range (0, 90) deg."),
    ("[sites.weights]\nsun = -1\n",
     "S.toml: sites.weights.sun = -1 is outside the allowed range [0, 1000]."),
    ("[rover]\nsoc_min_fraction = 1.0\n",
     "S.toml: rover.soc_min_fraction = 1.0 is outside the allowed range [0, 1)."),
    ("[traverse]\nwait_quantum_min = 0\n",
     "S.toml: traverse.wait_quantum_min = 0 is outside the allowed range (0, 1440] min."),
])
def test_out_of_range_names_field_value_and_range(tmp_path, text, message):
    with pytest.raises(ScenarioError) as e:
        Scenario.load(_write(tmp_path, text))
    assert str(e.value).endswith(message)  # the path as given, then the field


def test_wrong_type_unknown_field_and_cross_field_rules(tmp_path):
    with pytest.raises(ScenarioError, match=r"rover\.battery_wh = 'lots' is not a valid number.*\(0, 1e\+06\] Wh"):
        Scenario.load(_write(tmp_path, '[rover]\nbattery_wh = "lots"\n'))
    with pytest.raises(ScenarioError, match=r"unknown field rover\.batery_wh .*battery_wh"):
        Scenario.load(_write(tmp_path, "[rover]\nbatery_wh = 1\n"))
    with pytest.raises(ScenarioError, match=r"rover\.slope_planning_deg = 25 deg .*slope_absolute_deg = 20"):
        Scenario.load(_write(tmp_path, "[rover]\nslope_planning_deg = 25\n"))
    with pytest.raises(ScenarioError, match=r"window\.start: 'yesterday' is not an ISO 8601"):
        Scenario.load(_write(tmp_path, '[window]\nstart = "yesterday"\n'))
    with pytest.raises(ScenarioError, match=r"window\.stop = '2028-01-01' must be after start"):
        Scenario.load(_write(tmp_path, '[window]\nstart = "2029-01-01"\nstop = "2028-01-01"\n'))


def test_bad_files(tmp_path):
    with pytest.raises(ScenarioError, match="no such scenario file"):
        Scenario.load(tmp_path / "nope.toml")
    with pytest.raises(ScenarioError, match=r"S\.toml: not valid TOML"):
        Scenario.load(_write(tmp_path, "[rover\nbattery_wh = 1\n"))


def test_darkness_limit_for_sites_is_the_shorter():
    s = Scenario.from_dict({"lander": {"max_darkness_h": 30}, "rover": {"max_darkness_h": 50}})
    assert s.site_darkness_limit_h == 30
