"""One run: the scheduler, the cache keys, the manifest, resume (issue: `lupex run S.toml`).

Authority for "same outputs": a fresh full run of the same scenario into another folder; maps
and tables must be identical bit for bit (every stage is deterministic).
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from lupex.errors import ScenarioError, StageContractError
from lupex.io.runfolder import KINDS, RunFolder
from lupex.run import RunOptions, keys, plan, registry, run_scenario
from lupex.scenario import Scenario

TINY = Path(__file__).with_name("tiny.toml")


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    d = tmp_path_factory.mktemp("fresh")
    res = run_scenario(TINY, d, report=False)
    return d, res


def _compare_folders(a: Path, b: Path) -> None:
    """Every product of ``a`` exists in ``b`` with identical data (maps, tables, plans)."""
    import rioxarray

    pa, pb = RunFolder(a).products(), RunFolder(b).products()
    assert sorted(p["path"] for p in pa) == sorted(p["path"] for p in pb)
    for p in pa:
        fa, fb = a / p["path"], b / p["path"]
        if fa.suffix == ".tif":
            np.testing.assert_array_equal(rioxarray.open_rasterio(fa).values,
                                          rioxarray.open_rasterio(fb).values, err_msg=p["path"])
        elif fa.suffix in (".csv", ".geojson"):
            assert fa.read_text() == fb.read_text(), p["path"]
        elif fa.suffix == ".zarr":
            # values and coordinates; attrs hold each run's own provenance (creation time)
            xr.testing.assert_equal(xr.open_zarr(fa, consolidated=False).load(),
                                    xr.open_zarr(fb, consolidated=False).load())


def _assert_results_equal(ra, rb) -> None:
    for name in ra:
        a, b = ra[name], rb[name]
        assert type(a) is type(b), name
        for f in dataclasses.fields(a):
            va, vb = getattr(a, f.name), getattr(b, f.name)
            if isinstance(va, (xr.DataArray, xr.Dataset)):
                xr.testing.assert_identical(va.load(), vb.load())
            elif isinstance(va, pd.DataFrame):
                pd.testing.assert_frame_equal(va, vb)
            elif isinstance(va, Path):
                assert va.name == vb.name
            elif f.name not in ("store",) and not callable(va):
                if isinstance(va, np.ndarray):
                    np.testing.assert_array_equal(va, vb)
                elif dataclasses.is_dataclass(va) or hasattr(va, "__dict__"):
                    continue  # nested model objects are checked through their files
                else:
                    assert va == vb, (name, f.name)


def test_full_run_writes_a_manifest_of_every_product(fresh):
    d, res = fresh
    meta = json.loads((d / "run.json").read_text())
    assert meta["manifest_version"] == 1
    assert meta["last_run"]["ran"] == plan() and meta["last_run"]["complete"]
    assert set(meta["stages"]) == set(registry())
    for p in meta["products"]:
        assert (d / p["path"]).exists(), p["path"]
        assert p["kind"] in KINDS and p["long_name"] and p["stage"] in registry()
        if p["kind"] == "map":
            assert p["crs"] and "30135" in p["crs"] and p["units"] is not None, p
    stages_with_products = {p["stage"] for p in meta["products"]}
    assert {"terrain", "horizon", "illumination", "thermal", "volatiles", "sites"} <= \
        stages_with_products
    # the run folder's scenario.toml is the complete scenario and reads back equal
    assert Scenario.load(d / "scenario.toml") == Scenario.load(TINY)
    assert res["traverse"].status == "planned" and len(res["sites"].candidates) >= 1


def test_rerun_reuses_everything_and_resumed_results_equal_fresh(fresh):
    d, res = fresh
    again = run_scenario(None, d, report=False)  # the folder's own scenario.toml
    assert again.ran == [] and again.reused == plan()
    _assert_results_equal(res, again)  # fresh (returned by run) == resumed (read from disk)


@pytest.mark.parametrize(("change", "must_run", "must_not_run"), [
    ({"rover.battery_wh": 1500.0}, {"traverse"}, {"sites", "illumination", "thermal"}),
    ({"rover.max_darkness_h": 9000.0}, {"sites", "traverse"}, {"illumination", "volatiles"}),
    ({"window.step": "12h"}, {"ephemeris", "illumination", "sites"}, {"terrain", "horizon"}),
])
def test_an_edited_table_reruns_exactly_the_stages_that_read_it(fresh, tmp_path, change,
                                                                  must_run, must_not_run):
    d, _ = fresh
    run = tmp_path / "run"
    shutil.copytree(d, run)
    old = Scenario.load(TINY)
    new = old.updated(change)
    k0, k1 = keys(old), keys(new)
    expected = [s for s in plan() if k0[s] != k1[s]]
    res = run_scenario(new, run, report=False)
    assert res.ran == expected
    assert must_run <= set(res.ran) and not (must_not_run & set(res.ran))
    last = json.loads((run / "run.json").read_text())["last_run"]
    assert last["ran"] == expected and set(last["reused"]) == set(plan()) - set(expected)


def test_some_stages_then_the_rest_equals_one_fresh_run(fresh, tmp_path):
    d, _ = fresh
    part = tmp_path / "part"
    first = run_scenario(TINY, part, stages=("illumination",), report=False)
    assert first.ran == ["terrain", "horizon", "illumination"]
    rest = run_scenario(TINY, part, report=False)
    assert set(rest.ran) == set(plan()) - {"terrain", "horizon", "illumination"}
    _compare_folders(d, part)


def test_a_run_killed_mid_stage_resumes_to_the_same_outputs(fresh, tmp_path):
    d, _ = fresh
    run = tmp_path / "killed"

    def kill(stage, done, total):
        if stage == "thermal" and done >= 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_scenario(TINY, run, progress=kill, report=False)
    meta = json.loads((run / "run.json").read_text())
    assert meta["stages"]["thermal"]["status"] == "running"
    assert not meta["last_run"]["complete"]
    assert (run / "cache" / "thermal_state.npz").exists()  # the stage's own checkpoint
    res = run_scenario(TINY, run, report=False)
    assert res.ran[0] == "thermal" and "horizon" in res.reused
    _compare_folders(d, run)


def test_every_stage_declares_real_needs_and_reads():
    reg = registry()
    sc = Scenario()
    for st in reg.values():
        assert set(st.needs) <= set(reg), st.name
        for r in st.reads:
            sc.part(r)  # raises KeyError for a table or field that does not exist
        assert st.version and st.doc


def test_an_undeclared_read_or_need_is_refused(tmp_path, monkeypatch):
    # the contract is enforced: a stage that reads a table it does not declare (so its key
    # would not follow it) fails loudly instead of caching stale results
    import lupex.run.registry as regmod
    from lupex.run.contract import Stage

    def sneaky(ctx):
        return ctx.scenario.rover.battery_wh

    def greedy(ctx):
        return ctx.need("horizon")

    for fn, message in ((sneaky, "does not declare it in `reads`"),
                        (greedy, "does not declare in `needs`")):
        st = Stage(name="probe", needs=("terrain",), reads=("window",), version="1", run=fn,
                   load=fn, doc="probe")
        monkeypatch.setattr(regmod, "STAGES", [*regmod.STAGES, st])
        with pytest.raises(StageContractError, match=message):
            run_scenario(TINY, tmp_path / fn.__name__, stages=("probe",), report=False)


def test_adding_a_stage_is_one_module_and_one_registry_line(fresh, tmp_path, monkeypatch):
    # the example of docs/architecture.md: a stage that tabulates slope statistics
    import lupex.run.registry as regmod
    from lupex.run.contract import Stage
    from lupex.terrain import slope_aspect

    @dataclasses.dataclass(frozen=True)
    class SlopeResult:
        table: pd.DataFrame

    def run(ctx):
        slope, _ = slope_aspect(ctx.need("terrain").dem)
        q = np.nanpercentile(slope.values, [50, 90, 99])
        path = ctx.run_dir / "tables" / "slope_stats.csv"
        pd.DataFrame({"percentile": [50, 90, 99], "slope_deg": q}).to_csv(path, index=False)
        ctx.register(path, long_name="slope percentiles", units={"slope_deg": "deg"})
        return load(ctx)

    def load(ctx):
        return SlopeResult(pd.read_csv(ctx.run_dir / "tables" / "slope_stats.csv"))

    st = Stage(name="slope_stats", needs=("terrain",), reads=(), version="1", run=run,
               load=load, doc="slope percentiles")
    monkeypatch.setattr(regmod, "STAGES", [*regmod.STAGES, st])
    run_dir = tmp_path / "r"
    shutil.copytree(fresh[0], run_dir)
    res = run_scenario(TINY, run_dir, report=False)
    assert res.ran == ["slope_stats"]  # nothing else reruns
    assert res["slope_stats"].table["slope_deg"].is_monotonic_increasing
    assert RunFolder(run_dir).products("slope_stats")[0]["units"] == {"slope_deg": "deg"}


def test_bad_scenario_is_one_error_naming_file_field_value_and_range(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[horizon]\nn_azimuths = 2\n")
    with pytest.raises(ScenarioError, match=r"bad\.toml: horizon\.n_azimuths = 2 is outside "
                                            r"the allowed range \[4, 1440\]"):
        run_scenario(bad, tmp_path / "r", report=False)
    out = subprocess.run([sys.executable, "-m", "lupex.cli", "run", str(bad), "--out",
                          str(tmp_path / "r")], capture_output=True, text=True)
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and "Traceback" not in out.stderr


def test_scenario_schema_loads_without_numba_or_xarray():
    code = ("import sys; from lupex.scenario import Scenario; Scenario.template(); "
            "print(sorted(m for m in ('numba', 'xarray', 'rasterio') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_unknown_stage_and_options_are_not_part_of_the_key():
    from lupex.errors import ParameterError

    with pytest.raises(ParameterError, match="unknown stage 'illumnation'"):
        plan(["illumnation"])
    assert RunOptions(device="gpu").device == "gpu"  # options are not in Scenario: keys ignore them
