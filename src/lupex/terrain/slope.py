"""Slope, aspect and roughness of a DEM with true ground distances.

A projected grid's spacing is not the distance on the ground: in a polar stereographic map a grid
step covers ``1/k`` of itself on the sphere (``k = 1 + rho^2/4R^2``: 1.0077 at 80 S), and at a
height ``z`` above the datum the horizontal distance grows by ``(R + z)/R``. Both are applied
per pixel, so a slope is the angle between the surface and the local horizontal plane:

    tan(slope) = k * R / (R + z) * |grad_grid z|

Aspect is the direction the slope faces (downhill), clockwise from local geographic north, found
from the grid direction of steepest descent minus the grid convergence. Flat pixels have NaN
aspect.

The gradient is Horn's (1981) 3 x 3 weighted central difference; for a baseline longer than two
pixels the same stencil is applied with its arms ``s`` pixels long (``s = round(L / 2 dx)``), so
the two points of each difference are ``L = 2 s dx`` apart on the grid. The stencil is exact for
planes and quadratics; the DEM edge is padded by odd reflection (``2 z_edge - z_inside``), which
keeps planes exact there too.

References
----------
.. [1] Horn, B. K. P. (1981). Hill shading and the reflectance map. Proc. IEEE 69(1), 14-47.
.. [2] Snyder, J. P. (1987). Map Projections - A Working Manual. USGS PP 1395 (scale factor).
.. [3] Rosenburg, M. A. et al. (2011). Global surface slopes and roughness of the Moon from the
   Lunar Orbiter Laser Altimeter. J. Geophys. Res. 116, E02001 (RMS slope at a baseline,
   bidirectional slopes, Hurst exponent).
.. [4] Shepard, M. K. et al. (2001). The roughness of natural terrain: a planetary and remote
   sensing perspective. J. Geophys. Res. 106(E12), 32777-32795 (RMS height and slope definitions).
"""

from __future__ import annotations

import math

import numba
import numpy as np
import xarray as xr

from lupex.constants import MOON_RADIUS_M
from lupex.errors import DemError, ParameterError

__all__ = ["hurst_exponent", "rms_slope_deg", "roughness", "slope_aspect"]


# ----------------------------------------------------------------------------------------------
# validation helpers


def _check_dem(dem: xr.DataArray) -> tuple[np.ndarray, float, float]:
    """Return ``(z float64, dx, dy)`` with signed pixel steps [m] of a (y, x) map."""
    name = str(dem.attrs.get("source_file", dem.name or "DEM"))
    if not isinstance(dem, xr.DataArray) or tuple(dem.dims) != ("y", "x"):
        raise DemError(f"{name}: expected an xarray.DataArray with dims ('y', 'x') "
                       "(use lupex.terrain.read_dem).")
    if dem.sizes["x"] < 3 or dem.sizes["y"] < 3:
        raise DemError(f"{name}: the DEM is {dem.sizes['y']} x {dem.sizes['x']} pixels; slopes "
                       "need at least 3 x 3.")
    x = np.asarray(dem["x"].values, float)
    y = np.asarray(dem["y"].values, float)
    dx, dy = float(x[1] - x[0]), float(y[1] - y[0])
    if not (np.allclose(np.diff(x), dx, rtol=1e-6) and np.allclose(np.diff(y), dy, rtol=1e-6)):
        raise DemError(f"{name}: pixel coordinates are not evenly spaced; resample to a regular "
                       "grid (gdalwarp -tr).")
    return np.asarray(dem.values, dtype=np.float64), dx, dy


def _steps(baseline_m: float | None, dx: float, dy: float, shape: tuple[int, int]
           ) -> tuple[int, int]:
    """Arm length of the stencil in pixels along y and x for a baseline [m]."""
    if baseline_m is None:
        return 1, 1
    if not (baseline_m > 0 and math.isfinite(baseline_m)):
        raise ParameterError(f"baseline_m = {baseline_m!r}: must be a positive length in metres.")
    sx = max(1, round(baseline_m / (2.0 * abs(dx))))
    sy = max(1, round(baseline_m / (2.0 * abs(dy))))
    if 2 * sy >= shape[0] or 2 * sx >= shape[1]:
        raise ParameterError(f"baseline_m = {baseline_m:g} m is longer than the DEM "
                             f"({shape[0] * abs(dy):g} m x {shape[1] * abs(dx):g} m); use a "
                             "shorter baseline or a larger DEM.")
    return int(sy), int(sx)


