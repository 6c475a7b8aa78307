"""The GPU path of the horizon engine computes the same function as the CPU engine.

Authority: the CPU engine (itself tested against closed forms and the brute-force ray march in
test_closed_forms.py / test_real_terrain.py). DESIGN.md: where a GPU path exists it computes the
same function and the same test runs on both.

Without a GPU the CUDA kernels run on numba's CUDA simulator, which must be switched on
(``NUMBA_ENABLE_CUDASIM=1``) before numba is imported, so they run in a subprocess. The
simulator executes every CUDA thread in Python: the grids are tiny (16-24 pixels, 8 azimuths).
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import rioxarray  # noqa: F401
import xarray as xr
from numpy.testing import assert_allclose

from lupex.constants import MOON_RADIUS_M as R
from lupex.errors import ParameterError
from lupex.horizon import HorizonSettings, compute_horizon_tile, horizon_map
from lupex.horizon._gpu import gpu_status, resolve_device, simulator_enabled

CRS = "IAU_2015:30135"
# axis directions (slope m = 0), the diagonal (m = 1), transposed and flipped views, odd angles
AZ = np.array([0.0, 33.7, 45.0, 90.0, 161.0, 222.0, 270.0, 315.5])
REAL_GPU = gpu_status()[0]


def _grid(z: np.ndarray, px: float) -> xr.DataArray:
    ny, nx = z.shape
    x = (np.arange(nx) - (nx - 1) / 2) * px
    y = -(np.arange(ny) - (ny - 1) / 2) * px + 500.0
    return xr.DataArray(z.astype(np.float32), dims=("y", "x"),
                        coords={"y": y, "x": x + 2000.0}).rio.write_crs(CRS)


def _far_field() -> xr.DataArray:
    # a 1 km far field with a 2 km massif 9 km east of the local DEMs and gentle relief
    fx = np.arange(-14, 15) * 1000.0
    xx, yy = np.meshgrid(fx, -fx)
    z = 2000.0 * np.exp(-((xx - 9000.0) ** 2 + yy**2) / (2 * 2500.0**2))
    z += 150.0 * np.sin(xx / 4000.0) * np.cos(yy / 5000.0)
    da = xr.DataArray(z.astype(np.float32), dims=("y", "x"), coords={"y": -fx, "x": fx})
    da.attrs["source"] = "test massif"
    return da.rio.write_crs(CRS)


def _rough(n: int, seed: int) -> np.ndarray:
    from scipy.ndimage import gaussian_filter

    z = gaussian_filter(np.random.default_rng(seed).normal(0.0, 1.0, (n, n)), 1.5)
    return 300.0 * z / z.std()


def cases() -> dict[str, dict]:
    """The small cases, each as compute_horizon_tile arguments (also used by the subprocess)."""
    n = 17
    yy, xx = np.mgrid[0:n, 0:n]
    rc = np.hypot(xx - 8, yy - 8)
    cone = np.maximum(0.0, 400.0 * (1.0 - rc * 100.0 / 600.0))
    rb = 700.0  # a spherical bowl of radius 700 m, 150 m deep, 100 m pixels
    bowl = np.where(rc * 100.0 < np.sqrt(rb**2 - (rb - 150.0) ** 2),
                    (rb - 150.0) - np.sqrt(np.maximum(rb**2 - (rc * 100.0) ** 2, 0.0)), 0.0)
    rough = _rough(20, 4)
    return {
        "sphere": {"dem": _grid(np.zeros((16, 16)), 500.0), "observer_height_m": 2.0},
        "cone": {"dem": _grid(cone, 100.0)},
        "bowl": {"dem": _grid(bowl, 100.0), "observer_height_m": 2.0},
        # near field 6 px: both pixels whose ray leaves the DEM inside the near field (their
        # own far-field ray) and pixels that take all their far field from the lines' hulls
        "rough_far": {"dem": _grid(rough, 200.0), "far_field": _far_field(),
                      "far_field_radius_km": 10.0, "settings": HorizonSettings(near_field_px=6)},
        # a 40 m DEM under a 1 km far field: neighbouring lines share the far field beyond
        # their own 12-pixel seam (stride 8), the pixels take it from the nearest full lines
        "shared_far": {"dem": _grid(rough, 40.0), "far_field": _far_field(),
                       "far_field_radius_km": 10.0, "settings": HorizonSettings(near_field_px=6)},
        # a tile of a bigger DEM with a small halo: the block-maximum outer level and the
        # pixels whose rays leave the halo inside the near field (their own far-field ray)
        "tile_halo": {"dem": _grid(_rough(24, 7), 200.0), "rows": slice(4, 12),
                      "cols": slice(9, 21), "settings": HorizonSettings(tile_halo_px=4)},
    }


def run_cases(device: str, out: str, perturb: bool = False) -> None:
    """Compute every case on ``device`` into the npz ``out`` (entry point of the subprocess)."""
    res = {}
    for name, kw in cases().items():
        kw = dict(kw)
        if perturb:
            if name != "tile_halo":
                continue
            z = kw["dem"].copy()
            z.values[8, 17] += 60.0  # one pixel of the tile 60 m higher (~0.3 sigma)
            kw["dem"] = z
        res[name] = compute_horizon_tile(kw.pop("dem"), AZ, device=device, **kw)
    np.savez(out, **res)


_SCRIPT = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location("lupex_test_gpu_cases", sys.argv[1])
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
mod.run_cases("gpu", sys.argv[2])
mod.run_cases("gpu", sys.argv[3], perturb=True)
"""


