"""Numba kernels: apparent (LT+S) Sun and Earth vectors in MOON_ME from DE421 coefficients.

Each epoch is independent, so the loop over epochs runs in parallel (``prange``). Inside it:

1. Chebyshev evaluation of the DE421 segments (EMB, Moon, Earth, Sun; km, km/s) and of the
   lunar orientation angles of ``moon_pa_de421_1900-2050.bpc`` (rad, rad/s).
2. ICRF -> MOON_ME rotation ``R = M_PA->ME [w]_3 [delta]_1 [phi]_3`` (SPICE PCK type 2 Euler
   angles, then the constant TK rotation of ``moon_080317.tf``), evaluated at the epoch.
3. Observer: Moon centre + ``R^T p`` (p body-fixed), velocity Moon + ``dR^T/dt p``.
4. Light time as SPICE ``'LT'`` ([1]_, SPKLTC): ``lt0 = |target(et) - obs| / c``; the target is
   taken at ``et - lt0`` (one Newtonian iteration). For surface observers the target state at
   ``et - lt0`` is extrapolated linearly from the Moon-centre solution (the two light times
   differ by < 6 ms: the error, a*dt^2/2, is below a micrometre).
5. Stellar aberration as SPICE ``STELAB`` ([1]_): rotate the vector by ``asin|u x v/c|`` about
   ``u x v/c`` (v: observer velocity relative to the solar-system barycentre).
6. Rotate the apparent ICRF vector with ``R`` (frame evaluated at the observer's epoch).

References
----------
.. [1] NAIF SPICE Toolkit, routines SPKEZR/SPKCPO (aberration corrections 'LT+S'), SPKLTC,
   STELAB; Required Reading "ABCORR". https://naif.jpl.nasa.gov/naif/toolkit.html
"""

from __future__ import annotations

import math

import numba
import numpy as np

C_KM_S = 299792.458


@numba.njit(cache=True)
def _index(n, init, intlen, t):
    k = math.floor((t - init) / intlen)
    if k < 0:
        k = 0
    elif k > n - 1:
        k = n - 1
    return k, 2.0 * (t - init - k * intlen) / intlen - 1.0


@numba.njit(cache=True)
def _cheb_p(coef, init, intlen, t):
    """Position (3 components) of a type-2 segment at TDB second ``t``."""
    # (index the 3-D array directly: slicing a view per call costs atomic reference counts
    # that threads contend for)
    k, s = _index(coef.shape[0], init, intlen, t)
    x = coef[k, 0, 0] + coef[k, 0, 1] * s
    y = coef[k, 1, 0] + coef[k, 1, 1] * s
    z = coef[k, 2, 0] + coef[k, 2, 1] * s
    t2, t1 = 1.0, s
    for j in range(2, coef.shape[2]):
        tj = 2.0 * s * t1 - t2
        x += coef[k, 0, j] * tj
        y += coef[k, 1, j] * tj
        z += coef[k, 2, j] * tj
        t2, t1 = t1, tj
    return x, y, z


@numba.njit(cache=True)
def _cheb_pv(coef, init, intlen, t):
    """Position and rate (per second) of a type-2 segment at TDB second ``t``."""
    k, s = _index(coef.shape[0], init, intlen, t)
    x = coef[k, 0, 0] + coef[k, 0, 1] * s
    y = coef[k, 1, 0] + coef[k, 1, 1] * s
    z = coef[k, 2, 0] + coef[k, 2, 1] * s
    vx, vy, vz = coef[k, 0, 1], coef[k, 1, 1], coef[k, 2, 1]
    t2, t1, d2, d1 = 1.0, s, 0.0, 1.0
    for j in range(2, coef.shape[2]):
        tj = 2.0 * s * t1 - t2
        dj = 2.0 * t1 + 2.0 * s * d1 - d2
        x += coef[k, 0, j] * tj
        y += coef[k, 1, j] * tj
        z += coef[k, 2, j] * tj
        vx += coef[k, 0, j] * dj
        vy += coef[k, 1, j] * dj
        vz += coef[k, 2, j] * dj
        t2, t1, d2, d1 = t1, tj, d1, dj
    f = 2.0 / intlen
    return x, y, z, vx * f, vy * f, vz * f


@numba.njit(cache=True)
def _mxm(a, b):
    return (a[0] * b[0] + a[1] * b[3] + a[2] * b[6], a[0] * b[1] + a[1] * b[4] + a[2] * b[7],
            a[0] * b[2] + a[1] * b[5] + a[2] * b[8], a[3] * b[0] + a[4] * b[3] + a[5] * b[6],
            a[3] * b[1] + a[4] * b[4] + a[5] * b[7], a[3] * b[2] + a[4] * b[5] + a[5] * b[8],
            a[6] * b[0] + a[7] * b[3] + a[8] * b[6], a[6] * b[1] + a[7] * b[4] + a[8] * b[7],
            a[6] * b[2] + a[7] * b[5] + a[8] * b[8])