def _pad_odd(z: np.ndarray, sy: int, sx: int) -> np.ndarray:
    """Pad by odd reflection (linear extrapolation), which keeps planes exact at the edges."""
    return np.pad(z, ((sy, sy), (sx, sx)), mode="reflect", reflect_type="odd")


# ----------------------------------------------------------------------------------------------
# kernel


@numba.njit(parallel=True, cache=True)
def _horn_kernel(zp, sy, sx, dx, dy, k, conv_deg, radius, slope_deg, aspect_deg):  # pragma: no cover
    ny, nx = slope_deg.shape
    r2d = 180.0 / math.pi
    for i in numba.prange(ny):
        ip = i + sy
        for j in range(nx):
            jp = j + sx
            a = zp[ip - sy, jp - sx]
            b = zp[ip - sy, jp]
            c = zp[ip - sy, jp + sx]
            d = zp[ip, jp - sx]
            f = zp[ip, jp + sx]
            g = zp[ip + sy, jp - sx]
            h = zp[ip + sy, jp]
            q = zp[ip + sy, jp + sx]
            # d z / d(grid x), d z / d(grid y): row ip+sy lies at y + sy*dy (dy < 0 north-up)
            gx = ((c + 2.0 * f + q) - (a + 2.0 * d + g)) / (8.0 * sx * dx)
            gy = ((g + 2.0 * h + q) - (a + 2.0 * b + c)) / (8.0 * sy * dy)
            fac = k[i, j]
            if radius > 0.0:
                fac *= radius / (radius + zp[ip, jp])
            t = fac * math.sqrt(gx * gx + gy * gy)
            slope_deg[i, j] = math.atan(t) * r2d
            if t > 0.0:
                az = math.atan2(-gx, -gy) * r2d - conv_deg[i, j]
                aspect_deg[i, j] = az % 360.0
            else:  # flat (no downhill direction) or NaN
                aspect_deg[i, j] = np.nan


# ----------------------------------------------------------------------------------------------
# public API


def slope_aspect(dem: xr.DataArray, *, baseline_m: float | None = None,
                 ground_distances: bool = True) -> tuple[xr.DataArray, xr.DataArray]:
    """Slope and aspect maps [deg] of a DEM, with true ground distances.

    Parameters
    ----------
    dem : DataArray (y, x)
        Elevations [m] above the lunar sphere, projected lunar CRS (see :func:`read_dem`).
    baseline_m : float, optional
        Distance [m] between the two points of each height difference. ``None``: Horn's 3 x 3
        stencil (baseline two pixels). Otherwise the stencil arms are
        ``s = max(1, round(baseline_m / (2 * pixel)))`` pixels; the baseline actually used is in
        ``attrs["baseline_m"]`` (the DEM cannot resolve less than two pixels).
    ground_distances : bool
        ``True`` (default) divides grid distances by the scale factor ``k`` and applies the
        ``(R + z) / R`` height correction; ``False`` uses raw grid distances (only for comparison).

    Returns
    -------
    slope_deg : DataArray (y, x)
        Slope from the local horizontal [deg], 0..90.
    aspect_deg : DataArray (y, x)
        Downhill direction clockwise from local geographic north [deg], [0, 360); NaN on flat
        pixels.
    """
    from lupex.io.maps import make_map
    from lupex.terrain.geometry import grid_convergence_deg, scale_factor

    z, dx, dy = _check_dem(dem)
    sy, sx = _steps(baseline_m, dx, dy, z.shape)
    if ground_distances:
        k = np.ascontiguousarray(scale_factor(dem), dtype=np.float64)
        radius = MOON_RADIUS_M
    else:
        k = np.ones_like(z)
        radius = 0.0  # no height correction
    conv = np.ascontiguousarray(grid_convergence_deg(dem), dtype=np.float64)
    slope = np.empty_like(z)
    aspect = np.empty_like(z)
    _horn_kernel(_pad_odd(z, sy, sx), sy, sx, dx, dy, k, conv, float(radius), slope, aspect)
    common = {
        "method": "Horn (1981) 3x3 weighted central difference" + (
            f" with {sx} x {sy} pixel arms" if (sx, sy) != (1, 1) else ""),
        "baseline_m": 2.0 * sx * abs(dx),
        "baseline_y_m": 2.0 * sy * abs(dy),
        "baseline_requested_m": float(baseline_m) if baseline_m is not None else 2.0 * sx * abs(dx),
        "ground_distances": int(bool(ground_distances)),
        "source": str(dem.attrs.get("source_file", dem.name or "")),
    }
    s_da = make_map(slope.astype(np.float32), like=dem, name="slope_deg", units="deg",
                    long_name="slope from the local horizontal", **common)
    a_da = make_map(aspect.astype(np.float32), like=dem, name="aspect_deg", units="deg",
                    long_name="aspect (downhill direction) clockwise from local north", **common)
    return s_da, a_da


