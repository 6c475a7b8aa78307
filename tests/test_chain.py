"""The orchestrator: stages run in order into a run folder, resume, and rerun downstream only."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lupex.chain import ChainConfig, ModelChain


def _cfg(**kw):
    base = dict(synth_size_km=4.0, synth_pixel_m=200.0, synth_seed=3, start="2028-09-01T00:00",
                stop="2028-09-04T00:00", step="6h", n_azimuths=36, far_field="none",
                thermal_step="6h", thermal_spinup_days=180.0, thermal_decimate=2)
    base.update(kw)
    return ChainConfig(**base)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    d = tmp_path_factory.mktemp("chain")
    ModelChain(d, _cfg()).run()
    return d


def test_all_stages_write_their_outputs(run):
    meta = json.loads((run / "run.json").read_text())
    assert set(meta["stages"]) >= {"terrain", "ephemeris", "horizon", "illumination", "sites",
                                   "traverse"}
    for name in ("t_surface_max_k", "t_surface_mean_k", "cold_trap_H2O", "ice_stability_depth_m"):
        assert (run / "maps" / f"{name}.tif").exists() and (run / "maps" / f"{name}.png").exists()
    # with terrain scattering and infrared a shadowed floor stays far above the ~24 K that
    # geothermal heat alone gives (Hayne 2017 / Ingersoll 1992: tens of K of secondary heating)
    assert meta["summary"]["psr_median_max_temperature_k"] > 40.0
    # the traverse is planned (files) or its reason recorded; either way it is in the summary
    assert "traverse" in meta["summary"]
    if meta["stages"]["traverse"]["outputs"]:
        assert (run / "plans" / "traverse.geojson").exists()
    for name in ("dem", "sun_fraction_mean", "psr", "longest_darkness_h", "site_score"):
        assert (run / "maps" / f"{name}.tif").exists()
        assert (run / "maps" / f"{name}.png").exists()
    assert (run / "report.html").read_text().count("<img") >= 8
    assert meta["lupex_version"] and meta["parameters"]["n_azimuths"] == 36


def test_resume_skips_finished_stages_and_reruns_downstream(run):
    before = {p.name: p.stat().st_mtime_ns for p in (run / "maps").glob("*.tif")}
    ModelChain(run, _cfg()).run()  # nothing changed: nothing rewritten
    after = {p.name: p.stat().st_mtime_ns for p in (run / "maps").glob("*.tif")}
    assert before == after
    # a later window changes ephemeris, illumination and sites, not terrain or horizons
    ModelChain(run, _cfg(stop="2028-09-05T00:00")).run()
    again = {p.name: p.stat().st_mtime_ns for p in (run / "maps").glob("*.tif")}
    assert again["dem.tif"] == before["dem.tif"]
    assert again["horizon_max_deg.tif"] == before["horizon_max_deg.tif"]
    assert again["sun_fraction_mean.tif"] != before["sun_fraction_mean.tif"]


def test_chain_site_series_matches_the_ephemeris_api(run):
    # the site table is the ephemeris API's topocentric output at the DEM centre
    import pandas as pd

    from lupex.ephemeris import time_grid, topocentric

    chain = ModelChain(run, _cfg(stop="2028-09-05T00:00"))
    chain.run(stages=("terrain", "ephemeris"))  # independent of the other tests' order
    df = pd.read_csv(run / "tables" / "ephemeris_site.csv")
    lat, lon = chain.site()
    ds = topocentric(lat, lon, time_grid("2028-09-01T00:00", "2028-09-05T00:00", "6h"))
    # CSV keeps 6 decimals: 1e-6 deg is the rounding of the written table
    np.testing.assert_allclose(df["sun_elevation_deg"], ds["sun_elevation_deg"].values, atol=2e-6)


def test_thermal_block_keeps_the_auto_grid_small():
    from lupex.chain import THERMAL_AUTO_COLUMNS, thermal_block

    assert thermal_block((250, 250), 4) == 4  # explicit wins
    assert thermal_block((100, 100), None) == 1
    n = thermal_block((1000, 800), None)
    assert (1000 // n) * (800 // n) <= THERMAL_AUTO_COLUMNS < (1000 // (n - 1)) * (800 // (n - 1))


@pytest.mark.parametrize("kw, match", [({"thermal_window": "month"}, "thermal_window"),
                                       ({"thermal_decimate": 0}, "thermal_decimate"),
                                       ({"thermal_radiosity": "full"}, "radiosity")])
def test_bad_thermal_settings_are_one_clear_error(run, kw, match):
    from lupex.errors import ParameterError

    with pytest.raises(ParameterError, match=match):
        ModelChain(run, _cfg(**kw)).run(stages=("thermal",))
