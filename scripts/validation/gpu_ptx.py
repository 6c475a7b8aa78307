"""Compile the GPU horizon kernels to PTX on a machine without a GPU (a check of the CUDA port).

The CUDA simulator (tests/horizon/test_gpu.py) runs the kernels in Python and cannot tell
whether numba's CUDA target accepts them. This script types the two kernels with the exact
arguments that ``compute_horizon_tile(..., device="gpu")`` passes for a small DEM with a far
field, and compiles them (and every device function they call) to PTX with NVVM.

Needs numba-cuda and NVVM, e.g. ``pip install 'lupex[gpu]'`` (numba-cuda[cu12] brings the CUDA
toolkit's NVVM as a wheel); no GPU or driver. Usage::

    python scripts/validation/gpu_ptx.py [--cc 8.0]

Prints the size of each kernel's PTX and its count of fused multiply-adds (NVVM contracts
``a * b + c``: the reason a real GPU may differ from the CPU engine in the last float32 bit).
"""

from __future__ import annotations

import argparse
import sys

import numpy as np


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cc", default="8.0", help="compute capability to compile for (8.0: A100)")
    cc = tuple(int(v) for v in ap.parse_args().cc.split("."))

    import numba
    import rioxarray  # noqa: F401
    import xarray as xr
    from numba import cuda

    if numba.config.ENABLE_CUDASIM:
        print("unset NUMBA_ENABLE_CUDASIM: the simulator compiles nothing")
        return 2
    import numba.cuda.dispatcher as disp

    from lupex.horizon import _gpu, compute_horizon_tile

    class _Device:  # no GPU here: device functions ask the current device for its capability
        compute_capability = cc

    disp.get_current_device = lambda: _Device()
    kernels = _gpu._kernels()
    # record the launch arguments instead of launching (host arrays stand in for device ones)
    launches: dict[str, tuple] = {}

    class _Recorder:
        def __init__(self, name: str) -> None:
            self.name = name

        def __getitem__(self, _config):
            def launch(*args):
                launches.setdefault(self.name, args)
            return launch

    _gpu._kernels = lambda: {"lines": _Recorder("lines"), "pixels": _Recorder("pixels"),
                             "cuda": _HostCuda}
    _gpu.simulator_enabled = lambda: False
    _gpu.resolve_device = lambda d: "gpu"
    n = 12
    x = (np.arange(n) - 5.5) * 200.0
    dem = xr.DataArray(np.random.default_rng(0).normal(0, 50, (n, n)).astype(np.float32),
                       dims=("y", "x"), coords={"y": -x, "x": x}).rio.write_crs("IAU_2015:30135")
    fx = np.arange(-10, 11) * 1000.0
    far = xr.DataArray(np.zeros((21, 21), np.float32), dims=("y", "x"),
                       coords={"y": -fx, "x": fx}).rio.write_crs("IAU_2015:30135")
    compute_horizon_tile(dem, [30.0], far_field=far, far_field_radius_km=5.0, device="gpu")
    ok = True
    for name in ("lines", "pixels"):
        sig = tuple(numba.typeof(np.asarray(a) if isinstance(a, np.ndarray) else a)
                    for a in launches[name])
        try:
            ptx, _ = cuda.compile_ptx(kernels[name].py_func, sig, device=False, cc=cc)
        except Exception as exc:  # report and go on with the other kernel
            print(f"{name}: FAILED to compile for CUDA: {exc}")
            ok = False
            continue
        print(f"{name}: PTX ok for sm_{cc[0]}{cc[1]} ({len(ptx)} chars, "
              f"{ptx.count('fma.rn.f64')} float64 FMAs)")
    print(f"numba {numba.__version__}, numba.cuda implementation: "
          f"{getattr(cuda, 'implementation', '?')}")
    return 0 if ok else 1


class _HostCuda:
    """numpy stand-ins for the cuda calls the driver makes (to record argument types)."""

    @staticmethod
    def to_device(a):
        return np.asarray(a)

    @staticmethod
    def device_array(shape, dtype):
        return np.zeros(shape, dtype).view(_HostArray)


class _HostArray(np.ndarray):
    def copy_to_host(self):
        return np.asarray(self)


if __name__ == "__main__":
    sys.exit(main())
