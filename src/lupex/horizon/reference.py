"""Brute-force horizon reference: a fine-step ray march on the bilinear DEM in exact 3-D geometry.

Independent of the engine's line/hull machinery and of its great-circle-plane model: every sample
along the straight grid ray is placed in Moon-fixed 3-D coordinates from bilinearly interpolated
unit vectors (computed with pyproj from the CRS) times ``R + z``, and the elevation angle is
``asin((Q - O) . up_O / |Q - O|)``. It costs O(pixels x azimuths x radius / step): use it on a
subsample of pixels (tests, validation) or as the naive baseline of ``benchmarks/horizon.py``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numba as nb
import numpy as np
import xarray as xr

from lupex.constants import MOON_RADIUS_M
from lupex.horizon.core import FarField, Prepared, _Level, prepare_horizon

__all__ = ["ray_march_horizon"]


def _unit_grid(x: np.ndarray, y: np.ndarray, crs) -> np.ndarray:
    """Unit position vectors (ny, nx, 3) of the grid's pixel centres on the sphere."""
    xx, yy = np.meshgrid(x, y)
    if crs is None:  # a local tangent plane approximation (no CRS): gnomonic about the centre
        u = np.stack([xx / MOON_RADIUS_M, yy / MOON_RADIUS_M, np.ones_like(xx)], axis=-1)
    else:
        from lupex.terrain.geometry import xy_to_latlon_deg

        lat, lon = xy_to_latlon_deg(xx, yy, crs)
        la, lo = np.radians(lat), np.radians(lon)
        u = np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=-1)
    return np.ascontiguousarray(u / np.linalg.norm(u, axis=-1, keepdims=True))


@nb.njit(cache=True, inline="always")
def _bilin(Z, U, fr, fc, out3):
    ny, nx = Z.shape
    if fr < 0.0:
        fr = 0.0
    if fc < 0.0:
        fc = 0.0
    if fr > ny - 1.0:
        fr = ny - 1.0
    if fc > nx - 1.0:
        fc = nx - 1.0
    r0 = min(int(fr), ny - 2)
    c0 = min(int(fc), nx - 2)
    wr = fr - r0
    wc = fc - c0
    w00 = (1 - wr) * (1 - wc)
    w01 = (1 - wr) * wc
    w10 = wr * (1 - wc)
    w11 = wr * wc
    z = w00 * Z[r0, c0] + w01 * Z[r0, c0 + 1] + w10 * Z[r0 + 1, c0] + w11 * Z[r0 + 1, c0 + 1]
    for k in range(3):
        out3[k] = (w00 * U[r0, c0, k] + w01 * U[r0, c0 + 1, k] + w10 * U[r0 + 1, c0, k]
                   + w11 * U[r0 + 1, c0 + 1, k])
    return z