def _window_px(length_m: float, pixel_m: float) -> int:
    """Odd window width [pixels] nearest to ``length_m``, at least 3."""
    n = max(3, round(length_m / pixel_m))
    return n if n % 2 == 1 else n + 1


def roughness(dem: xr.DataArray, *, baseline_m: float, kind: str = "rms_height",
              window_m: float | None = None) -> xr.DataArray:
    """Local roughness map at a baseline.

    Parameters
    ----------
    dem : DataArray (y, x)
        Elevations [m].
    baseline_m : float
        Horizontal scale [m].
    kind : {"rms_height", "rms_slope"}
        ``"rms_height"`` [m]: RMS deviation of the heights from their least-squares plane in a
        square window ``baseline_m`` wide (odd number of pixels, >= 3): roughness with the local
        tilt removed (Shepard et al. 2001, eq. 3 after detrending).
        ``"rms_slope"`` [deg]: ``atan`` of the RMS of the bidirectional slopes
        ``dz / L`` between points ``L = baseline_m`` apart along x and y (true ground distance),
        over a window ``window_m`` wide (Rosenburg et al. 2011; includes the regional tilt);
        pairs touching nodata are skipped.
    window_m : float, optional
        Averaging window for ``"rms_slope"`` [m]; default ``5 * baseline_m``.

    Returns
    -------
    DataArray (y, x)
        NaN on nodata pixels (and, for ``"rms_height"``, where the window touches nodata).
    """
    from scipy import ndimage

    from lupex.io.maps import make_map
    from lupex.terrain.geometry import scale_factor

    z, dx, dy = _check_dem(dem)
    px = math.sqrt(abs(dx * dy))
    if not (baseline_m > 0 and math.isfinite(baseline_m)):
        raise ParameterError(f"baseline_m = {baseline_m!r}: must be a positive length in metres.")
    if kind == "rms_height":
        n = _window_px(baseline_m, px)
        h = n // 2
        if n > min(z.shape):
            raise ParameterError(f"baseline_m = {baseline_m:g} m is wider than the DEM; use a "
                                 "shorter baseline.")
        zp = _pad_odd(z - np.nanmean(z), h, h)
        u = np.arange(-h, h + 1, dtype=float)
        ones = np.ones(n)
        su2 = float(np.sum(u * u)) * n  # sum of u^2 over the n x n window

        def box(a: np.ndarray, kx: np.ndarray, ky: np.ndarray) -> np.ndarray:
            out = ndimage.correlate1d(a, kx, axis=1, mode="constant")
            return ndimage.correlate1d(out, ky, axis=0, mode="constant")[h:-h, h:-h]

        nn = float(n * n)
        m1 = box(zp, ones, ones) / nn
        m2 = box(zp * zp, ones, ones) / nn
        suz = box(zp, u, ones)
        svz = box(zp, ones, u)
        var = m2 - m1 * m1 - (suz * suz + svz * svz) / (su2 * nn)
        out = np.sqrt(np.clip(var, 0.0, None))
        return make_map(out.astype(np.float32), like=dem, name="rms_height_m", units="m",
                        long_name=f"RMS height about the local plane, {n} x {n} pixel window",
                        baseline_m=float(n * px), kind=kind,
                        reference="Shepard et al. 2001 JGR 106 E12 32777")
    if kind == "rms_slope":
        sx = max(1, round(baseline_m / abs(dx)))
        sy = max(1, round(baseline_m / abs(dy)))
        if sx >= z.shape[1] or sy >= z.shape[0]:
            raise ParameterError(f"baseline_m = {baseline_m:g} m is longer than the DEM.")
        k = scale_factor(dem)
        tx = (z[:, sx:] - z[:, :-sx]) * 0.5 * (k[:, sx:] + k[:, :-sx]) / (sx * abs(dx))
        ty = (z[sy:, :] - z[:-sy, :]) * 0.5 * (k[sy:, :] + k[:-sy, :]) / (sy * abs(dy))
        w = _window_px(window_m if window_m is not None else 5.0 * baseline_m, px)
        num = np.zeros_like(z)
        den = np.zeros_like(z)
        for t, sl in ((tx, np.s_[:, :-sx]), (ty, np.s_[:-sy, :])):
            t2 = np.zeros_like(z)
            ok = np.zeros(z.shape, dtype=float)
            good = np.isfinite(t)
            t2[sl] = np.where(good, t * t, 0.0)
            ok[sl] = good
            num += ndimage.uniform_filter(t2, w, mode="nearest")
            den += ndimage.uniform_filter(ok, w, mode="nearest")
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.degrees(np.arctan(np.sqrt(num / den)))
        out[(den < 1e-9) | ~np.isfinite(z)] = np.nan
        return make_map(out.astype(np.float32), like=dem, name="rms_slope_deg", units="deg",
                        long_name=f"RMS bidirectional slope at a {sx * abs(dx):g} m baseline",
                        baseline_m=float(sx * abs(dx)), window_px=w, kind=kind,
                        reference="Rosenburg et al. 2011 JGR 116 E02001")
    raise ParameterError(f"kind = {kind!r}: use 'rms_height' or 'rms_slope'.")


