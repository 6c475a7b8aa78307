"""Optional GPU path of the horizon engine (numba CUDA): the same function as the CPU kernel.

What runs on the GPU
--------------------
One azimuth at a time, exactly as :func:`lupex.horizon._kernel.azimuth_kernel` does on the CPU:

1. the line layout (:func:`~lupex.horizon._kernel.line_layout`, O(lines), on the host),
2. one CUDA thread per sweep line: sampling (DEM part, far-field levels) and the upper-hull
   sweep (:func:`~lupex.horizon._kernel._line_hull`); the hull stack lives, as on the CPU, in
   preallocated slots at the line's own offset,
3. one CUDA thread per pixel: exact near field, the two bracketing lines' hull queries, the
   pixel's own ray where it leaves the DEM early, the sphere tail
   (:func:`~lupex.horizon._kernel._pixel_span`, one pixel per thread).

No numerical code is duplicated: the Python source (bytecode) of every helper of
:mod:`lupex.horizon._kernel` (and of :func:`lupex.terrain._interp.bilinear_clamped`) is compiled
a second time with ``numba.cuda.jit(device=True)``, its global names rebound to the CUDA twins.
Only the two thin launch wrappers below are GPU-specific. The algorithm and its references
(Dozier & Frew 1990; Timonen & Westerholm 2010) are described in :mod:`lupex.horizon._kernel`.

Testing without a GPU
---------------------
With ``NUMBA_ENABLE_CUDASIM=1`` set before numba is imported, numba's CUDA simulator runs the
same kernels thread by thread in Python (slow: tiny grids only). ``device="gpu"`` then runs on
the simulator; ``device="auto"`` never picks it.
"""

from __future__ import annotations

import math
import threading
import types
from typing import Any

import numpy as np

from lupex.errors import ParameterError

__all__ = ["GpuAzimuthKernel", "gpu_status", "resolve_device", "simulator_enabled"]

DEVICES = ("cpu", "gpu", "auto")

# helpers compiled for CUDA, callees before callers (the order only matters for readability:
# device functions resolve their globals when the kernels are compiled)
_HELPERS = ("bilinear_clamped", "_kscale", "_level_sample", "_rotate", "_line_samples",
            "_line_range", "_higher_next", "_hull_query", "_hull_query_warm", "_slope_better", "_piece", "_near_field", "_exit_t",
            "_bilinear", "_far_ray", "_far_line", "_line_hull", "_lerp_neg", "_full", "_far_pair",
            "_pixel_span")

_LINE_BLOCK = 64  # threads per block, lines kernel
# threads per block of the pixels kernel as (view columns, view rows): consecutive threads of a
# warp take consecutive columns (contiguous DEM reads). ptxas (sm_80) gives the pixels kernel
# 106 registers per thread and the lines kernel 114, no spills: 128 threads per block fit
_PIX_BLOCK = (32, 4)
_SIM_PIX_BLOCK = (8, 4)  # the simulator starts one Python thread per CUDA thread of a block

_lock = threading.Lock()
_compiled: dict[str, Any] = {}


def simulator_enabled() -> bool:
    """True when numba's CUDA simulator is on (``NUMBA_ENABLE_CUDASIM=1`` before import)."""
    from numba.core import config

    return bool(config.ENABLE_CUDASIM)


def gpu_status() -> tuple[bool, str]:
    """(usable, why not): whether a real CUDA GPU can run the horizon kernels here."""
    if simulator_enabled():
        return False, "NUMBA_ENABLE_CUDASIM=1 is set (numba's CUDA simulator, not a GPU)"
    try:
        from numba import cuda

        ok = bool(cuda.is_available())
    except Exception as exc:  # pragma: no cover - depends on the machine
        return False, f"numba.cuda failed to load ({exc})"
    if not ok:
        return False, "numba.cuda finds no CUDA driver or GPU"
    if getattr(cuda, "implementation", "") == "Built-in":  # pragma: no cover - needs a GPU
        # numba's deprecated built-in CUDA target fails to type these kernels (min/max of two
        # numbers: "Signature mismatch", numba 0.68; scripts/validation/gpu_ptx.py)
        return False, ("numba's built-in CUDA target is in use; the kernels need NVIDIA's "
                       "numba-cuda package")
    return True, ""


def resolve_device(device: str) -> str:
    """Map ``device`` ("cpu", "gpu" or "auto") to the engine that will run: "cpu" or "gpu".

    "auto" is the GPU when a real one is usable, else the CPU. "gpu" without one raises
    :class:`ParameterError`, except under the CUDA simulator, where it runs the GPU kernels
    simulated (for tests).
    """
    d = str(device).lower()
    if d not in DEVICES:
        raise ParameterError(f"device = {device!r} (--device): use one of cpu, gpu, auto.")
    if d == "cpu":
        return "cpu"
    ok, why = gpu_status()
    if ok:
        return "gpu"
    if d == "auto":
        return "cpu"
    if simulator_enabled():
        return "gpu"
    raise ParameterError(
        f"device = 'gpu' (--device gpu): no CUDA GPU is usable here: {why}. On a machine with an "
        "NVIDIA GPU and driver install the GPU extra (pip install 'lupex[gpu]'); otherwise use "
        "--device cpu (or auto, which falls back to the CPU).")