@nb.njit(parallel=True, cache=True)
def _march(Z, U, geo, pts, az, h, step_px, lv_Z, lv_U, lv_geo, far_step_px, center, radius, R,
           out):
    ny, nx = Z.shape
    npt = pts.shape[0]
    naz = az.shape[0]
    pix = 0.5 * (abs(geo[2]) + abs(geo[3]))
    for p in nb.prange(npt * naz):
        ip = p // naz
        ia = p % naz
        r = pts[ip, 0]
        c = pts[ip, 1]
        ex = math.sin(az[ia])
        ey = math.cos(az[ia])
        x0 = geo[0] + geo[2] * c
        y0 = geo[1] + geo[3] * r
        uO = np.empty(3)
        q = np.empty(3)
        zO = _bilin(Z, U, float(r), float(c), uO)
        nO = math.sqrt(uO[0] ** 2 + uO[1] ** 2 + uO[2] ** 2)
        rO = R + zO + h
        Ob = np.empty(3)
        for k in range(3):
            uO[k] /= nO
            Ob[k] = rO * uO[k]
        best = -2.0
        rE = R + zO  # nothing ahead: the smooth sphere at the pixel's own elevation
        cosE = 1.0
        t = 0.0
        while True:
            t += step_px * pix
            x = x0 + ex * t
            y = y0 + ey * t
            fc = (x - geo[0]) / geo[2]
            fr = (y - geo[1]) / geo[3]
            if fc < 0.0 or fr < 0.0 or fc > nx - 1.0 or fr > ny - 1.0:
                break
            z = _bilin(Z, U, fr, fc, q)
            nq = math.sqrt(q[0] ** 2 + q[1] ** 2 + q[2] ** 2)
            rq = R + z
            dx = rq * q[0] / nq - Ob[0]
            dy = rq * q[1] / nq - Ob[1]
            dz = rq * q[2] / nq - Ob[2]
            s = (dx * uO[0] + dy * uO[1] + dz * uO[2]) / math.sqrt(dx * dx + dy * dy + dz * dz)
            if s > best:
                best = s
            rE = rq
            cosE = (q[0] * uO[0] + q[1] * uO[1] + q[2] * uO[2]) / nq
        # far field levels, finest first
        z_last = rE - R
        first = True
        t_first = 0.0
        dz0 = 0.0
        blend_m = 1.0
        if lv_geo.shape[0] > 0:
            t -= step_px * pix
            while True:
                x = x0 + ex * t
                y = y0 + ey * t
                if (x - center[0]) ** 2 + (y - center[1]) ** 2 > radius * radius:
                    break
                found = False
                fc = (x - geo[0]) / geo[2]
                fr = (y - geo[1]) / geo[3]
                inside = not (fc < 0.0 or fr < 0.0 or fc > nx - 1.0 or fr > ny - 1.0)
                stepm = 0.0
                for lv in range(lv_geo.shape[0]):
                    off = int(lv_geo[lv, 0])
                    lny = int(lv_geo[lv, 1])
                    lnx = int(lv_geo[lv, 2])
                    lfc = (x - lv_geo[lv, 3]) / lv_geo[lv, 5]
                    lfr = (y - lv_geo[lv, 4]) / lv_geo[lv, 6]
                    if lfc < 0.0 or lfr < 0.0 or lfc > lnx - 1.0 or lfr > lny - 1.0:
                        continue
                    Zl = lv_Z[off:off + lny * lnx].reshape((lny, lnx))
                    Ul = lv_U[off * 3:(off + lny * lnx) * 3].reshape((lny, lnx, 3))
                    z = _bilin(Zl, Ul, lfr, lfc, q)
                    if z != z:
                        continue
                    stepm = far_step_px * lv_geo[lv, 7]
                    found = True
                    break
                if not found:
                    break
                if not inside:
                    if first:
                        # the same blend as the engine: pulled to the DEM's last sample
                        first = False
                        dz0 = z_last - z
                        t_first = t
                        blend_m = 2.0 * lv_geo[lv, 7]
                    z += dz0 * math.exp(-(t - t_first) / blend_m)
                    nq = math.sqrt(q[0] ** 2 + q[1] ** 2 + q[2] ** 2)
                    rq = R + z
                    dx = rq * q[0] / nq - Ob[0]
                    dy = rq * q[1] / nq - Ob[1]
                    dz = rq * q[2] / nq - Ob[2]
                    s = (dx * uO[0] + dy * uO[1] + dz * uO[2]) / math.sqrt(dx * dx + dy * dy + dz * dz)
                    if s > best:
                        best = s
                    rE = rq
                    cosE = (q[0] * uO[0] + q[1] * uO[1] + q[2] * uO[2]) / nq
                t += stepm
        el = math.asin(min(1.0, best)) if best > -2.0 else -0.5 * math.pi
        # the smooth sphere beyond the last sample, at its radius
        if rE > 0.0 and rO >= rE:
            a = math.acos(rE / rO)
            thE = math.acos(min(1.0, cosE))
            if a >= thE - 1e-12 and -a > el:
                el = -a
        out[ip, ia] = math.degrees(el)


def _pack_levels(levels: list[_Level], crs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if not levels:
        return np.zeros(1), np.zeros(3), np.zeros((0, 8))
    zs, us, meta = [], [], np.zeros((len(levels), 8))
    off = 0
    for i, lv in enumerate(levels):
        ny, nx = lv.z.shape
        x = lv.x0 + lv.dx * np.arange(nx)
        y = lv.y0 + lv.dy * np.arange(ny)
        zs.append(lv.z.astype(np.float64).ravel())
        us.append(_unit_grid(x, y, crs).ravel())
        meta[i] = (off, ny, nx, lv.x0, lv.y0, lv.dx, lv.dy, lv.pixel_m)
        off += ny * nx
    return np.concatenate(zs), np.concatenate(us), meta


def ray_march_horizon(dem: xr.DataArray | Prepared, points: Sequence[tuple[int, int]] | np.ndarray,
                      azimuths: Sequence[float] | np.ndarray, *, observer_height_m: float = 0.0,
                      far_field: FarField = None, far_field_radius_km: float = 300.0,
                      step_px: float = 0.02, far_step_px: float = 0.25) -> np.ndarray:
    """Brute-force horizon elevation [deg] of selected pixels (the validation reference).

    Parameters
    ----------
    dem : DataArray (y, x) or Prepared
        The DEM [m above the 1737.4 km sphere].
    points : array (n, 2) of int
        ``(row, col)`` pixel indices.
    azimuths : sequence of float
        Grid azimuths [deg, clockwise from grid north].
    observer_height_m : float
        Observer height above the surface [m].
    far_field, far_field_radius_km
        As in :func:`lupex.horizon.horizon_map`.
    step_px, far_step_px : float
        Ray step in DEM pixels, and in far-field pixels beyond the DEM.

    Returns
    -------
    ndarray float64 (n_points, n_azimuths) [deg]
    """
    prep = dem if isinstance(dem, Prepared) else prepare_horizon(
        dem, far_field=far_field, far_field_radius_km=far_field_radius_km)
    U = _unit_grid(prep.x, prep.y, prep.crs)
    geo = np.array([prep.x[0], prep.y[0], prep.dxs, prep.dys])
    lv_Z, lv_U, lv_geo = _pack_levels(prep.levels, prep.crs)
    pts = np.asarray(points, dtype=np.int64).reshape(-1, 2)
    az = np.radians(np.asarray(azimuths, dtype=np.float64).ravel())
    out = np.empty((pts.shape[0], az.size))
    _march(prep.z, U, geo, pts, az, float(observer_height_m), float(step_px), lv_Z, lv_U, lv_geo,
           float(far_step_px), np.array(prep.center), prep.radius_m, MOON_RADIUS_M, out)
    return out
