"""Numba kernels of the illumination layer (private; the public wrappers validate and unwrap).

Layouts: horizons ``hor`` are pixel-major ``(P, N)`` float32 [deg] (one pixel's N azimuths
contiguous, grid azimuth ``k * 360 / N`` clockwise from grid north); pixel rotations ``rot``
``(P, 3, 3)`` and offsets ``off`` ``(P, 3)`` [m] are in the reference grid frame
(:mod:`lupex.illumination.frames`). Angles are degrees at the boundaries of these kernels.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numba import prange

from lupex.illumination.disc import _segment_fraction

_R2D = 180.0 / math.pi
_D2R = math.pi / 180.0


@numba.njit(cache=True, inline="always")
def _interp_horizon(hor, p, az_deg, n):
    """Horizon elevation [deg] of pixel ``p`` at grid azimuth ``az_deg``, linear in azimuth."""
    u = az_deg * n / 360.0
    u = u - n * math.floor(u / n)
    k0 = int(u)
    w = u - k0
    if k0 >= n:  # u rounded up to exactly n
        k0 -= n
    k1 = k0 + 1
    if k1 == n:
        k1 = 0
    return (1.0 - w) * hor[p, k0] + w * hor[p, k1]


@numba.njit(cache=True, inline="always")
def _rotate(rot, p, vx, vy, vz):
    x = rot[p, 0, 0] * vx + rot[p, 0, 1] * vy + rot[p, 0, 2] * vz
    y = rot[p, 1, 0] * vx + rot[p, 1, 1] * vy + rot[p, 1, 2] * vz
    z = rot[p, 2, 0] * vx + rot[p, 2, 1] * vy + rot[p, 2, 2] * vz
    return x, y, z


@numba.njit(cache=True, inline="always")
def _fraction_at(hor, hmin, hmax, rot, p, n, vx, vy, vz, r_deg):
    """(fraction, elevation_deg, grid azimuth_deg or NaN, horizon_deg or NaN) of a body.

    ``v`` is the body's direction in the reference frame (any length); the azimuth and the
    horizon are only evaluated when the disc straddles the pixel's horizon band.
    """
    x, y, z = _rotate(rot, p, vx, vy, vz)
    norm = math.sqrt(x * x + y * y + z * z)
    s = z / norm
    s = min(1.0, max(-1.0, s))
    el = math.asin(s) * _R2D
    if el + r_deg <= hmin[p]:
        return 0.0, el, x, y
    if el - r_deg >= hmax[p]:
        return 1.0, el, x, y
    az = math.atan2(x, y) * _R2D
    h = _interp_horizon(hor, p, az, n)
    return _segment_fraction((el - h) / r_deg), el, x, y


@numba.njit(parallel=True, cache=True)
def stream_stats(hor, hmin, hmax, rot, off, sun, sun_r_deg, earth, earth_radius_m, do_earth,
                 sun_sum, sun_any, dark_run, dark_max, earth_sum, earth_any, both):
    """One streaming pass over ``T`` epochs; updates the per-pixel accumulators in place.

    sun : (T, 3) unit vectors to the Sun in the reference frame; sun_r_deg : (T,) radius [deg].
    earth : (T, 3) vector reference point -> Earth [m] in the reference frame (parallax per
    pixel is applied exactly: pixel -> Earth = earth - off[p]).
    Accumulators (P,): sun_sum (sum of visible fractions), sun_any (epochs with any part of the
    Sun visible), dark_run / dark_max (current and longest run of epochs with no Sun; carried
    between calls so a span can be streamed in blocks), earth_sum, earth_any, both (Sun and
    Earth each partly visible).
    """
    n_pix, n = hor.shape
    n_t = sun.shape[0]
    for p in prange(n_pix):
        ss = sun_sum[p]
        sa = sun_any[p]
        run = dark_run[p]
        rmax = dark_max[p]
        es = earth_sum[p]
        ea = earth_any[p]
        bo = both[p]
        for t in range(n_t):
            f, _el, _x, _y = _fraction_at(hor, hmin, hmax, rot, p, n, sun[t, 0], sun[t, 1],
                                          sun[t, 2], sun_r_deg[t])
            ss += f
            lit = f > 0.0
            if lit:
                sa += 1
                run = 0
            else:
                run += 1
                if run > rmax:
                    rmax = run
            if do_earth:
                vx = earth[t, 0] - off[p, 0]
                vy = earth[t, 1] - off[p, 1]
                vz = earth[t, 2] - off[p, 2]
                dist = math.sqrt(vx * vx + vy * vy + vz * vz)
                re = math.asin(earth_radius_m / dist) * _R2D
                fe, _el, _x, _y = _fraction_at(hor, hmin, hmax, rot, p, n, vx, vy, vz, re)
                es += fe
                if fe > 0.0:
                    ea += 1
                    if lit:
                        bo += 1
        sun_sum[p] = ss
        sun_any[p] = sa
        dark_run[p] = run
        dark_max[p] = rmax
        earth_sum[p] = es
        earth_any[p] = ea
        both[p] = bo


@numba.njit(parallel=True, cache=True)
def frame_maps(hor, hmin, hmax, rot, off, conv, vx, vy, vz, r_deg, is_far, radius_m,
               out_f, out_el, out_az, out_h):
    """One epoch, all pixels: visible fraction, elevation, geographic azimuth, horizon there.

    ``v`` is the body's vector in the reference frame: a unit direction when ``is_far`` (the
    Sun; ``r_deg`` its radius), else the vector from the reference point [m] (the Earth;
    parallax applied per pixel and the radius from ``radius_m``). Azimuths are clockwise from
    local geographic north [deg, 0-360); ``out_h`` is the horizon at the body's azimuth [deg].
    """
    n_pix, n = hor.shape
    for p in prange(n_pix):
        if is_far:
            wx, wy, wz = vx, vy, vz
            r = r_deg
        else:
            wx = vx - off[p, 0]
            wy = vy - off[p, 1]
            wz = vz - off[p, 2]
            r = math.asin(radius_m / math.sqrt(wx * wx + wy * wy + wz * wz)) * _R2D
        x, y, z = _rotate(rot, p, wx, wy, wz)
        norm = math.sqrt(x * x + y * y + z * z)
        el = math.asin(min(1.0, max(-1.0, z / norm))) * _R2D
        az_grid = math.atan2(x, y) * _R2D
        h = _interp_horizon(hor, p, az_grid, n)
        out_f[p] = _segment_fraction((el - h) / r)
        out_el[p] = el
        az = az_grid - conv[p]
        out_az[p] = az - 360.0 * math.floor(az / 360.0)
        out_h[p] = h


@numba.njit(cache=True)
def build_tables(az_deg, el_deg, r_deg, n_bins, t0, dt, n_t):
    """Per-azimuth-bin threshold tables of one body over a span (cost: epochs x ~2r/dt).

    Each epoch (reference-frame azimuth ``az``, elevation ``el``, radius ``r`` [deg]) is split
    linearly between the two azimuth nodes ``k * 360 / n_bins`` around it for the integral
    tables and assigned to the nearest node for the maximum table:

    - ``frac[k, j] = sum_i w_ik f((el_i - t_j) / r_i)``: visible disc fraction summed over the
      epochs if the pixel's threshold elevation is ``t_j = t0 + j dt``;
    - ``anyv[k, j] = sum_i w_ik [el_i + r_i > t_j]``: epochs with some part of the disc up;
    - ``top[k] = max_i (el_i + r_i)`` over the epochs nearest node ``k`` (-inf if none): the
      body is ever (partly) visible in that bin iff ``top[k] > threshold``.
    """
    frac = np.zeros((n_bins, n_t))
    d_frac = np.zeros((n_bins, n_t + 1))
    d_any = np.zeros((n_bins, n_t + 1))
    top = np.full(n_bins, -np.inf)
    for i in range(az_deg.shape[0]):
        u = az_deg[i] * n_bins / 360.0
        u = u - n_bins * math.floor(u / n_bins)
        k0 = int(u)
        w = u - k0
        if k0 >= n_bins:  # u rounded up to exactly n_bins
            k0 -= n_bins
        k1 = k0 + 1
        if k1 == n_bins:
            k1 = 0
        e = el_deg[i]
        r = r_deg[i]
        kn = k0 if w < 0.5 else k1
        if e + r > top[kn]:
            top[kn] = e + r
        jlo = math.ceil((e - r - t0) / dt)
        jhi = math.ceil((e + r - t0) / dt)
        jlo = min(max(jlo, 0), n_t)
        jhi = min(max(jhi, 0), n_t)
        for side in range(2):
            k = k0 if side == 0 else k1
            wt = 1.0 - w if side == 0 else w
            if wt == 0.0:
                continue
            d_frac[k, 0] += wt
            d_frac[k, jlo] -= wt
            d_any[k, 0] += wt
            d_any[k, jhi] -= wt
            for j in range(jlo, jhi):
                frac[k, j] += wt * _segment_fraction((e - (t0 + j * dt)) / r)
    anyv = np.empty((n_bins, n_t))
    for k in range(n_bins):
        cf = 0.0
        ca = 0.0
        for j in range(n_t):
            cf += d_frac[k, j]
            ca += d_any[k, j]
            frac[k, j] += cf
            anyv[k, j] = ca
    return frac, anyv, top


@numba.njit(cache=True, inline="always")
def _lookup(table, k, t, t0, dt, n_t):
    u = (t - t0) / dt
    if u <= 0.0:
        return table[k, 0]
    if u >= n_t - 1:
        return table[k, n_t - 1]
    j = int(u)
    w = u - j
    return (1.0 - w) * table[k, j] + w * table[k, j + 1]


@numba.njit(parallel=True, cache=True)
def pixel_thresholds(hor, rot, n_bins, out):
    """Threshold elevation [deg] of every pixel at every reference azimuth node (P, K).

    For node ``k`` (reference azimuth ``a_k = k * 360 / n_bins``) the threshold ``e*`` is the
    reference elevation at which a direction sits exactly on the pixel's horizon:
    ``sin(el_p) = cos(e)(alpha sin a + beta cos a) + gamma sin(e) = sin(h(az_p))`` with
    ``(alpha, beta, gamma) = U_p`` in the reference frame, solved in closed form
    ``e = asin(sin h / sqrt(A^2 + gamma^2)) - atan2(A, gamma)``, ``A = alpha sin a + beta cos a``;
    ``az_p`` (the pixel's grid azimuth of that direction) is refined by fixed-point iteration
    (it depends on ``e`` only through the tilt, so one step from the previous node's ``e*`` is
    enough; two at the first node).
    """
    n_pix, n = hor.shape
    sin_a = np.empty(n_bins)
    cos_a = np.empty(n_bins)
    for k in range(n_bins):
        sin_a[k] = math.sin(2.0 * math.pi * k / n_bins)
        cos_a[k] = math.cos(2.0 * math.pi * k / n_bins)
    for p in prange(n_pix):
        r00, r01, r02 = rot[p, 0, 0], rot[p, 0, 1], rot[p, 0, 2]
        r10, r11, r12 = rot[p, 1, 0], rot[p, 1, 1], rot[p, 1, 2]
        r20, r21, r22 = rot[p, 2, 0], rot[p, 2, 1], rot[p, 2, 2]
        e = 0.0
        for k in range(n_bins):
            sa = sin_a[k]
            ca = cos_a[k]
            aa = r20 * sa + r21 * ca
            nn = math.sqrt(aa * aa + r22 * r22)
            psi = math.atan2(aa, r22)
            n_iter = 2 if k == 0 else 1
            for _ in range(n_iter):
                ce = math.cos(e)
                se = math.sin(e)
                vx = sa * ce
                vy = ca * ce
                x = r00 * vx + r01 * vy + r02 * se
                y = r10 * vx + r11 * vy + r12 * se
                az = math.atan2(x, y) * _R2D
                h = _interp_horizon(hor, p, az, n) * _D2R
                s = math.sin(h) / nn
                s = min(1.0, max(-1.0, s))
                e = math.asin(s) - psi
            out[p, k] = e * _R2D


@numba.njit(parallel=True, cache=True)
def binned_lookup(thr, frac, anyv, top, t0, dt, n_t, out_frac, out_any, out_ever):
    """Per pixel: sum over azimuth nodes of the table values at the pixel's thresholds.

    ``thr`` (P, K) from :func:`pixel_thresholds`. Tables of several bodies are looked up at
    once: ``frac``/``anyv`` are ``(B, K, n_t)`` and ``top`` ``(B, K)``; outputs ``(B, P)``.
    """
    n_pix, n_bins = thr.shape
    n_body = frac.shape[0]
    for p in prange(n_pix):
        for b in range(n_body):
            sf = 0.0
            sa = 0.0
            ever = False
            for k in range(n_bins):
                t = thr[p, k]
                sf += _lookup(frac[b], k, t, t0[b], dt[b], n_t[b])
                sa += _lookup(anyv[b], k, t, t0[b], dt[b], n_t[b])
                if top[b, k] > t:
                    ever = True
            out_frac[b, p] = sf
            out_any[b, p] = sa
            out_ever[b, p] = ever


@numba.njit(parallel=True, cache=True)
def stream_stats_thr(thr, sk0, sw, se, sr, ek0, ew, ee, er, do_earth,
                     sun_sum, sun_any, dark_run, dark_max, earth_sum, earth_any, both):
    """Fast streaming pass on precomputed thresholds (no trigonometry per pixel-epoch).

    Per epoch: the body's node index ``k0`` and weight ``w`` of its reference azimuth, its
    reference elevation ``e`` and radius ``r`` [deg]. The pixel threshold at that azimuth is
    interpolated linearly between nodes; fraction ``f((e - t) / r)``. Same accumulators as
    :func:`stream_stats`; the Earth's parallax across the map is neglected here
    (< D / 384 000 km rad).
    """
    n_pix, n_bins = thr.shape
    n_t = se.shape[0]
    for p in prange(n_pix):
        ss = sun_sum[p]
        sa = sun_any[p]
        run = dark_run[p]
        rmax = dark_max[p]
        es = earth_sum[p]
        ea = earth_any[p]
        bo = both[p]
        for t in range(n_t):
            k0 = sk0[t]
            k1 = k0 + 1
            if k1 == n_bins:
                k1 = 0
            w = sw[t]
            th = (1.0 - w) * thr[p, k0] + w * thr[p, k1]
            f = _segment_fraction((se[t] - th) / sr[t])
            ss += f
            lit = f > 0.0
            if lit:
                sa += 1
                run = 0
            else:
                run += 1
                if run > rmax:
                    rmax = run
            if do_earth:
                k0 = ek0[t]
                k1 = k0 + 1
                if k1 == n_bins:
                    k1 = 0
                w = ew[t]
                th = (1.0 - w) * thr[p, k0] + w * thr[p, k1]
                fe = _segment_fraction((ee[t] - th) / er[t])
                es += fe
                if fe > 0.0:
                    ea += 1
                    if lit:
                        bo += 1
        sun_sum[p] = ss
        sun_any[p] = sa
        dark_run[p] = run
        dark_max[p] = rmax
        earth_sum[p] = es
        earth_any[p] = ea
        both[p] = bo