def _lines_body(Z, m, Q, S, FS, ds_col, wt, ex, ey, kg, kmeta, lv_z, lv_meta, foot, ff_center,
                ff_radius2, R, b_min, c_lo, c_hi, counts, offs, th, X, Y, hor, stack):
    """One thread per sweep line (CPU twin: the first prange loop of ``azimuth_kernel``)."""
    li = cuda.grid(1)  # noqa: F821 - bound in the CUDA globals
    if li >= c_lo.shape[0]:
        return
    n = counts[li]
    if n == 0:
        return
    o = offs[li]
    b = b_min + li / Q
    counts[li] = _line_hull(Z, b, m, c_lo[li], c_hi[li], S, FS, ds_col, wt, ex, ey, kg,  # noqa: F821
                            kmeta, lv_z, lv_meta, foot, ff_center, ff_radius2, R, th[o:o + n],
                            X[o:o + n], Y[o:o + n], hor[o:o + n], stack[o:o + n])


def _pixels_body(Z, ZM, m, ds_col, Q, S, FS, near_cols, obs_h, R, wt, ex, ey, kg, kmeta, lv_z,
                 lv_meta, ff_center, ff_radius2, ray_cap_m, b_min, r_lo, c_lo_px, n_lines, counts,
                 c_lo, c_hi, ndem, offs, th, X, Y, hor, far_stride, seam_n, out):
    """One thread per pixel of the tile (CPU twin: the second prange loop of ``azimuth_kernel``).

    ``out`` covers the tile only: pixel (r, c) of the view goes to ``out[r - r_lo, c - c_lo_px]``.
    """
    j, i = cuda.grid(2)  # noqa: F821 - bound in the CUDA globals; x = column
    if i >= out.shape[0] or j >= out.shape[1]:
        return
    r = r_lo + i
    c = c_lo_px + j
    s = int(math.floor((r - m * c - b_min) * Q))  # noqa: RUF046 - the pixel's strip
    _pixel_span(s, c, c + 1, r, r + 1, r_lo, c_lo_px, Z, ZM, m, ds_col, Q, S, FS,  # noqa: F821
                near_cols, obs_h, R, wt, ex, ey, kg, kmeta, lv_z, lv_meta, ff_center, ff_radius2,
                ray_cap_m, b_min, n_lines, counts, c_lo, c_hi, ndem, offs, th, X, Y, hor,
                hor[:1, 0], 7, far_stride, seam_n, out)  # no backward links: no warm starts


def _clone(func: Any, glb: dict[str, Any]) -> types.FunctionType:
    """The same code object with the given globals (its calls resolve to the CUDA twins)."""
    f = getattr(func, "py_func", func)
    return types.FunctionType(f.__code__, glb, f.__name__, f.__defaults__, f.__closure__)


def _kernels() -> dict[str, Any]:
    """Compile (lazily, once per process) the CUDA twins of the CPU helpers and the kernels."""
    with _lock:
        if _compiled:
            return _compiled
        from numba import cuda

        from lupex.horizon import _kernel

        glb: dict[str, Any] = dict(vars(_kernel))
        glb["cuda"] = cuda
        for name in _HELPERS:
            glb[name] = cuda.jit(device=True)(_clone(glb[name], glb))
        _compiled["lines"] = cuda.jit(_clone(_lines_body, glb))
        _compiled["pixels"] = cuda.jit(_clone(_pixels_body, glb))
        _compiled["cuda"] = cuda
        return _compiled


