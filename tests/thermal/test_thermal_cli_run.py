"""`lupex thermal RUN`: a run folder's DEM and window, Ctrl-C then rerun, --fresh, --help."""

from __future__ import annotations

import json

import numpy as np
import pytest
import rioxarray
from numpy.testing import assert_allclose
from test_thermal_maps import _flat_dem
from typer.testing import CliRunner

from lupex.cli import app
from lupex.errors import InputFileError
from lupex.io.geotiff import write_geotiff

ARGS = ["--horizons", "flat", "--spinup-days", "2", "--depth-m", "0.1"]


def _run_folder(path):
    """A folder as `lupex illumination` leaves it: maps/dem.tif and run.json with the window."""
    write_geotiff(_flat_dem(n=4), path / "maps" / "dem.tif")
    (path / "run.json").write_text(json.dumps({"call": "lupex illumination", "parameters": {
        "start": "2028-01-01T00:00", "stop": "2028-01-02T00:00", "step": "6h"}}))
    return path


def _tif(run, name="t_surface_mean_k"):
    return rioxarray.open_rasterio(run / "maps" / f"{name}.tif").squeeze().values


def test_thermal_run_folder_reads_its_window_and_writes_beside_it(tmp_path):
    run = _run_folder(tmp_path / "run")
    res = CliRunner().invoke(app, ["thermal", str(run), *ARGS])
    assert res.exit_code == 0, res.output
    assert np.isfinite(_tif(run)).all() and (run / "cache" / "thermal.zarr").exists()
    assert not (run / "cache" / "thermal_state.npz").exists()  # removed once the maps are out
    # the same as the explicit verb with the window given by hand
    other = tmp_path / "other"
    res = CliRunner().invoke(app, ["thermal", "maps", str(run / "maps" / "dem.tif"), "--out",
                                   str(other), "--start", "2028-01-01T00:00", "--stop",
                                   "2028-01-02T00:00", "--step", "6h", *ARGS])
    assert res.exit_code == 0, res.output
    assert_allclose(_tif(other), _tif(run), atol=0)


def test_ctrl_c_saves_and_the_same_command_resumes(tmp_path, monkeypatch):
    # Authority: the uninterrupted command in another folder; float32 maps equal to 1e-9 K.
    ref = _run_folder(tmp_path / "ref")
    assert CliRunner().invoke(app, ["thermal", str(ref), *ARGS]).exit_code == 0
    run = _run_folder(tmp_path / "run")
    import lupex.cli.thermal as cli_thermal

    real = cli_thermal.callback

    def interrupting(p, description):
        inner = real(p, description)

        def cb(done, total):
            inner(done, total)
            if done >= 12:  # inside the spin-up
                raise KeyboardInterrupt

        return cb

    monkeypatch.setattr(cli_thermal, "callback", interrupting)
    res = CliRunner().invoke(app, ["thermal", str(run), *ARGS])
    assert res.exit_code == 130
    assert "interrupted; rerun the same command to resume" in res.output
    assert (run / "cache" / "thermal_state.npz").exists()
    assert not (run / "maps" / "t_surface_mean_k.tif").exists()
    monkeypatch.setattr(cli_thermal, "callback", real)
    res = CliRunner().invoke(app, ["thermal", str(run), *ARGS])
    assert res.exit_code == 0, res.output
    assert "resuming from" in res.output
    for name in ("t_surface_mean_k", "t_surface_max_k", "t_0.1m_min_k"):
        assert_allclose(_tif(run, name), _tif(ref, name), atol=1e-9, err_msg=name)
    assert not (run / "cache" / "thermal_state.npz").exists()


def test_fresh_ignores_a_checkpoint_and_other_inputs_restart(tmp_path, monkeypatch):
    run = _run_folder(tmp_path / "run")
    from lupex.thermal import _checkpoint

    ck = run / "cache" / "thermal_state.npz"
    _checkpoint.save(ck, {"key": "someone else's", "phase": "run", "k": 3}, {"T": np.ones(2)})
    res = CliRunner().invoke(app, ["thermal", str(run), *ARGS])
    assert res.exit_code == 0 and "starting afresh" in res.output
    _checkpoint.save(ck, {"key": "someone else's", "phase": "run", "k": 3}, {"T": np.ones(2)})
    res = CliRunner().invoke(app, ["thermal", str(run), *ARGS, "--fresh"])
    assert res.exit_code == 0 and "starting afresh" not in res.output and not ck.exists()


def test_help_lists_the_verbs_and_the_run_folder_form(tmp_path):
    res = CliRunner().invoke(app, ["thermal", "--help"])
    assert res.exit_code == 0
    for text in ("point", "maps", "lupex thermal RUN"):
        assert text in res.output
    # a folder without a DEM is one clear error (lupex.cli.main prints it, exit 2), not a
    # usage error
    res = CliRunner().invoke(app, ["thermal", str(tmp_path)])
    assert isinstance(res.exception, InputFileError) and "no DEM found" in str(res.exception)
    # a name that is neither a verb nor a folder stays a usage error
    res = CliRunner().invoke(app, ["thermal", str(tmp_path / "missing")])
    assert res.exit_code == 2 and "No such command" in res.output


@pytest.mark.parametrize("argv", [["thermal", "point", "--help"], ["thermal", "maps", "--help"]])
def test_sub_verbs_still_answer(argv):
    assert CliRunner().invoke(app, argv).exit_code == 0


def test_point_series_match_the_maps_and_outside_points_are_refused(tmp_path):
    import pandas as pd

    from lupex.terrain import xy_to_latlon_deg

    run = _run_folder(tmp_path / "run")
    dem = rioxarray.open_rasterio(run / "maps" / "dem.tif").squeeze()
    lat, lon = xy_to_latlon_deg(np.array([float(dem.x[2])]), np.array([float(dem.y[1])]), dem.rio.crs)
    res = CliRunner().invoke(app, ["thermal", str(run), *ARGS, "--point", f"{lat[0]},{lon[0]}"])
    assert res.exit_code == 0, res.output
    df = pd.read_csv(run / "tables" / "thermal_points.csv")
    assert list(df.columns) == ["time_utc", "point", "lat_deg", "lon_deg", "row", "col",
                                "t_surface_k", "t_0.1m_k"]
    assert (df["row"] == 1).all() and (df["col"] == 2).all()
    # the series is the pixel's own: its max and min are the maps' values there (CSV: 1e-3 K)
    assert_allclose(df["t_surface_k"].max(), _tif(run, "t_surface_max_k")[1, 2], atol=2e-3)
    assert_allclose(df["t_surface_k"].min(), _tif(run, "t_surface_min_k")[1, 2], atol=2e-3)
    res = CliRunner().invoke(app, ["thermal", str(run), *ARGS, "--fresh", "--point", "-60,0"])
    from lupex.errors import ParameterError  # main() turns it into one line and exit 2

    assert isinstance(res.exception, ParameterError)
    assert "--point -60,0: outside the DEM" in str(res.exception)
