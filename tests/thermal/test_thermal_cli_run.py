"""`lupex thermal RUN`: the run folder's thermal stage; Ctrl-C then rerun resumes; --fresh;
--point; --help; the DEM form gives the same maps."""

from __future__ import annotations

import json

import numpy as np
import pytest
import rioxarray
from numpy.testing import assert_allclose
from test_thermal_maps import _flat_dem
from typer.testing import CliRunner

from lupex.cli import app, main
from lupex.errors import InputFileError
from lupex.io.geotiff import write_geotiff

ARGS = ["--spinup-days", "2", "--depth-m", "0.1"]


def _run_folder(path):
    """A run folder made by `lupex run --stage terrain` on a flat 4 x 4 DEM, one day window."""
    from lupex.run import run_scenario
    from lupex.scenario import Scenario

    path.mkdir(parents=True)
    dem = write_geotiff(_flat_dem(n=4), path.parent / f"{path.name}_dem.tif")
    sc = Scenario.from_dict({
        "terrain": {"source": "file", "dem": str(dem)},
        "horizon": {"n_azimuths": 36, "far_field": "none"},
        "window": {"start": "2028-01-01T00:00", "stop": "2028-01-02T00:00", "step": "6h"},
        "thermal": {"window": "window", "step": "6h", "decimate": 1, "radiosity": "none"}})
    run_scenario(sc, path, stages=("terrain",), report=False)
    return path


def _tif(run, name="t_surface_mean_k"):
    return rioxarray.open_rasterio(run / "maps" / f"{name}.tif").squeeze().values


def _cli(argv):
    with pytest.raises(SystemExit) as e:
        main(["--quiet", *argv])
    return e.value.code


def test_thermal_run_folder_is_its_stage_and_equals_the_dem_form(tmp_path):
    run = _run_folder(tmp_path / "run")
    assert _cli(["thermal", str(run), *ARGS]) in (0, None)
    assert np.isfinite(_tif(run)).all() and (run / "cache" / "thermal.zarr").exists()
    assert not (run / "cache" / "thermal_state.npz").exists()  # removed once the maps are out
    meta = json.loads((run / "run.json").read_text())
    assert meta["last_run"]["ran"] == ["horizon", "illumination", "thermal"]
    assert meta["scenario"]["thermal"]["spinup_days"] == 2.0  # the option overrode the table
    assert any(p["path"] == "maps/t_surface_mean_k.tif" and p["units"] == "K"
               for p in meta["products"])
    # the DEM form with the window given by hand: the same physics. The run's horizons come
    # from its int16 store (0.01 deg steps): on a flat 4-pixel map that moves no temperature
    # by more than 1e-3 K
    other = tmp_path / "other"
    res = CliRunner().invoke(app, ["thermal", "maps", str(tmp_path / "run_dem.tif"), "--out",
                                   str(other), "--start", "2028-01-01T00:00", "--stop",
                                   "2028-01-02T00:00", "--step", "6h", "--n-azimuths", "36",
                                   "--radiosity", "none", *ARGS])
    assert res.exit_code == 0, res.output
    assert_allclose(_tif(other), _tif(run), atol=1e-3)
    # the DEM form registers its products in the folder's manifest as well
    listed = {p["path"] for p in json.loads((other / "run.json").read_text())["products"]}
    assert "maps/t_surface_mean_k.tif" in listed


