"""``write_horizons_zarr(..., scheduler=address)`` on a real dask.distributed cluster.

A ``LocalCluster`` of worker *processes* (``processes=True``): the chunks are computed outside
the client's process, the prepared DEM travels to them by pickling, and a worker killed with
SIGKILL in the middle of a run loses no finished chunk. Authority: the same store written on
local threads (int16 values compared exactly) and :func:`lupex.horizon.horizon_map`.
Each test takes ~10-25 s on 2 shared cores (starting the worker processes dominates).
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import numpy as np
import pytest
import rioxarray  # noqa: F401
import xarray as xr
from numpy.testing import assert_allclose, assert_array_equal
from scipy.ndimage import gaussian_filter

from lupex.horizon import horizon_map
from lupex.horizon.store import open_horizons, write_horizons_zarr

distributed = pytest.importorskip("distributed")
CRS = "IAU_2015:30135"


def _rough(n: int, px: float = 200.0, seed: int = 3) -> xr.DataArray:
    rng = np.random.default_rng(seed)
    z = gaussian_filter(rng.normal(0.0, 1.0, (n, n)), 3.0)
    z = 400.0 * z / z.std()
    x = (np.arange(n) - (n - 1) / 2) * px
    return xr.DataArray(z.astype(np.float32), dims=("y", "x"),
                        coords={"y": -x + 1000.0, "x": x + 3000.0}).rio.write_crs(CRS)


def _raw(path: Path) -> np.ndarray:
    import zarr

    return np.asarray(zarr.open_array(str(path / "horizon"), mode="r")[:])


@pytest.fixture(scope="module")
def cluster():
    # two worker processes, one task thread and one numba thread each (each chunk's kernel is
    # numba-parallel; on a real cluster give each worker as many numba threads as cores)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, env={"NUMBA_NUM_THREADS": "1"}) as c:
        yield c


def test_worker_processes_compute_the_store(cluster, tmp_path: Path) -> None:
    dem = _rough(32)
    with distributed.Client(cluster) as client:
        pids = set(client.run(os.getpid).values())
    assert len(pids) == 2 and os.getpid() not in pids  # real processes, not the client's
    path = write_horizons_zarr(dem, tmp_path / "d.zarr", n_azimuths=8, tile_size=16,
                               azimuth_block=4, scheduler=cluster.scheduler_address)
    local = write_horizons_zarr(dem, tmp_path / "l.zarr", n_azimuths=8, tile_size=16,
                                azimuth_block=4)
    assert_array_equal(_raw(path), _raw(local))  # the same int16 values, chunk for chunk
    h = open_horizons(path)
    assert h.attrs["complete"]
    # int16 in 0.01 deg: quantisation <= 0.005 deg
    assert_allclose(h.values, horizon_map(dem, n_azimuths=8).values, atol=0.0051)


def test_killed_worker_loses_no_finished_chunk(cluster, tmp_path: Path) -> None:
    # 9 tiles x 16 azimuth blocks = 144 chunks; after the 6th finishes, one worker is killed
    # with SIGKILL while it computes a chunk. The run either completes (the scheduler moves
    # the lost task) or fails; either way every chunk finished before the kill keeps its data
    # and marker, and rerunning the same call resumes to a store identical to a clean one.
    dem = _rough(48)
    kw = {"n_azimuths": 16, "tile_size": 16, "azimuth_block": 1}
    clean = write_horizons_zarr(dem, tmp_path / "clean.zarr", **kw)
    path = tmp_path / "k.zarr"
    with distributed.Client(cluster) as client:
        pids = sorted(client.run(os.getpid).values())
    state: dict = {"killed": None, "seen": []}

    def progress(done: int, total: int) -> None:
        state["seen"].append(done)
        if state["killed"] is None and done >= 6:
            state["done_at_kill"] = {p.name for p in (path / "_lupex_done").iterdir()}
            os.kill(pids[0], signal.SIGKILL)
            state["killed"] = pids[0]

    try:
        write_horizons_zarr(dem, path, scheduler=cluster.scheduler_address, progress=progress,
                            **kw)
    except Exception as exc:  # KilledWorker is acceptable; the resume below must fix it
        state["error"] = exc
    assert state["killed"] is not None
    finished = state["done_at_kill"]
    assert 6 <= len(finished) < 144
    ref = _raw(clean)
    got = _raw(path)
    for name in finished:  # the finished chunks kept their data
        ia, iy, ix = (int(v) for v in name.split("_"))
        sl = (slice(ia, ia + 1), slice(16 * iy, 16 * iy + 16), slice(16 * ix, 16 * ix + 16))
        assert_array_equal(got[sl], ref[sl])
    assert (path / "_lupex_done").exists()
    assert finished <= {p.name for p in (path / "_lupex_done").iterdir()}
    calls: list[tuple[int, int]] = []
    write_horizons_zarr(dem, path, scheduler=cluster.scheduler_address,
                        progress=lambda d, t: calls.append((d, t)), **kw)
    assert calls[0][0] >= len(finished)  # nothing finished was recomputed
    assert_array_equal(_raw(path), ref)
    assert open_horizons(path).attrs["complete"]
