"""`thermal_maps` checkpoints: an interrupted run, rerun, gives the maps of an uninterrupted one."""

from __future__ import annotations

import json

import numpy as np
import pytest
from numpy.testing import assert_allclose

from lupex.thermal import _checkpoint
from lupex.thermal.maps import discard_checkpoint, thermal_maps

WINDOW = ("2028-01-01T00:00", "2028-01-03T00:00", "2h")  # 25 epochs
KW = dict(spinup_days=2, depths_m=[0, 0.1], series_pixels=[(2, 3)], _block_epochs=4)


class _Stop(Exception):
    pass


@pytest.fixture(scope="module")
def scene():
    from lupex.horizon import horizon_map
    from lupex.terrain.synth import synthetic_south_pole

    dem = synthetic_south_pole(size_km=0.8, pixel_m=100.0, massifs=False)  # 8 x 8, sloped
    hor = horizon_map(dem, n_azimuths=72)
    ref = thermal_maps(dem, hor, *WINDOW, **KW)
    return dem, hor, ref


def _stop_after(epochs: int):
    """A progress callback that raises once the job has done ``epochs`` epochs."""
    def cb(done, total):
        if done >= epochs:
            raise _Stop

    return cb


def _same(a, b, atol):
    for v in a.data_vars:
        assert_allclose(a[v].values, b[v].values, atol=atol, rtol=0, equal_nan=True, err_msg=v)


def _in_window(ref) -> int:
    """An epoch count inside the window phase: the mean pass and the spin-up periods are done."""
    return 24 * (1 + ref.attrs["spinup_cycles"]) + 10  # 24 = 2 d of 2 h steps


@pytest.mark.parametrize("where", ["mean", "spin", "window"])
def test_interrupted_run_resumes_to_the_same_maps(scene, tmp_path, where):
    # Authority: the same call run through without interruption. 1e-9 K: the resumed run must
    # replay exactly the arithmetic of the uninterrupted one (same blocks, same float32 flux),
    # far below any physical tolerance; the maps are float32, so this is bit equality.
    dem, hor, ref = scene
    stop_at = {"mean": 10, "spin": 60, "window": _in_window(ref)}[where]
    ck = tmp_path / "cache" / "thermal_state.npz"
    with pytest.raises(_Stop):
        thermal_maps(dem, hor, *WINDOW, **KW, checkpoint=ck, checkpoint_every_s=1e9,
                     progress=_stop_after(stop_at))
    assert ck.exists()  # written on the way out, although the periodic interval never came
    notes = []
    out = thermal_maps(dem, hor, *WINDOW, **KW, checkpoint=ck, log=notes.append)
    assert out.attrs["resumed_from_epoch"] >= stop_at and "resuming" in notes[0]
    _same(out, ref, atol=1e-9)
    assert_allclose(out["t_surface_series_k"].values, ref["t_surface_series_k"].values, atol=1e-9)
    assert out.attrs["spinup_cycles"] == ref.attrs["spinup_cycles"]
    discard_checkpoint(ck)
    assert not ck.exists()


def test_resume_with_terrain_radiosity(scene, tmp_path):
    # The infrared feedback path (one step per block, flux from the current surface): the
    # same authority and tolerance as above.
    from lupex.thermal import view_factor_matrix

    dem, hor, _ = scene
    F = view_factor_matrix(dem)
    kw = dict(KW, spinup_days=0.5, view_factors=F)  # 6 spin-up epochs
    ref = thermal_maps(dem, hor, *WINDOW, **kw)
    ck = tmp_path / "state.npz"
    with pytest.raises(_Stop):
        thermal_maps(dem, hor, *WINDOW, **kw, checkpoint=ck, progress=_stop_after(20))
    _same(thermal_maps(dem, hor, *WINDOW, **kw, checkpoint=ck), ref, atol=1e-9)


def test_a_wrong_checkpoint_epoch_changes_the_maps(scene, tmp_path):
    # The deliberately wrong input: the same checkpoint with its epoch moved back one block
    # (a block replayed) must not reproduce the reference, so the test above can fail.
    dem, hor, ref = scene
    ck = tmp_path / "state.npz"
    with pytest.raises(_Stop):
        thermal_maps(dem, hor, *WINDOW, **KW, checkpoint=ck, progress=_stop_after(_in_window(ref)))
    header, arrays = _checkpoint.load(ck)
    assert header["phase"] == "run"
    header["k"] -= 4
    _checkpoint.save(ck, header, arrays)
    out = thermal_maps(dem, hor, *WINDOW, **KW, checkpoint=ck)
    assert np.nanmax(np.abs(out["t_surface_mean_k"].values - ref["t_surface_mean_k"].values)) > 1e-3