class GpuAzimuthKernel:
    """Run azimuths of one tile on the GPU; data shared by all azimuths is uploaded once.

    Parameters
    ----------
    kg, kmeta : ndarray
        Point scale factor grid and its (x0, y0, dx, dy).
    lv_z, lv_meta : ndarray
        Far-field levels, packed as for the CPU kernel.
    foot, ff_center : ndarray
        DEM footprint (xmin, xmax, ymin, ymax) and far-field centre [m].
    ff_radius : float
        Far-field radius around ``ff_center`` [m].
    """

    def __init__(self, kg: np.ndarray, kmeta: np.ndarray, lv_z: np.ndarray, lv_meta: np.ndarray,
                 foot: np.ndarray, ff_center: np.ndarray, ff_radius: float) -> None:
        k = _kernels()
        cuda = k["cuda"]
        self._k = k
        self._cuda = cuda
        self._static = tuple(cuda.to_device(np.ascontiguousarray(a)) for a in
                             (kg, kmeta, lv_z, lv_meta, foot, ff_center))
        self._views: dict[Any, Any] = {}
        self._out: dict[tuple[int, int], Any] = {}
        self._zm: Any = None
        self._cap = 0
        self._bufs: tuple[Any, ...] = ()
        self._sim = simulator_enabled()
        self._ff_radius2 = float(ff_radius) * float(ff_radius)  # as the CPU kernel squares it

    def _scratch(self, ntot: int) -> tuple[Any, ...]:
        """Line-sample buffers (angle, X, Y, hull link, stack) of at least ``ntot`` slots,
        reused across azimuths (grown by 25 % when an azimuth needs more)."""
        if ntot > self._cap:
            cuda = self._cuda
            self._bufs = ()  # release the old ones first
            cap = max(ntot, int(1.25 * self._cap))
            self._bufs = (cuda.device_array(cap, np.float64), cuda.device_array(cap, np.float64),
                          cuda.device_array(cap, np.float64),
                          cuda.device_array((cap, 2), np.int32),  # hull links: next, 8th
                          cuda.device_array(cap, np.int32))
            self._cap = cap
        return self._bufs

    def __call__(self, Z: np.ndarray, m: float, ds_col: float, Q: int, S: int, FS: int,
                 near_cols: int, obs_h: float, R: float, wt: np.ndarray, ex: float, ey: float,
                 far_cap: int, ray_cap_m: float, b_anchor: float, out_rows: tuple[int, int],
                 out_cols: tuple[int, int], view_key: Any = None, far_stride: int = 1,
                 true_edges: int = 3, seam_n: int = 0) -> np.ndarray:
        """Horizon elevation [deg] float32 of the view's pixels ``out_rows x out_cols``.

        Arguments as for :func:`lupex.horizon._kernel.azimuth_kernel`; ``view_key`` names the
        orientation of ``Z`` so that each distinct view of the DEM is uploaded once per tile;
        ``far_stride``, ``true_edges`` and ``seam_n`` as for the CPU kernel (tile mode, a
        shared far field).
        """
        from lupex.horizon._kernel import line_layout

        cuda = self._cuda
        kg, kmeta, lv_z, lv_meta, foot, ff_center = self._static
        n_minor, n_major = Z.shape
        if view_key is None or view_key not in self._views:
            dz = cuda.to_device(np.ascontiguousarray(Z, np.float64))
            if view_key is not None:
                self._views[view_key] = dz
        else:
            dz = self._views[view_key]
        rows = (int(out_rows[0]), int(out_rows[1]))
        cols = (int(out_cols[0]), int(out_cols[1]))
        b_min, c_lo, c_hi, cap, ndem, offs = line_layout(
            float(m), int(Q), int(S), int(far_cap), float(b_anchor), np.array(rows, np.int64),
            np.array(cols, np.int64), n_minor, n_major, int(far_stride), int(true_edges),
            int(seam_n))
        n_lines = int(c_lo.shape[0])
        ntot = max(int(offs[-1]), 1)
        d_c_lo, d_c_hi, d_counts, d_ndem, d_offs = (cuda.to_device(a) for a in
                                                    (c_lo, c_hi, cap, ndem, offs))
        th, X, Y, hor, stack = self._scratch(ntot)
        wt = cuda.to_device(np.ascontiguousarray(wt, np.float64))
        ff_radius2 = self._ff_radius2
        grid1 = math.ceil(n_lines / _LINE_BLOCK)
        self._k["lines"][grid1, _LINE_BLOCK](
            dz, float(m), int(Q), int(S), int(FS), float(ds_col), wt, float(ex), float(ey), kg,
            kmeta, lv_z, lv_meta, foot, ff_center, ff_radius2, float(R), float(b_min), d_c_lo,
            d_c_hi, d_counts, d_offs, th, X, Y, hor, stack)
        shape = (rows[1] - rows[0], cols[1] - cols[0])
        if shape not in self._out:
            self._out[shape] = cuda.device_array(shape, np.float32)
        out = self._out[shape]
        blk = _SIM_PIX_BLOCK if self._sim else _PIX_BLOCK
        grid2 = (math.ceil(shape[1] / blk[0]), math.ceil(shape[0] / blk[1]))
        if self._zm is None:  # a 1 x 1 array: no column groups in the near field on the GPU
            self._zm = cuda.to_device(np.zeros((1, 1), np.float64))
        self._k["pixels"][grid2, blk](
            dz, self._zm, float(m), float(ds_col), int(Q), int(S), int(FS), int(near_cols), float(obs_h),
            float(R), wt, float(ex), float(ey), kg, kmeta, lv_z, lv_meta, ff_center, ff_radius2,
            float(ray_cap_m), float(b_min), rows[0], cols[0], n_lines, d_counts, d_c_lo, d_c_hi,
            d_ndem, d_offs, th, X, Y, hor, int(far_stride), int(seam_n), out)
        return out.copy_to_host()