def rms_slope_deg(dem: xr.DataArray, baseline_m: float) -> float:
    """RMS bidirectional slope of the whole DEM at one baseline [deg] (Rosenburg et al. 2011).

    ``atan(sqrt(mean((dz / L)^2)))`` over every pair of pixels ``L`` apart along x and along y,
    with true ground distances (scale factor ``k``); NaN pairs are skipped.
    """
    from lupex.terrain.geometry import scale_factor

    z, dx, dy = _check_dem(dem)
    sx = max(1, round(baseline_m / abs(dx)))
    sy = max(1, round(baseline_m / abs(dy)))
    if sx >= z.shape[1] or sy >= z.shape[0]:
        raise ParameterError(f"baseline_m = {baseline_m:g} m is longer than the DEM.")
    k = scale_factor(dem)
    tx = (z[:, sx:] - z[:, :-sx]) * 0.5 * (k[:, sx:] + k[:, :-sx]) / (sx * abs(dx))
    ty = (z[sy:, :] - z[:-sy, :]) * 0.5 * (k[sy:, :] + k[:-sy, :]) / (sy * abs(dy))
    t2 = np.concatenate([tx[np.isfinite(tx)] ** 2, ty[np.isfinite(ty)] ** 2])
    if t2.size == 0:
        return float("nan")
    return float(np.degrees(np.arctan(np.sqrt(np.mean(t2)))))


def hurst_exponent(dem: xr.DataArray, baselines_m: np.ndarray | list[float]) -> float:
    """Hurst exponent ``H`` from the RMS slope at several baselines (Rosenburg et al. 2011).

    For self-affine topography the RMS height difference grows as ``L^H``, so the RMS slope
    (``tan``) falls as ``L^(H - 1)``; ``H`` is ``1 +`` the least-squares slope of
    ``log tan(s_rms)`` against ``log L``.
    """
    base = np.asarray(baselines_m, dtype=float)
    if base.size < 2:
        raise ParameterError("baselines_m: give at least two baselines.")
    t = np.tan(np.radians([rms_slope_deg(dem, float(b)) for b in base]))
    slope = np.polyfit(np.log(base), np.log(t), 1)[0]
    return float(1.0 + slope)