def test_ctrl_c_saves_and_the_same_command_resumes(tmp_path, monkeypatch):
    # Authority: the uninterrupted command in another folder; float32 maps equal to 1e-9 K.
    ref = _run_folder(tmp_path / "ref")
    assert _cli(["thermal", str(ref), *ARGS]) in (0, None)
    run = _run_folder(tmp_path / "run")
    import lupex.cli._runbar as runbar

    real = runbar.stage_callbacks

    def interrupting(p, n, title):
        prog, on_stage = real(p, n, title)

        def cb(stage, done, total):
            prog(stage, done, total)
            if stage == "thermal" and done >= 12:  # inside the spin-up
                raise KeyboardInterrupt

        return cb, on_stage

    monkeypatch.setattr(runbar, "stage_callbacks", interrupting)
    assert _cli(["thermal", str(run), *ARGS]) == 130
    assert (run / "cache" / "thermal_state.npz").exists()
    assert not (run / "maps" / "t_surface_mean_k.tif").exists()
    assert json.loads((run / "run.json").read_text())["stages"]["thermal"]["status"] == "running"
    monkeypatch.setattr(runbar, "stage_callbacks", real)
    assert _cli(["thermal", str(run), *ARGS]) in (0, None)
    for name in ("t_surface_mean_k", "t_surface_max_k", "t_0.1m_min_k"):
        assert_allclose(_tif(run, name), _tif(ref, name), atol=1e-9, err_msg=name)
    assert not (run / "cache" / "thermal_state.npz").exists()
    meta = json.loads((run / "run.json").read_text())
    assert meta["stages"]["thermal"]["status"] == "done"
    assert meta["last_run"]["ran"] == ["thermal"]  # horizons and illumination were kept


def test_fresh_forgets_a_checkpoint(tmp_path):
    run = _run_folder(tmp_path / "run")
    from lupex.thermal import _checkpoint

    ck = run / "cache" / "thermal_state.npz"
    _checkpoint.save(ck, {"key": "someone else's", "phase": "run", "k": 3}, {"T": np.ones(2)})
    assert _cli(["thermal", str(run), *ARGS, "--fresh"]) in (0, None)
    assert not ck.exists() and np.isfinite(_tif(run)).all()


def test_help_lists_the_verbs_and_the_run_folder_form(tmp_path):
    res = CliRunner().invoke(app, ["thermal", "--help"])
    assert res.exit_code == 0
    for text in ("point", "maps", "lupex thermal RUN"):
        assert text in res.output
    # a folder that is not a run folder is one clear error (exit 2), not a usage error
    res = CliRunner().invoke(app, ["thermal", str(tmp_path)])
    assert isinstance(res.exception, InputFileError)
    assert "not a lupex run folder" in str(res.exception)
    # a name that is neither a verb nor a folder stays a usage error
    res = CliRunner().invoke(app, ["thermal", str(tmp_path / "missing")])
    assert res.exit_code == 2 and "No such command" in res.output


@pytest.mark.parametrize("argv", [["thermal", "point", "--help"], ["thermal", "maps", "--help"]])
def test_sub_verbs_still_answer(argv):
    assert CliRunner().invoke(app, argv).exit_code == 0


def test_point_series_match_the_maps_and_outside_points_are_refused(tmp_path, capsys):
    import pandas as pd

    from lupex.terrain import xy_to_latlon_deg

    run = _run_folder(tmp_path / "run")
    dem = rioxarray.open_rasterio(run / "maps" / "dem.tif").squeeze()
    lat, lon = xy_to_latlon_deg(np.array([float(dem.x[2])]), np.array([float(dem.y[1])]), dem.rio.crs)
    assert _cli(["thermal", str(run), *ARGS, "--point", f"{lat[0]},{lon[0]}"]) in (0, None)
    df = pd.read_csv(run / "tables" / "thermal_points.csv")
    assert list(df.columns) == ["time_utc", "point", "lat_deg", "lon_deg", "row", "col",
                                "t_surface_k", "t_0.1m_k"]
    assert (df["row"] == 1).all() and (df["col"] == 2).all()
    # the series is the pixel's own: its max and min are the maps' values there (CSV: 1e-3 K)
    assert_allclose(df["t_surface_k"].max(), _tif(run, "t_surface_max_k")[1, 2], atol=2e-3)
    assert_allclose(df["t_surface_k"].min(), _tif(run, "t_surface_min_k")[1, 2], atol=2e-3)
    capsys.readouterr()
    assert _cli(["thermal", str(run), *ARGS, "--point", "-60,0"]) == 2
    assert "outside the DEM" in capsys.readouterr().err