@numba.njit(cache=True)
def _mxv(r, x, y, z):
    return (r[0] * x + r[1] * y + r[2] * z, r[3] * x + r[4] * y + r[5] * z,
            r[6] * x + r[7] * y + r[8] * z)


@numba.njit(cache=True)
def _mtxv(r, x, y, z):
    return (r[0] * x + r[3] * y + r[6] * z, r[1] * x + r[4] * y + r[7] * z,
            r[2] * x + r[5] * y + r[8] * z)


@numba.njit(cache=True)
def _rotation(phi, dlt, w, dphi, ddlt, dw):
    """``[w]_3 [delta]_1 [phi]_3`` (ICRF -> PA, row-major 9-tuple) and its time derivative."""
    cp, sp, cd, sd, cw, sw = math.cos(phi), math.sin(phi), math.cos(dlt), math.sin(dlt), \
        math.cos(w), math.sin(w)
    a0 = (cp, sp, 0.0)
    a1 = (-cd * sp, cd * cp, sd)
    a2 = (sd * sp, -sd * cp, cd)
    r0 = (cw * a0[0] + sw * a1[0], cw * a0[1] + sw * a1[1], cw * a0[2] + sw * a1[2])
    r1 = (-sw * a0[0] + cw * a1[0], -sw * a0[1] + cw * a1[1], -sw * a0[2] + cw * a1[2])
    r = (r0[0], r0[1], r0[2], r1[0], r1[1], r1[2], a2[0], a2[1], a2[2])
    da0 = (-sp * dphi, cp * dphi, 0.0)
    da1 = (-cd * cp * dphi + sd * sp * ddlt, -cd * sp * dphi - sd * cp * ddlt, cd * ddlt)
    da2 = (sd * cp * dphi + cd * sp * ddlt, sd * sp * dphi - cd * cp * ddlt, -sd * ddlt)
    dr = (dw * r1[0] + cw * da0[0] + sw * da1[0], dw * r1[1] + cw * da0[1] + sw * da1[1],
          dw * r1[2] + cw * da0[2] + sw * da1[2],
          -dw * r0[0] - sw * da0[0] + cw * da1[0], -dw * r0[1] - sw * da0[1] + cw * da1[1],
          -dw * r0[2] - sw * da0[2] + cw * da1[2],
          da2[0], da2[1], da2[2])
    return r, dr


@numba.njit(cache=True)
def _stelab(px, py, pz, vx, vy, vz):
    """SPICE STELAB: stellar-aberration-corrected vector (v: observer SSB velocity, km/s)."""
    n = math.sqrt(px * px + py * py + pz * pz)
    ux, uy, uz = px / n, py / n, pz / n
    bx, by, bz = vx / C_KM_S, vy / C_KM_S, vz / C_KM_S
    hx, hy, hz = uy * bz - uz * by, uz * bx - ux * bz, ux * by - uy * bx
    sinphi = math.sqrt(hx * hx + hy * hy + hz * hz)
    if sinphi == 0.0:
        return px, py, pz
    phi = math.asin(sinphi)
    kx, ky, kz = hx / sinphi, hy / sinphi, hz / sinphi
    c, s = math.cos(phi), math.sin(phi)
    # Rodrigues' formula; k is perpendicular to p, so the k(k.p) term vanishes.
    cx, cy, cz = ky * pz - kz * py, kz * px - kx * pz, kx * py - ky * px
    return px * c + cx * s, py * c + cy * s, pz * c + cz * s


@numba.njit(cache=True)
def _corrected(geo, tgt, obs, ovel, lt_c):
    """LT+S vector (ICRF, km) from ``obs`` to a target.

    ``geo``: target position at et; ``tgt``: target position and velocity at ``et - lt_c``
    (``lt_c`` from the Moon centre), extrapolated to this observer's own light time.
    """
    dx, dy, dz = geo[0] - obs[0], geo[1] - obs[1], geo[2] - obs[2]
    lt0 = math.sqrt(dx * dx + dy * dy + dz * dz) / C_KM_S
    dt = lt_c - lt0
    rx = tgt[0] + tgt[3] * dt - obs[0]
    ry = tgt[1] + tgt[4] * dt - obs[1]
    rz = tgt[2] + tgt[5] * dt - obs[2]
    return _stelab(rx, ry, rz, ovel[0], ovel[1], ovel[2])