def _run_gpu_subprocess(d: Path) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    env = dict(os.environ)
    if REAL_GPU:
        env.pop("NUMBA_ENABLE_CUDASIM", None)
    else:
        env["NUMBA_ENABLE_CUDASIM"] = "1"
    a, b = d / "gpu.npz", d / "gpu_perturbed.npz"
    proc = subprocess.run([sys.executable, "-c", _SCRIPT, str(Path(__file__)), str(a), str(b)],
                          env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return dict(np.load(a)), dict(np.load(b))


def _cpu(name: str) -> np.ndarray:
    kw = dict(cases()[name])
    return compute_horizon_tile(kw.pop("dem"), AZ, device="cpu", **kw)


# float64 inside both engines, float32 out. On the simulator both run the same bytecode with
# the same IEEE operations: 1e-6 deg. A real GPU contracts a*b+c into FMAs: two float32 ulps
# (2 x 3.8e-6 deg at 45 deg) more.
def _tol(ref: np.ndarray) -> np.ndarray:
    ulp = np.spacing(np.abs(ref).astype(np.float32)).astype(np.float64)
    return 1e-6 + (2.0 * ulp if REAL_GPU else 0.0)


def test_gpu_engine_matches_cpu(tmp_path: Path) -> None:
    # one test (one subprocess, ~10-20 s on the simulator) so that xdist workers do not each
    # start their own
    pytest.importorskip("numba.cuda", reason="numba.cuda (built in to numba <= 0.68, else the "
                        "numba-cuda package) is needed for its CUDA simulator")
    got, perturbed = _run_gpu_subprocess(tmp_path)
    for name in cases():
        ref = _cpu(name)
        g = got[name]
        assert g.shape == ref.shape and g.dtype == np.float32, name
        err = np.abs(g.astype(np.float64) - ref)
        assert np.all(err <= _tol(ref)), f"{name}: max |gpu - cpu| = {err.max():.3g} deg"
    # authority 2: the bare sphere seen from 2 m has the tangent dip -acos(R / (R + 2)) in
    # every direction (0.002 deg, as in test_closed_forms.test_smooth_sphere)
    assert_allclose(got["sphere"], -math.degrees(math.acos(R / (R + 2.0))), atol=0.002)
    # the far-field massif (9 km east, 2 km high) lifts the eastward horizon well above the
    # local terrain's: a GPU path that dropped the far-field levels would fail here
    cpu_none = compute_horizon_tile(cases()["rough_far"]["dem"], AZ, device="cpu")
    east = int(np.argmin(np.abs(AZ - 90.0)))
    assert np.median(got["rough_far"][east] - cpu_none[east]) > 3.0
    # a deliberately wrong input: one pixel 60 m higher on the GPU side only fails the same
    # comparison
    ref = _cpu("tile_halo")
    bad = perturbed["tile_halo"]
    assert not np.all(np.abs(bad.astype(np.float64) - ref) <= _tol(ref))
    assert np.abs(bad - ref).max() > 0.1


# ---------------------------------------------------------------- device selection


def test_device_selection_without_gpu() -> None:
    if REAL_GPU or simulator_enabled():
        pytest.skip("a real GPU (or the simulator, which device='gpu' then uses) is here")
    dem = _grid(_rough(16, 2), 200.0)
    with pytest.raises(ParameterError, match="--device"):
        compute_horizon_tile(dem, [0.0], device="gpu")
    with pytest.raises(ParameterError, match="cpu, gpu, auto"):
        compute_horizon_tile(dem, [0.0], device="tpu")
    assert resolve_device("auto") == "cpu"
    assert_allclose(horizon_map(dem, n_azimuths=4, device="auto").values,
                    horizon_map(dem, n_azimuths=4).values, rtol=0, atol=0)  # the same engine


def test_cli_device_gpu_without_gpu(tmp_path: Path, capsys) -> None:
    if REAL_GPU or simulator_enabled():
        pytest.skip("a real GPU (or the simulator, which device='gpu' then uses) is here")
    from lupex.cli import main
    from lupex.terrain.dem import write_dem

    tif = tmp_path / "dem.tif"
    write_dem(_grid(_rough(16, 2), 200.0), tif)
    with pytest.raises(SystemExit) as e:
        main(["horizon", str(tif), "--azimuths", "8", "--far-field", "none", "--device", "gpu",
              "--out", str(tmp_path / "h.zarr")])
    assert e.value.code == 2
    assert "--device cpu" in capsys.readouterr().err.replace("\n", " ")
    assert not (tmp_path / "h.zarr").exists()


@pytest.mark.gpu
@pytest.mark.skipif(not REAL_GPU, reason="needs a CUDA GPU")
def test_real_gpu_bigger_case() -> None:
    # on a real GPU: a 96 x 96 rough DEM with the far field, 16 azimuths
    dem = _grid(_rough(96, 11), 200.0)
    az = np.arange(16) * 22.5 + 3.0
    kw = {"far_field": _far_field(), "far_field_radius_km": 10.0}
    ref = compute_horizon_tile(dem, az, device="cpu", **kw)
    got = compute_horizon_tile(dem, az, device="gpu", **kw)
    assert np.all(np.abs(got.astype(np.float64) - ref) <= _tol(ref))
