"""The mission stage end to end on a small synthetic scenario (slow: the whole chain, ~30 s,
then the mission again on a nested grid, ~5 s)."""

from __future__ import annotations

import json

import pytest

SCENARIO = """
name = "mission stage test"
[terrain]
source = "synthetic"
[terrain.synthetic]
size_km = 8.0
pixel_m = 80.0
[horizon]
n_azimuths = 90
far_field = "none"
[window]
start = "2028-09-01T00:00:00"
stop = "2028-10-01T00:00:00"
step = "4h"
[thermal]
window = "window"
step = "6h"
spinup_days = 30
decimate = 4
radiosity = "none"
[traverse]
auto_targets = 0
[mission]
duration_days = 3
landing_x_m = 400.0
landing_y_m = 400.0
monte_carlo = 2
"""


@pytest.mark.slow
def test_mission_stage_writes_and_registers_its_outputs(tmp_path) -> None:
    from lupex.io.runfolder import RunFolder
    from lupex.run import run_scenario

    s = tmp_path / "s.toml"
    s.write_text(SCENARIO, encoding="utf-8")
    run = tmp_path / "run"
    run_scenario(s, run, stages=("mission",))
    summ = json.loads((run / "summary.json").read_text())
    for k in ("distance_driven_m", "measurements", "samples", "water_found_wt_pct",
              "water_truth_wt_pct", "data_returned_mb", "min_state_of_charge", "end_of_mission"):
        assert k in summ
    assert summ["end_of_mission"]["cause"] and summ["end_of_mission"]["time_utc"]
    assert set(summ["monte_carlo"]) >= {"guided", "grid", "runs"}
    gj = json.loads((run / "plans" / "mission_route.geojson").read_text())
    f = gj["features"][0]
    assert f["geometry"]["type"] == "LineString"
    coords = f["geometry"]["coordinates"]
    assert len(f["properties"]["times_utc"]) == len(coords)
    _lon, lat = coords[0]
    assert -90.0 <= lat <= -80.0  # RFC 7946: longitude first; the synthetic map is polar
    paths = {p["path"] for p in RunFolder(run).products(stage="mission")}
    assert {"tables/timeline.csv", "tables/measurements.csv", "plans/mission_route.geojson",
            "summary.json", "plots/mission_soc.png", "tables/monte_carlo.csv"} <= paths

    # the same mission on a nested 16 m grid: only the mission stage reruns; it registers the
    # nested DEM and its horizon map, and the route and truth live on the nested grid
    from lupex.scenario import Scenario

    nested = Scenario.load(s).updated({"mission.nested_pixel_m": 16.0,
                                       "mission.monte_carlo": 0})
    res = run_scenario(nested, run, stages=("mission",))
    assert res.ran == ["mission"]
    summ = json.loads((run / "summary.json").read_text())
    grid = summ["mission_grid"]
    assert grid["nested"] and grid["pixel_m"] == 16.0
    # default half width 1.25 (area/2 + landing accuracy) = 750 m: the 80 m pixels whose
    # centres lie within 750 m + half a pixel of (400, 400), i.e. 20 of them, x 5
    assert grid["shape"] == [100, 100]
    paths = {p["path"] for p in RunFolder(run).products(stage="mission")}
    assert {"maps/mission_dem.tif", "maps/mission_horizon_max_deg.tif",
            "cache/mission_env_nested.npz"} <= paths
    from lupex.terrain import read_dem

    dem = read_dem(run / "maps" / "mission_dem.tif")
    assert abs(float(dem.x[1] - dem.x[0]) - 16.0) < 1e-6
    m = RunFolder(run).stage_record("mission")["summary"]
    assert m["mission_status"] == "simulated"