@numba.njit(parallel=True, cache=True)
def apparent_me(et, obs_km, paired, want_earth, need_rate,
                emb, emb_i, emb_l, moon, moon_i, moon_l, earth, earth_i, earth_l,
                sun, sun_i, sun_l, pa, pa_i, pa_l, m_pa_me, out_sun, out_earth):
    """Fill ``out_sun`` / ``out_earth`` (n, m, 3) [m] with LT+S vectors in MOON_ME.

    ``obs_km``: body-fixed observer positions [km], shape (m, 3) used for every epoch, or,
    when ``paired``, shape (n, 3) with observer ``i`` for epoch ``i`` (then m == 1).
    """
    n = et.shape[0]
    m = out_sun.shape[1]
    mm = (m_pa_me[0, 0], m_pa_me[0, 1], m_pa_me[0, 2], m_pa_me[1, 0], m_pa_me[1, 1],
          m_pa_me[1, 2], m_pa_me[2, 0], m_pa_me[2, 1], m_pa_me[2, 2])
    for i in numba.prange(n):
        t = et[i]
        e = _cheb_pv(emb, emb_i, emb_l, t)
        mo = _cheb_pv(moon, moon_i, moon_l, t)
        mc = (e[0] + mo[0], e[1] + mo[1], e[2] + mo[2])
        mv = (e[3] + mo[3], e[4] + mo[4], e[5] + mo[5])
        if need_rate:
            ang = _cheb_pv(pa, pa_i, pa_l, t)
        else:
            a3 = _cheb_p(pa, pa_i, pa_l, t)
            ang = (a3[0], a3[1], a3[2], 0.0, 0.0, 0.0)
        r_pa, dr_pa = _rotation(ang[0], ang[1], ang[2], ang[3], ang[4], ang[5])
        r = _mxm(mm, r_pa)
        dr = _mxm(mm, dr_pa)

        sg = _cheb_p(sun, sun_i, sun_l, t)
        dx, dy, dz = sg[0] - mc[0], sg[1] - mc[1], sg[2] - mc[2]
        lt_s = math.sqrt(dx * dx + dy * dy + dz * dz) / C_KM_S
        s1 = _cheb_pv(sun, sun_i, sun_l, t - lt_s)

        eg = (0.0, 0.0, 0.0)
        e1 = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
        lt_e = 0.0
        if want_earth:
            er = _cheb_p(earth, earth_i, earth_l, t)
            eg = (e[0] + er[0], e[1] + er[1], e[2] + er[2])
            dx, dy, dz = eg[0] - mc[0], eg[1] - mc[1], eg[2] - mc[2]
            lt_e = math.sqrt(dx * dx + dy * dy + dz * dz) / C_KM_S
            b = _cheb_pv(emb, emb_i, emb_l, t - lt_e)
            q = _cheb_pv(earth, earth_i, earth_l, t - lt_e)
            e1 = (b[0] + q[0], b[1] + q[1], b[2] + q[2], b[3] + q[3], b[4] + q[4], b[5] + q[5])

        for j in range(m):
            k = np.int64(i) if paired else np.int64(j)
            p = _mtxv(r, obs_km[k, 0], obs_km[k, 1], obs_km[k, 2])
            pv = _mtxv(dr, obs_km[k, 0], obs_km[k, 1], obs_km[k, 2])
            obs = (mc[0] + p[0], mc[1] + p[1], mc[2] + p[2])
            ovel = (mv[0] + pv[0], mv[1] + pv[1], mv[2] + pv[2])
            a = _corrected(sg, s1, obs, ovel, lt_s)
            v = _mxv(r, a[0], a[1], a[2])
            out_sun[i, j, 0] = v[0] * 1000.0
            out_sun[i, j, 1] = v[1] * 1000.0
            out_sun[i, j, 2] = v[2] * 1000.0
            if want_earth:
                a = _corrected(eg, e1, obs, ovel, lt_e)
                v = _mxv(r, a[0], a[1], a[2])
                out_earth[i, j, 0] = v[0] * 1000.0
                out_earth[i, j, 1] = v[1] * 1000.0
                out_earth[i, j, 2] = v[2] * 1000.0


def run(et: np.ndarray, obs_m: np.ndarray, *, paired: bool, want_earth: bool
        ) -> tuple[np.ndarray, np.ndarray | None]:
    """Call :func:`apparent_me` with the loaded kernels; return (sun, earth) (n, m, 3) [m]."""
    from lupex.ephemeris.kernels import load_kernels

    k = load_kernels()
    et = np.ascontiguousarray(et, dtype=np.float64)
    obs_km = np.ascontiguousarray(np.asarray(obs_m, dtype=np.float64).reshape(-1, 3) / 1000.0)
    n = et.shape[0]
    m = 1 if paired else obs_km.shape[0]
    out_sun = np.empty((n, m, 3))
    out_earth = np.empty((n, m, 3)) if want_earth else np.empty((0, m, 3))
    need_rate = bool(np.any(obs_km != 0.0))
    apparent_me(et, obs_km, paired, want_earth, need_rate,
                k.emb.coef, k.emb.init, k.emb.intlen, k.moon.coef, k.moon.init, k.moon.intlen,
                k.earth.coef, k.earth.init, k.earth.intlen, k.sun.coef, k.sun.init, k.sun.intlen,
                k.moon_pa.coef, k.moon_pa.init, k.moon_pa.intlen,
                np.ascontiguousarray(k.pa_to_me), out_sun, out_earth)
    return out_sun, (out_earth if want_earth else None)