def test_other_inputs_start_afresh_and_say_so(scene, tmp_path):
    dem, hor, _ = scene
    ck = tmp_path / "state.npz"
    with pytest.raises(_Stop):
        thermal_maps(dem, hor, *WINDOW, **KW, checkpoint=ck, progress=_stop_after(60))
    notes = []
    other = thermal_maps(dem, hor + 1.0, *WINDOW, **KW, checkpoint=ck, log=notes.append)
    assert other.attrs["resumed_from_epoch"] == -1 and "starting afresh" in notes[0]
    assert_allclose(other["t_surface_max_k"].values,
                    thermal_maps(dem, hor + 1.0, *WINDOW, **KW)["t_surface_max_k"].values, atol=1e-9)
    # resume=False ignores even a matching checkpoint
    fresh = thermal_maps(dem, hor + 1.0, *WINDOW, **KW, checkpoint=ck, resume=False)
    assert fresh.attrs["resumed_from_epoch"] == -1
    # a finished checkpoint only rebuilds the outputs
    again = thermal_maps(dem, hor + 1.0, *WINDOW, **KW, checkpoint=ck, log=notes.append)
    assert "finished" in notes[-1]
    _same(again, fresh, atol=0)


def test_checkpoint_is_atomic_and_keyed(tmp_path):
    k1 = _checkpoint.input_key(a=np.arange(3.0), b="x")
    assert k1 == _checkpoint.input_key(b="x", a=np.arange(3.0))
    assert k1 != _checkpoint.input_key(a=np.arange(3.0) + 1e-12, b="x")
    p = tmp_path / "c.npz"
    _checkpoint.save(p, {"k": 1}, {"T": np.ones(2)})
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    assert _checkpoint.load(tmp_path / "junk.npz") is None
    h, arr = _checkpoint.load(p)
    assert h == {"k": 1} and json.dumps(h) and arr["T"].tolist() == [1.0, 1.0]
    assert sorted(x.name for x in tmp_path.iterdir()) == ["c.npz", "junk.npz"]  # no temp left


def test_a_real_sigint_is_deferred_to_the_end_of_the_block(scene, tmp_path):
    # SIGINT while the job runs: no exception in mid-block; the driver saves the consistent
    # state after the block and raises KeyboardInterrupt; the rerun gives the reference maps.
    import os
    import signal

    dem, hor, ref = scene
    ck = tmp_path / "state.npz"
    sent = []

    def cb(done, total):
        if done >= 60 and not sent:
            sent.append(done)
            os.kill(os.getpid(), signal.SIGINT)

    before = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt):
        thermal_maps(dem, hor, *WINDOW, **KW, checkpoint=ck, checkpoint_every_s=1e9, progress=cb)
    assert signal.getsignal(signal.SIGINT) is before  # the caller's handler is back
    assert _checkpoint.load(ck)[0]["phase"] == "spin"
    _same(thermal_maps(dem, hor, *WINDOW, **KW, checkpoint=ck), ref, atol=1e-9)


@pytest.mark.parametrize("epoch", [6, 30])  # mid-block in the mean-flux pass; in spin-up period 1
def test_sigint_in_the_middle_of_a_block_drops_the_block(scene, tmp_path, monkeypatch, epoch):
    # SIGINT while a block's frames are being computed: that block is abandoned (nothing of it
    # committed), the state before it is saved, and the rerun gets the reference maps.
    import os
    import signal

    import lupex.thermal.maps as tm

    dem, hor, ref = scene
    ck = tmp_path / "state.npz"
    real = tm._FrameForcing.__call__
    calls = []

    def call(self, k):
        calls.append(k)
        if len(calls) == epoch:
            os.kill(os.getpid(), signal.SIGINT)
        return real(self, k)

    monkeypatch.setattr(tm._FrameForcing, "__call__", call)
    with pytest.raises(KeyboardInterrupt):
        thermal_maps(dem, hor, *WINDOW, **KW, checkpoint=ck, checkpoint_every_s=1e9)
    monkeypatch.setattr(tm._FrameForcing, "__call__", real)
    assert _checkpoint.load(ck)[0]["k"] % 4 == 0  # a block boundary
    _same(thermal_maps(dem, hor, *WINDOW, **KW, checkpoint=ck), ref, atol=1e-9)
