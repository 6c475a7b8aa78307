"""Numba kernels of the horizon engine (one azimuth at a time, all pixels of a DEM view).

Geometry (see docs/horizon.md for the derivation)
-------------------------------------------------
The caller hands a *view* of the DEM oriented so that the azimuth points along increasing column
index (the "major" axis) and increasing row index (the "minor" axis) with slope
``m = d(minor)/d(major)`` in ``[0, 1]``.

*Lines.* A family of parallel grid lines ``minor = b + m * major`` with intercepts ``b`` spaced
``1/Q`` rows apart covers the view. Each line is sampled where it crosses a column (there the
bilinear surface reduces to a linear interpolation between two rows, so the samples lie exactly on
the bilinear DEM), then continued beyond the DEM through the far-field levels (nested coarser
DEMs, the regional LOLA ring), and ends with the smooth reference sphere at the last sample's
elevation (an analytic tail).

*Exact sphere geometry.* Along a line every sample ``j`` gets its great-circle angle
``theta_j`` from the line's start (ground distance = grid distance / k, the projection's point
scale factor, integrated sample to sample) and its radius ``r_j = R + z_j``; it is placed at
``(X, Y) = r_j (sin theta_j, cos theta_j)`` in the plane of the great circle. In that plane the
elevation of ``Q`` seen from ``O`` is exactly ``atan2(Y_Q - Y_O, X_Q - X_O) + theta_O``, so the
highest point ahead is a vertex of the ordinary (Euclidean) upper convex hull of the points
ahead, and no parabolic approximation of the curvature is made anywhere.

*Sweep.* Each line is swept from its far end towards its start keeping the upper hull on a stack
(Dozier & Frew 1990 style): ``hor[j]`` is the next hull vertex after ``j``; following ``hor``
from any sample walks the upper hull of everything beyond it.

*Pixels.* A pixel's own ray runs between two neighbouring lines (at lateral offsets ``-f/Q`` and
``(1-f)/Q`` rows). Its near field (the first ``near_cols`` columns) is solved exactly from the
pixel centre on the bilinear surface: cell by cell the surface along the ray is a quadratic, and
the maximum slope seen from the observer over each piece has a closed form (``_near_field``).
Its far field is the tangent from the pixel's observer point (true elevation + observer height)
to the hull of each of the two lines beyond the near field, interpolated linearly between the
two lines. The horizon is the larger of the two. Cost per pixel and azimuth is constant (about
``near_cols * (1 + m)`` cell pieces and two short hull walks), independent of the search radius.

References
----------
.. [1] Dozier, J., & Frew, J. (1990). Rapid calculation of terrain parameters for radiation
   modeling from digital elevation data. IEEE Trans. Geosci. Remote Sens. 28(5), 963-969.
.. [2] Timonen, V., & Westerholm, J. (2010). Scalable height field self-shadowing.
   Computer Graphics Forum 29(2), 723-731 (convex-hull horizon sweeps along parallel lines).
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from lupex.terrain._interp import bilinear_clamped

_NEG = -1.0e300
_KSTEP = 16  # samples between knots of the projection's scale factor along a line
_GROUP = 4  # near-field columns bounded at once (see _near_field)


@nb.njit(cache=True, inline="always")
def _kscale(x, y, kg, kmeta):
    """Bilinear point scale factor k at world (x, y) from a coarse grid (clamped);
    ``kmeta = (x0, y0, dx, dy, 1/dx, 1/dy)``."""
    return bilinear_clamped(kg, (y - kmeta[1]) * kmeta[5], (x - kmeta[0]) * kmeta[4])


@nb.njit(cache=True, inline="always")
def _level_sample(x, y, lv_z, lv_meta):
    """Elevation [m] and pixel size [m] of the finest far-field level holding (x, y).

    ``lv_meta[l] = (offset, ny, nx, x0, y0, dx, dy, pixel_m, 1 / dx, 1 / dy)``; returns
    (nan, 0) if none does.
    """
    for lv in range(lv_meta.shape[0]):
        off = int(lv_meta[lv, 0])
        ny = int(lv_meta[lv, 1])
        nx = int(lv_meta[lv, 2])
        fc = (x - lv_meta[lv, 3]) * lv_meta[lv, 8]
        fr = (y - lv_meta[lv, 4]) * lv_meta[lv, 9]
        if fc < 0.0 or fr < 0.0 or fc > nx - 1.0 or fr > ny - 1.0:
            continue
        c0 = min(int(fc), nx - 2)
        r0 = min(int(fr), ny - 2)
        wc = fc - c0
        wr = fr - r0
        i00 = off + r0 * nx + c0
        z = ((1 - wr) * ((1 - wc) * lv_z[i00] + wc * lv_z[i00 + 1])
             + wr * ((1 - wc) * lv_z[i00 + nx] + wc * lv_z[i00 + nx + 1]))
        if z == z:  # not NaN
            return z, lv_meta[lv, 7]
    return math.nan, 0.0


@nb.njit(cache=True, inline="always")
def _rotate(sn, cs, d):
    """(sin, cos) of theta + d from those of theta (series exact to 1e-18 for d < 0.01 rad)."""
    if d > 0.01:
        return (sn * math.cos(d) + cs * math.sin(d), cs * math.cos(d) - sn * math.sin(d))
    d2 = d * d
    sd = d * (1.0 - d2 / 6.0 * (1.0 - d2 / 20.0))
    cd = 1.0 - d2 / 2.0 * (1.0 - d2 / 12.0 * (1.0 - d2 / 30.0))
    return sn * cd + cs * sd, cs * cd - sn * sd


@nb.njit(cache=True, _nrt=False)
def _line_samples(Z, b, m, c_lo, c_hi, S, FS, ds_col, wt, ex, ey, kg, kmeta, lv_z, lv_meta, foot,
                  ff_center, ff_radius2, R, write, th, X, Y):
    """Sample one line (DEM part, then the far field); return the number of samples.

    With ``write`` the samples' angle ``th`` and plane coordinates ``X, Y`` are stored.
    ``wt = (wx0, wxj, wxi, wy0, wyj, wyi)`` maps view (minor i, major j) to world x, y.
    ``foot = (xmin, xmax, ymin, ymax)`` is the local DEM footprint in world metres.
    """
    n_minor = Z.shape[0]
    n = 0
    theta = 0.0
    kprev = 1.0
    xw = 0.0
    yw = 0.0
    n_major = Z.shape[1]
    inv = 1.0 / S
    last = (c_hi - c_lo) * S
    inv2R = 2.0 / R  # one division per sample: d = step / (mean k) / R = step (2 / R) / (k1 + k2)
    dcol2 = ds_col * inv * inv2R
    if not write:
        # counting pass: the DEM part has a known length; only the far field needs a walk
        n = last + 1
        yraw = b + m * c_hi
        xw = wt[0] + wt[1] * c_hi + wt[2] * yraw
        yw = wt[3] + wt[4] * c_hi + wt[5] * yraw
    z_last = 0.0
    sn = 0.0  # sin(theta), cos(theta) by exact small-angle rotation steps (no trig per sample)
    cs = 1.0
    ja = 0
    jb = 0
    ka = 1.0
    kslope = 0.0
    for jj in range(last + 1 if write else 0):
        fc = c_lo + jj * inv
        yraw = b + m * fc
        yv = yraw
        if yv < 0.0:
            yv = 0.0
        if yv > n_minor - 1.0:
            yv = n_minor - 1.0
        i0 = int(yv)
        if i0 > n_minor - 2:
            i0 = max(n_minor - 2, 0)
        w = yv - i0
        if S == 1:
            cc = c_lo + jj
            if n_minor > 1:
                z = (1.0 - w) * Z[i0, cc] + w * Z[i0 + 1, cc]
            else:
                z = Z[0, cc]
        else:
            c0 = int(fc)
            if c0 > n_major - 2:
                c0 = n_major - 2
            wc = fc - c0
            if n_minor > 1:
                z = ((1.0 - w) * ((1.0 - wc) * Z[i0, c0] + wc * Z[i0, c0 + 1])
                     + w * ((1.0 - wc) * Z[i0 + 1, c0] + wc * Z[i0 + 1, c0 + 1]))
            else:
                z = (1.0 - wc) * Z[0, c0] + wc * Z[0, c0 + 1]
        xw = wt[0] + wt[1] * fc + wt[2] * yraw
        yw = wt[3] + wt[4] * fc + wt[5] * yraw
        if jj >= jb:
            # the next knot of the scale factor: k varies by ~1e-5 over a DEM, so it is taken
            # at every _KSTEP-th sample and interpolated linearly between (error < 1e-9)
            ja = jj
            ka = _kscale(xw, yw, kg, kmeta)
            jb = min(jj + _KSTEP, last)
            if jb > ja:
                fb = c_lo + jb * inv
                yb = b + m * fb
                kb = _kscale(wt[0] + wt[1] * fb + wt[2] * yb, wt[3] + wt[4] * fb + wt[5] * yb,
                             kg, kmeta)
                kslope = (kb - ka) / (jb - ja)
            else:
                jb = jj + 1
                kslope = 0.0
        kk = ka + kslope * (jj - ja)
        if n > 0:
            d = dcol2 / (kk + kprev)  # ds_col / S / (mean k) / R
            theta += d
            sn, cs = _rotate(sn, cs, d)
        kprev = kk
        rr = R + z
        th[n] = theta
        X[n] = rr * sn
        Y[n] = rr * cs
        z_last = z
        n += 1
    if lv_meta.shape[0] == 0:
        return n
    # far field: continue along the direction from the last DEM sample, the first far sample
    # just past the point where the line leaves the DEM (the DEM is convex: it never re-enters)
    yl = b + m * c_hi
    t_out = (n_major - 1.0) - c_hi
    if m > 0.0:
        tr = ((n_minor - 1.0) - yl) / m
        if tr < t_out:
            t_out = tr
    if t_out < 0.0:
        t_out = 0.0
    tprev = 0.0
    step = 0.0
    _, step = _level_sample(xw, yw, lv_z, lv_meta)
    step = step / FS
    if step <= 0.0:
        # the exit point is not covered; probe with the coarsest level's pixel
        step = lv_meta[lv_meta.shape[0] - 1, 7] / FS
    t = t_out * ds_col + 0.5 * step
    first = True
    t_first = t
    ta = t
    tb = t  # the first far sample takes a knot
    dz0 = 0.0  # blend: the far field is pulled to the DEM's last sample, decaying over blend_m
    blend_m = 2.0 * step * FS
    bf = 1.0  # the blend's exp(-(t - t_first) / blend_m), updated step by step
    bstep = -1.0
    bmul = 1.0
    while True:
        if not first:
            t += step
            if step != bstep:
                bstep = step
                bmul = math.exp(-step / blend_m)
            bf *= bmul
        x = xw + ex * t
        y = yw + ey * t
        dxc = x - ff_center[0]
        dyc = y - ff_center[1]
        if dxc * dxc + dyc * dyc > ff_radius2:
            break
        z, px = _level_sample(x, y, lv_z, lv_meta)
        if px <= 0.0:
            break
        if first:
            dz0 = z_last - z
            first = False
        if t - t_first < 40.0 * blend_m:  # beyond, exp(-40) * dz0 < 1e-13 m
            z += dz0 * bf
        # FS samples per far pixel near the DEM; one per pixel beyond 25 pixels (where a
        # bilinear crest between samples is worth < 0.005 deg)
        step = px / FS if t - t_first < 25.0 * px else px
        if n >= th.shape[0]:
            break
        if write:
            if t >= tb:  # scale-factor knots every _KSTEP samples, as in the DEM part
                ta = t
                ka = _kscale(x, y, kg, kmeta)
                tb = t + _KSTEP * step
                kslope = (_kscale(xw + ex * tb, yw + ey * tb, kg, kmeta) - ka) / (tb - ta)
            kk = ka + kslope * (t - ta)
            d = (t - tprev) * inv2R / (kk + kprev)
            theta += d
            sn, cs = _rotate(sn, cs, d)
            kprev = kk
            tprev = t
            rr = R + z
            th[n] = theta
            X[n] = rr * sn
            Y[n] = rr * cs
        n += 1
    return n


@nb.njit(cache=True, inline="always")
def _line_range(b, m, n_minor, n_major):
    """Columns where line ``minor = b + m*major`` lies in the bilinear domain [0, n_minor-1]."""
    if m <= 0.0:
        if b < -1e-9 or b > n_minor - 1.0 + 1e-9:
            return 0, -1
        return 0, n_major - 1
    lo = math.ceil((0.0 - b) / m - 1e-9)
    hi = math.floor((n_minor - 1.0 - b) / m + 1e-9)
    if lo < 0:
        lo = 0
    if hi > n_major - 1:
        hi = n_major - 1
    return lo, hi


_JUMP = 8  # hor[j, 1] is the _JUMP-th vertex along the hull chain from j


@nb.njit(cache=True, inline="always")
def _higher_next(X, Y, hor, off, v, XO, YO):
    """Whether the hull vertex after ``v`` is higher than ``v`` as seen from (XO, YO)."""
    nxt = hor[off + v, 0]
    if nxt < 0:
        return False
    ax = X[off + v] - XO
    ay = Y[off + v] - YO
    bx = X[off + nxt] - XO
    by = Y[off + nxt] - YO
    return ax * by - ay * bx > 0.0


@nb.njit(cache=True, inline="always")
def _hull_query(X, Y, hor, off, s0, XO, YO):
    """The tangent point seen from (XO, YO) on the hull chain from sample ``s0``.

    Along the chain (the upper hull of the samples from ``s0`` on) the elevation seen from a
    point behind them is unimodal (a concave height over a positive affine distance is
    quasi-concave), so "the next vertex is higher" holds up to the tangent point and fails
    from it on. After ``_JUMP`` plain steps the walk jumps ``_JUMP`` vertices at a time
    (``hor[:, 1]``) while the vertex it lands on still has a higher successor (the tangent
    lies beyond it), then steps again: the same vertex as the plain walk, in about
    ``L / 8 + 16`` steps instead of ``L``.
    """
    v = s0
    for _ in range(_JUMP):  # most walks are short: plain steps first
        if not _higher_next(X, Y, hor, off, v, XO, YO):
            return v
        v = hor[off + v, 0]
    while True:
        w = hor[off + v, 1]
        if w < 0 or not _higher_next(X, Y, hor, off, w, XO, YO):
            break
        v = w
    while _higher_next(X, Y, hor, off, v, XO, YO):
        v = hor[off + v, 0]
    return v


@nb.njit(cache=True, inline="always")
def _hull_query_warm(X, Y, hor, prev, off, v, XO, YO):
    """The tangent point seen from (XO, YO) on a hull chain with backward links ``prev``,
    starting from a vertex ``v`` of that chain (the previous pixel's tangent point).

    Along the chain the elevation seen from a point behind it is unimodal (see
    :func:`_hull_query`): forward while the next vertex is higher, else backward while the
    previous one is at least as high. Both end at the first vertex of the top (the vertex the
    forward walk from the chain's start finds), so the result is the same, bit for bit; from
    one pixel to the next in a strip the tangent moves by a step or two instead of a walk from
    the chain's start."""
    if _higher_next(X, Y, hor, off, v, XO, YO):
        v = hor[off + v, 0]
        while _higher_next(X, Y, hor, off, v, XO, YO):
            v = hor[off + v, 0]
        return v
    p = prev[off + v]
    while p >= 0 and not _higher_next(X, Y, hor, off, p, XO, YO):
        v = p
        p = prev[off + v]
    return v


@nb.njit(cache=True, inline="always")
def _slope_better(z, t, dsg, rO, R, best):
    """max(best, tan(elevation)) of a point at height z, t column steps (dsg ground metres
    each) ahead: ``(r (1 - d^2/2) - rO) / (r d)`` with ``d = t dsg / R`` (the sphere to
    fourth order in d: 1e-10 relative at 16 pixels of 200 m). The division is only done when
    the point wins (``num > best * den``, ``den > 0``)."""
    dth = t * dsg / R
    rr = R + z
    num = rr * (1.0 - 0.5 * dth * dth) - rO
    den = rr * dth
    if num > best * den:
        return num / den
    return best


@nb.njit(cache=True, inline="always")
def _piece(Z, i, cc, r, c, m, ta, tb, zO, obs_h, rO, dsg, c2, R, best, first):
    """Best tan(elevation) over one piece [ta, tb] of the ray inside cell (row i, column cc).

    Along the ray the bilinear surface of the cell is ``z(t) = p0 + p1 t + p2 t^2``; the slope
    ``g(t) = (z(t) - zO - h)/(t dsg) - t dsg/(2R)`` peaks at a piece end or at
    ``t* = sqrt(P0 / P2')`` (``P0 = p0 - zO - h < 0``, ``P2' = p2 - dsg^2/(2R) < 0``); the
    square root is taken only when ``ta^2 < t*^2 < tb^2``.
    """
    z00 = Z[i, cc]
    z01 = Z[i, cc + 1]
    z10 = Z[i + 1, cc]
    Bu = z01 - z00
    Bw = z10 - z00
    Cuw = Z[i + 1, cc + 1] - z10 - z01 + z00
    u0 = float(c - cc)
    w0 = float(r - i)
    p0 = z00 + Bu * u0 + Bw * w0 + Cuw * u0 * w0
    p1 = Bu + Bw * m + Cuw * (u0 * m + w0)
    p2 = Cuw * m
    best = _slope_better(p0 + (p1 + p2 * tb) * tb, tb, dsg, rO, R, best)
    P0 = p0 - zO - obs_h
    P2 = p2 - c2
    if P0 < 0.0 and P2 < 0.0:
        ts2 = P0 / P2
        if ta * ta < ts2 < tb * tb:
            ts = math.sqrt(ts2)
            best = _slope_better(p0 + (p1 + p2 * ts) * ts, ts, dsg, rO, R, best)
    if first and obs_h == 0.0:
        # the local slope: limit t -> 0+ (the observer sits on the surface)
        g = p1 * R / ((R + zO) * dsg)
        if g > best:
            best = g
    return best


@nb.njit(cache=True, _nrt=False)
def _near_field(Z, ZM, r, c, m, dsg, near_cols, obs_h, zO, R, thr):
    """Max tan(elevation) over the bilinear surface along the exact ray, ``0 < t <= near_cols``,
    or ``thr`` where nothing there exceeds ``thr``.

    The ray from pixel centre (r, c) is cut at column crossings and at its (at most one per
    column, since m <= 1) row crossing into pieces inside single cells; each piece is solved in
    closed form by :func:`_piece` and evaluated with the exact sphere formula. Returns ``thr``
    (-1e300 if none) if the ray leaves the grid at once.

    ``thr`` is a tan(elevation) already reached (the far field's, or -1e300): a column whose
    upper bound cannot exceed it, or the best slope found in the nearer columns, is skipped. The bound: inside one column ``t`` lies in
    ``[k, k+1]`` and the bilinear surface along the ray is at most ``zmax``: the largest of
    its values at the column's two ends and at the row crossing, plus ``m |Cuw| / 4`` (the
    most a piece ``p0 + p1 t + p2 t^2`` with ``|p2| = m |Cuw|`` rises above its chord over a
    length <= 1; ``Cuw`` the cell's twist), or for a column cut short by the DEM's edge the
    highest of the cells' corners; the slope ``(r (1 - d^2/2) - rO) / (r d)`` (``d = t dsg / R``) grows with the
    radius ``r`` and is at most ``A / (rmax d) - d_k / 2`` with ``A = rmax - rO``, ``d = d_k``
    for ``A >= 0`` and ``d = d_(k+1)`` for ``A < 0`` (tested as
    ``A < (best + d_k / 2) rmax d``, no division). From column ``_GROUP`` on, where ``ZM``
    (:func:`group_max`, the view's running maximum over ``_GROUP + 1`` columns) is given, a
    group of ``_GROUP`` columns is first bounded at once by the highest DEM value of the cells
    it crosses. Skipped columns hold only slopes below the running best, so the horizon (the
    larger of near and far) is unchanged. ``ZM`` of another shape than ``Z`` switches the
    groups off (the GPU passes a 1 x 1 array).
    """
    n_minor, n_major = Z.shape
    best = thr
    if near_cols <= 0:
        return best
    t_end = float(near_cols)
    lim_c = (n_major - 1.0) - c
    if lim_c < t_end:
        t_end = lim_c
    if m > 0.0:
        lim_r = ((n_minor - 1.0) - r) / m
        if lim_r < t_end:
            t_end = lim_r
    if t_end <= 0.0:
        return best
    rO = R + zO + obs_h
    zc = zO + obs_h
    c2 = dsg * dsg / (2.0 * R)
    dpt = dsg / R  # great-circle angle per column step [rad]
    inv_m = 1.0 / m if m > 0.0 else 0.0
    kmax = int(math.ceil(t_end))  # noqa: RUF046
    grouped = ZM.shape[0] == n_minor and ZM.shape[1] == n_major
    k = -1
    while k + 1 < kmax:
        k += 1
        if (grouped and k >= _GROUP and k % _GROUP == 0 and k + _GROUP <= t_end
                and best > _NEG):
            # _GROUP columns at once: the highest DEM value of the cells they cross
            # (ZM[i, j] = max Z[i, j .. j + _GROUP]) against the bound at their near end
            ga = int(r + k * m)
            gb = int(r + (k + _GROUP) * m) + 1
            if gb > n_minor - 1:
                gb = n_minor - 1
            zg = ZM[ga, c + k]
            for i in range(ga + 1, gb + 1):
                zg = max(zg, ZM[i, c + k])
            rmax = R + zg
            A = rmax - rO
            da = k * dpt
            lim = best - 1e-12 * (1.0 + abs(best))
            if A < (lim + 0.5 * da) * rmax * (da if A >= 0.0 else (k + _GROUP) * dpt):
                k += _GROUP - 1
                continue
        ta = float(k)
        tb = ta + 1.0
        if tb > t_end:
            tb = t_end
        cc = c + k
        if cc > n_major - 2:
            cc = n_major - 2
        ya = r + ta * m
        yb = r + tb * m
        ia = int(ya)
        if ia > n_minor - 2:
            ia = n_minor - 2
        # m <= 1: the ray crosses at most row ia + 1 inside one column (int(yb) could say
        # ia + 2 when m rounds to 1 - 1e-16; the cell below ia would then be extrapolated)
        ib = ia + 1
        cross = yb > ib and ib <= n_minor - 2
        if k > 0 and best > _NEG:
            c00 = Z[ia, cc]
            c01 = Z[ia, cc + 1]
            c10 = Z[ia + 1, cc]
            c11 = Z[ia + 1, cc + 1]
            da = ta * dpt
            lim = best - 1e-12 * (1.0 + abs(best))  # margin for rounding of the bound
            if tb == ta + 1.0:
                # The slope of _slope_better, (r (1 - d^2/2) - rO) / (r d) with r = R + z,
                # equals (z - zc) / (r d) - d / 2 (zc = zO + h) and is at most
                # (z - zc) / (rO d) - d_a / 2 for any sign of z - zc. Along each piece of the
                # ray in this column the surface is at most its chord plus the bulge of a
                # quadratic piece, |p2| L^2 / 4 <= |Cuw| m / 4 (L <= 1), and
                # (chord + bulge - zc) / (rO t dpt) is B + A / t, monotone: its maximum is at
                # a piece end. So the column is skipped when every piece end (the column's
                # two ends and the row crossing), raised by the bulge, is below the running
                # best at its own distance: z_e + bulge - zc < (lim + d_a / 2) rO t_e dpt.
                wa = ya - ia
                za = (1.0 - wa) * c00 + wa * c10
                jb = int(yb)
                if jb > n_minor - 2:
                    jb = n_minor - 2
                wb = yb - jb
                zb = (1.0 - wb) * Z[jb, cc + 1] + wb * Z[jb + 1, cc + 1]
                bulge = abs(c11 - c10 - c01 + c00)
                zr = _NEG
                tr = ta
                if cross:
                    tr = min(max((ib - r) * inv_m, ta), tb)
                    u = tr - ta
                    zr = (1.0 - u) * c10 + u * c11
                    bulge = max(bulge, abs(Z[ib + 1, cc + 1] - Z[ib + 1, cc] - c11 + c10))
                base = zc - 0.25 * m * bulge - 1e-6  # 1 um: margin for rounding
                kq = (lim + 0.5 * da) * rO * dpt
                if (za - base < kq * ta and zb - base < kq * tb
                        and (not cross or zr - base < kq * tr)):
                    continue
            else:
                # a column cut short by the DEM's edge: the highest corner of its cells at
                # the column's near end, with the exact slope's growth in r (as the groups)
                zmax = max(max(c00, c01), max(c10, c11))
                if cross:
                    zmax = max(zmax, max(Z[ib + 1, cc], Z[ib + 1, cc + 1]))
                rmax = R + zmax
                A = rmax - rO
                if A < (lim + 0.5 * da) * rmax * (da if A >= 0.0 else tb * dpt):
                    continue
        if cross:
            tr = min(max((ib - r) * inv_m, ta), tb)
            best = _piece(Z, ia, cc, r, c, m, ta, tr, zO, obs_h, rO, dsg, c2, R, best, k == 0)
            best = _piece(Z, ib, cc, r, c, m, tr, tb, zO, obs_h, rO, dsg, c2, R, best, False)
        else:
            best = _piece(Z, ia, cc, r, c, m, ta, tb, zO, obs_h, rO, dsg, c2, R, best, k == 0)
    return best


@nb.njit(parallel=True, cache=True)
def group_max(Z, out):
    """``out[i, j] = max(Z[i, j : j + _GROUP + 1])`` (to the last column): the highest corner
    of the cells of ``_GROUP`` columns from ``j`` in row ``i`` (:func:`_near_field`)."""
    n_minor, n_major = Z.shape
    for i in nb.prange(n_minor):
        for j in range(n_major):
            v = Z[i, j]
            for jj in range(j + 1, min(j + _GROUP + 1, n_major)):
                v = max(v, Z[i, jj])
            out[i, j] = v


@nb.njit(cache=True, inline="always")
def _exit_t(r, c, m, n_minor, n_major):
    """Ray parameter [columns] where the ray from (r, c) leaves the bilinear domain."""
    t = (n_major - 1.0) - c
    if m > 0.0:
        tr = ((n_minor - 1.0) - r) / m
        if tr < t:
            t = tr
    return t


@nb.njit(cache=True, inline="always")
def _bilinear(Z, fr, fc):
    n_minor, n_major = Z.shape
    r0 = min(max(int(fr), 0), n_minor - 2)
    c0 = min(max(int(fc), 0), n_major - 2)
    wr = min(max(fr - r0, 0.0), 1.0)
    wc = min(max(fc - c0, 0.0), 1.0)
    return ((1 - wr) * ((1 - wc) * Z[r0, c0] + wc * Z[r0, c0 + 1])
            + wr * ((1 - wc) * Z[r0 + 1, c0] + wc * Z[r0 + 1, c0 + 1]))


@nb.njit(cache=True, _nrt=False)
def _far_ray(Z, r, c, m, t_exit, ds_col, wt, ex, ey, kg, kmeta, lv_z, lv_meta, FS, ff_center,
             ff_radius2, R, rO, kO, cap_m):
    """Far field along the pixel's own ray, for pixels whose ray leaves the DEM inside the near
    field (there the sweep lines leave the DEM elsewhere). Same sampling and seam blend as the
    lines. Returns (tan(elevation) or -1e300, the angle [rad] of the last sample marched)."""
    fr = r + t_exit * m
    fc = c + t_exit
    z_exit = _bilinear(Z, fr, fc)
    xw = wt[0] + wt[1] * fc + wt[2] * fr
    yw = wt[3] + wt[4] * fc + wt[5] * fr
    theta = t_exit * ds_col / kO / R
    sn = math.sin(theta)
    cs = math.cos(theta)
    kprev = _kscale(xw, yw, kg, kmeta)
    _, step = _level_sample(xw, yw, lv_z, lv_meta)
    step = step / FS
    if step <= 0.0:
        step = lv_meta[lv_meta.shape[0] - 1, 7] / FS
    t = 0.5 * step
    t_first = t
    tprev = 0.0
    blend_m = 2.0 * step * FS
    first = True
    bn = _NEG
    bd = 1.0
    # the scale factor linear along the ray (32 far pixels; error < 1e-7), the seam blend's
    # exponential step by step
    k0 = kprev
    kslope = (_kscale(xw + ex * cap_m, yw + ey * cap_m, kg, kmeta) - k0) / cap_m
    bf = 1.0
    bstep = -1.0
    bmul = 1.0
    tb = t
    while t <= cap_m:
        if t > tb:
            dt = t - tb
            if dt != bstep:
                bstep = dt
                bmul = math.exp(-dt / blend_m)
            bf *= bmul
            tb = t
        x = xw + ex * t
        y = yw + ey * t
        dxc = x - ff_center[0]
        dyc = y - ff_center[1]
        if dxc * dxc + dyc * dyc > ff_radius2:
            break
        z, px = _level_sample(x, y, lv_z, lv_meta)
        if px <= 0.0:
            break
        if first:
            dz0 = z_exit - z
            first = False
        if t - t_first < 40.0 * blend_m:
            z += dz0 * bf
        kk = k0 + kslope * t
        d = (t - tprev) * (2.0 / R) / (kk + kprev)
        theta += d
        sn, cs = _rotate(sn, cs, d)
        kprev = kk
        tprev = t
        rr = R + z
        num = rr * cs - rO
        den = rr * sn
        if num * bd > bn * den:
            bn = num
            bd = den
        t += px / FS if t - t_first < 25.0 * px else px
    g = bn / bd if bn > _NEG else _NEG
    return g, theta


@nb.njit(cache=True, inline="always")
def _far_line(li, c, rO, S, near_cols, early, th_skip, tail_ok, skip_n, seam_n, n_lines, counts,
              c_lo, c_hi, ndem, offs, th, X, Y, hor, prev, v_start):
    """tan(elevation) of line ``li``'s hull beyond the near field, seen from the observer above
    column ``c`` (radius ``rO``), and of the smooth sphere beyond the line's last sample.

    Returns ``(has_far_field, g, v)``: ``v`` is the tangent vertex on the chain from the
    query's first sample (-1 if none); with ``v_start >= 0`` (a vertex of that same chain, the
    previous pixel's) and backward links ``prev`` the walk starts there
    (:func:`_hull_query_warm`). ``g`` is the larger of the hull's and the sphere tail's
    tan(elevation), -1e300 when neither exists. The tail counts where the line's last sample
    is where the data end along it: a line with its whole far field (its slots exceed the DEM
    part plus ``seam_n``) that has far-field samples, or (``tail_ok``, see
    :func:`_pixel_span`) a line with none. ``early`` queries start at the line's far field,
    ``skip_n`` samples into it (past the seam of a shared far field). No trigonometry: with the observer's sample at ``(Xj, Yj) = rj (sin thO, cos thO)``
    the local vertical is ``(Xj, Yj) / rj`` and the local horizontal ``(Yj, -Xj) / rj``, so a
    point ``d = (dX, dY)`` from the observer has ``tan(el) = (d . (Xj, Yj)) / (d . (Yj, -Xj))``
    (the same as ``atan2(dY, dX) + thO``). The sphere of radius ``rE`` (the last sample's) is
    tangent at ``el = -acos(rE / rO)``, i.e. ``tan(el) = -sqrt(rO^2 - rE^2) / rE``, and hides
    nothing ahead unless the tangent point lies beyond the last sample:
    ``acos(rE / rO) >= dthE`` <=> ``rE / rO <= cos(dthE) = (Xj XE + Yj YE) / (rj rE)``.
    """
    if li < 0 or li >= n_lines or counts[li] == 0 or c < c_lo[li] or c > c_hi[li]:
        return False, _NEG, -1
    o = offs[li]
    n = counts[li]
    j = (c - c_lo[li]) * S
    Xj = X[o + j]
    Yj = Y[o + j]
    rj = math.sqrt(Xj * Xj + Yj * Yj)
    q = rO / rj
    XO = Xj * q  # the observer above the line's sample
    YO = Yj * q
    s0 = j + near_cols * S + 1
    if s0 > ndem[li] or early:
        # the pixel's own ray leaves the DEM inside the near field: only far-field samples
        # beyond the stretch marched along the ray itself (angle th_skip) count
        s0 = ndem[li] + skip_n
        if th_skip > 0.0:
            th_cut = th[o + j] + th_skip
            lo = s0
            hi = n
            while lo < hi:  # first sample with th >= thO + th_skip (th increases)
                mid = (lo + hi) // 2
                if th[o + mid] < th_cut:
                    lo = mid + 1
                else:
                    hi = mid
            s0 = lo
    if s0 <= j:
        s0 = j + 1
    g = _NEG
    v = -1
    if s0 < n:
        if v_start >= 0:
            v = _hull_query_warm(X, Y, hor, prev, o, v_start, XO, YO)
        else:
            v = _hull_query(X, Y, hor, o, s0, XO, YO)
        dX = X[o + v] - XO
        dY = Y[o + v] - YO
        g = (dX * Xj + dY * Yj) / (dX * Yj - dY * Xj)
    ff = n > ndem[li]
    full = offs[li + 1] - offs[li] > ndem[li] + seam_n
    if (tail_ok and not ff) or (ff and full):
        XE = X[o + n - 1]
        YE = Y[o + n - 1]
        rE2 = XE * XE + YE * YE
        if rO * rO >= rE2 and rE2 * rj <= rO * (Xj * XE + Yj * YE):
            rE = math.sqrt(rE2)
            gt = -math.sqrt(rO * rO - rE2) / rE
            if gt > g:
                g = gt
    return ff, g, v


@nb.njit(cache=True)
def line_layout(m, Q, S, far_cap, b_anchor, out_rows, out_cols, n_minor, n_major, far_stride,
                true_edges, seam_n=0):
    """The sweep lines that bracket a tile and their sample capacities (one azimuth).

    Returns ``(b_min, c_lo, c_hi, cap, ndem, offs)``: line ``li`` has intercept
    ``b_min + li / Q``, spans columns ``c_lo[li]..c_hi[li]`` of the DEM (``ndem[li]`` samples)
    and owns ``cap[li]`` sample slots starting at ``offs[li]`` (the DEM part plus
    ``far_cap``). Shared by the CPU kernel and the GPU driver (:mod:`lupex.horizon._gpu`).

    Only every ``far_stride``-th line, the last one, and the lines that leave the view through
    a true edge of the DEM get far-field slots (``true_edges``: bit 1 = the view's last column
    is a DEM edge, bit 2 = its last row); the others stop at the window's edge (tile mode, see
    :func:`_pixel_span`), or ``seam_n`` samples into the far field (a shared far field on a
    whole DEM: the seam where the far field is pulled to the line's own last DEM sample).
    ``far_stride = 1`` gives every line its far field.
    """
    # lines needed to bracket every requested pixel
    b_lo = out_rows[0] - m * (out_cols[1] - 1)
    b_hi = (out_rows[1] - 1) - m * out_cols[0]
    # lines on a lattice anchored to the whole DEM, so that tiles agree to the last bit
    b_min = b_anchor + math.floor((b_lo - b_anchor) * Q - 1.0) / Q
    n_lines = int(math.ceil((b_hi - b_min) * Q)) + 2  # noqa: RUF046
    c_lo = np.empty(n_lines, np.int64)
    c_hi = np.empty(n_lines, np.int64)
    cap = np.zeros(n_lines, np.int64)
    ndem = np.zeros(n_lines, np.int64)
    for li in range(n_lines):
        b = b_min + li / Q
        lo, hi = _line_range(b, m, n_minor, n_major)
        if lo < out_cols[0]:
            lo = out_cols[0]
        c_lo[li] = lo
        c_hi[li] = hi
        if hi >= lo:
            ndem[li] = (hi - lo) * S + 1
            # capacity: the DEM part plus an upper bound of the far-field samples
            far = far_stride <= 1 or li % far_stride == 0 or li == n_lines - 1
            if not far:
                right = m <= 0.0 or b + m * (n_major - 1.0) <= n_minor - 1.0
                far = (true_edges & (1 if right else 2)) != 0
            cap[li] = ndem[li] + (far_cap if far else min(seam_n, far_cap))
    offs = np.zeros(n_lines + 1, np.int64)
    for li in range(n_lines):
        offs[li + 1] = offs[li] + cap[li]
    return b_min, c_lo, c_hi, cap, ndem, offs


@nb.njit(cache=True, _nrt=False)
def _line_hull(Z, b, m, c_lo, c_hi, S, FS, ds_col, wt, ex, ey, kg, kmeta, lv_z, lv_meta, foot,
               ff_center, ff_radius2, R, th, X, Y, hor, stack):
    """Sample one line into ``th, X, Y`` (its own slots) and sweep its upper hull into ``hor``
    (``hor[j, 0]`` the next hull vertex after ``j``, ``hor[j, 1]`` the ``_JUMP``-th one).

    ``stack`` is scratch of the same length (the line's own slots of a buffer, on the CPU and
    on the GPU). Returns the number of samples.
    """
    n = _line_samples(Z, b, m, c_lo, c_hi, S, FS, ds_col, wt, ex, ey, kg, kmeta, lv_z, lv_meta,
                      foot, ff_center, ff_radius2, R, True, th, X, Y)
    # upper-hull sweep from the far end
    top = -1
    for j in range(n - 1, -1, -1):
        xj = X[j]
        yj = Y[j]
        while top >= 1:
            a = stack[top]
            c = stack[top - 1]
            ax = X[a] - xj
            ay = Y[a] - yj
            cx = X[c] - xj
            cy = Y[c] - yj
            if ax * cy - ay * cx >= 0.0:
                top -= 1
            else:
                break
        hor[j, 0] = stack[top] if top >= 0 else -1
        # the stack is the hull chain from j on (hor[stack[k]] = stack[k - 1]): its
        # _JUMP-th vertex is _JUMP - 1 entries below the top
        hor[j, 1] = stack[top - _JUMP + 1] if top >= _JUMP - 1 else -1
        top += 1
        stack[top] = j
    return n


@nb.njit(cache=True, _nrt=False)
def _pixel_span(s, c_from, c_to, r_lo, r_hi, or0, oc0, Z, ZM, m, ds_col, Q, S, FS, near_cols, obs_h,
                R, wt, ex, ey, kg, kmeta, lv_z, lv_meta, ff_center, ff_radius2, ray_cap_m, b_min,
                n_lines, counts, c_lo, c_hi, ndem, offs, th, X, Y, hor, prev, parts, far_stride,
                seam_n, out):
    """Horizon elevation [deg] of the pixels of strip ``s`` (between lines ``s`` and ``s + 1``,
    at most one per column) in columns ``c_from..c_to - 1`` and rows ``r_lo..r_hi - 1``,
    written to ``out[r - or0, c - oc0]``: exact near field, then the two bracketing lines'
    hulls, the pixel's own ray where it leaves the DEM early, and the sphere tail.

    The CPU runs one call per strip (pixels in the order of the lines: consecutive pixels read
    consecutive samples of the same two lines and overlapping near-field cells), the GPU one
    per pixel (``c_to = c_from + 1``). One call per pixel with ~140 scalar arguments (16
    arrays) cost ~90 ns, plus ~200 ns of atomic reference counting before ``_nrt=False``
    (nothing here allocates).

    ``parts`` (bit mask, 7 = all) switches off the near field (bit 1), the hull queries
    (bit 2) or the pixel's own far-field ray (bit 4), for profiling only."""
    n_minor, n_major = Z.shape
    sL0 = -1
    sL1 = n_lines
    warm = prev.shape[0] == th.shape[0]  # backward links on the far lines' chains (the CPU)
    vA = -1  # the previous pixel's tangent vertex on far line LA, LB
    vB = -1
    LA = -2
    LB = -2
    if far_stride > 1 and lv_meta.shape[0] > 0:
        sL0, sL1 = _far_pair(s, far_stride, n_lines, counts, ndem, offs, seam_n)
    bs = b_min + s / Q
    for c in range(c_from, c_to):
        # the one row of strip s at column c, if any: s <= (r - m c - b_min) Q < s + 1
        r0 = int(math.ceil(bs + m * c))  # noqa: RUF046
        r = -1
        for rr in range(r0 - 1, r0 + 2):
            if (r_lo <= rr < r_hi
                    and int(math.floor((rr - m * c - b_min) * Q)) == s):  # noqa: RUF046
                r = rr
        if r < 0:
            continue
        zO = Z[r, c]
        rO = R + zO + obs_h
        xw = wt[0] + wt[1] * c + wt[2] * r
        yw = wt[3] + wt[4] * c + wt[5] * r
        kO = _kscale(xw, yw, kg, kmeta)
        # --- far field first: the two bracketing lines' hulls beyond the near field, all in
        # tan(elevation) (one atan per pixel, at the end)
        u = (r - m * c - b_min) * Q
        l0 = int(math.floor(u))  # noqa: RUF046
        f = u - l0
        t_exit = _exit_t(r, c, m, n_minor, n_major)
        early = t_exit < near_cols
        g_ray = _NEG
        th_skip = 0.0
        if early and lv_meta.shape[0] > 0 and (parts & 4) != 0:
            # the ray leaves the DEM inside the near field, where the sweep lines beside it
            # leave elsewhere: march the first ray_cap_m of far field along the ray itself,
            # take the rest from the lines' hulls
            g_ray, th_skip = _far_ray(Z, r, c, m, t_exit, ds_col, wt, ex, ey, kg, kmeta, lv_z,
                                      lv_meta, FS, ff_center, ff_radius2, R, rO, kO, ray_cap_m)
        if (parts & 2) == 0:
            l0 = -2  # profiling: no hull queries
        # the sphere beyond a line's last sample counts where that sample ends the data along the
        # pixel's ray: a line with far field, or (whole DEM, the ray not leaving it early) the
        # line's own DEM edge; a window line of a tile ends at the window, not the data
        tail_ok = (far_stride <= 1 or seam_n > 0) and not early
        ff0, g0, _ = _far_line(l0, c, rO, S, near_cols, early, th_skip, tail_ok, 0, seam_n,
                               n_lines, counts, c_lo, c_hi, ndem, offs, th, X, Y, hor, prev, -1)
        ff1, g1, _ = _far_line(l0 + 1, c, rO, S, near_cols, early, th_skip, tail_ok, 0, seam_n,
                               n_lines, counts, c_lo, c_hi, ndem, offs, th, X, Y, hor, prev, -1)
        g_far = _lerp_neg(g0, g1, f)
        if (far_stride > 1 and lv_meta.shape[0] > 0 and (parts & 2) != 0
                and not (ff0 and ff1 and _full(l0, n_lines, offs, ndem, seam_n)
                         and _full(l0 + 1, n_lines, offs, ndem, seam_n))):
            # tile mode: only every far_stride-th line (and those leaving through a true DEM edge)
            # continues beyond the window; this pixel takes the terrain there from the nearest
            # such lines on either side (>= halo pixels away, so their lateral spacing of
            # far_stride / Q pixels is a small angle), interpolated across as the DEM lines are.
            # A shared far field on a whole DEM does the same past the lines' own seams (the
            # lines <= 1/4 far-field pixel apart: see core._shared_stride)
            if l0 == s:  # always, for a pixel of strip s: found once per strip
                L0 = sL0
                L1 = sL1
            else:
                L0, L1 = _far_pair(l0, far_stride, n_lines, counts, ndem, offs, seam_n)
            # (on a whole DEM, their samples past the seam: the lines' own seams cover it)
            # the two lines are the same for the whole strip, and so is the chain a pixel that
            # does not leave the DEM early queries on each (from the far field's start past
            # the seam): on the CPU the walk starts from the previous pixel's tangent point
            wA = vA if (warm and th_skip == 0.0 and L0 == LA) else -1
            wB = vB if (warm and th_skip == 0.0 and L1 == LB) else -1
            ffA, gA, tA = _far_line(L0, c, rO, S, near_cols, True, th_skip, False, seam_n,
                                    seam_n, n_lines, counts, c_lo, c_hi, ndem, offs, th, X, Y,
                                    hor, prev, wA)
            ffB, gB, tB = _far_line(L1, c, rO, S, near_cols, True, th_skip, False, seam_n,
                                    seam_n, n_lines, counts, c_lo, c_hi, ndem, offs, th, X, Y,
                                    hor, prev, wB)
            if warm and th_skip == 0.0:
                vA, LA = tA, L0
                vB, LB = tB, L1
            if not ffA:
                gA = _NEG
            if not ffB:
                gB = _NEG
            gF = _lerp_neg(gA, gB, (u - L0) / (L1 - L0))
            if gF > g_far:
                g_far = gF
        if early and not (ff0 or ff1):
            # no far field beyond: the sphere continues from where the pixel's ray leaves
            rE = R + _bilinear(Z, r + t_exit * m, c + t_exit)
            dE = t_exit * ds_col / kO / R
            if rO >= rE and rE <= rO * math.cos(dE):
                gt = -math.sqrt(rO * rO - rE * rE) / rE
                if gt > g_far:
                    g_far = gt
        if g_ray > g_far:
            g_far = g_ray
        # --- exact near field: analytic maximum over the bilinear surface, only where it can
        # exceed the far field (columns bounded below it are skipped, see _near_field)
        g = g_far
        if (parts & 1) != 0:
            g_near = _near_field(Z, ZM, r, c, m, ds_col / kO, near_cols, obs_h, zO, R,
                                 g_far)
            if g_near > g:
                g = g_near
        if g <= _NEG:
            # nothing ahead inside the data: the smooth sphere at the pixel's own elevation
            rs = R + zO
            g = -math.sqrt(rO * rO - rs * rs) / rs
        out[r - or0, c - oc0] = np.float32(math.degrees(math.atan(g)))


@nb.njit(cache=True, inline="always")
def _full(li, n_lines, offs, ndem, seam_n):
    """Whether line ``li`` has slots for its whole far field (not only a seam, or none)."""
    return 0 <= li < n_lines and offs[li + 1] - offs[li] > ndem[li] + seam_n


@nb.njit(cache=True, inline="always")
def _far_pair(l0, far_stride, n_lines, counts, ndem, offs, seam_n):
    """The nearest lines at or below ``l0`` and at or above ``l0 + 1`` that continue through
    the whole far field and have far-field samples, within ``2 far_stride`` lines (else values
    that :func:`_far_line` reads as no line): tile mode, and a shared far field."""
    L0 = l0
    while L0 >= 0 and L0 > l0 - 2 * far_stride and not (
            L0 < n_lines and counts[L0] > ndem[L0] and _full(L0, n_lines, offs, ndem, seam_n)):
        L0 -= 1
    L1 = l0 + 1
    while L1 < n_lines and L1 < l0 + 1 + 2 * far_stride and not (
            L1 >= 0 and counts[L1] > ndem[L1] and _full(L1, n_lines, offs, ndem, seam_n)):
        L1 += 1
    return L0, L1


@nb.njit(cache=True, inline="always")
def _lerp_neg(a, b, f):
    """``(1 - f) a + f b``, or the one of ``a, b`` that is not -1e300 (no value)."""
    if a <= _NEG:
        return b
    if b <= _NEG:
        return a
    return (1.0 - f) * a + f * b


@nb.njit(parallel=True, cache=True)
def sweep_lines(Z, m, Q, S, FS, ds_col, wt, ex, ey, kg, kmeta, lv_z, lv_meta, foot, ff_center,
                ff_radius2, R, b_min, c_lo, c_hi, counts, offs, th, X, Y, hor, stack, ndem,
                seam_n, links):
    """Sample every sweep line and sweep its upper hull (all lines of one azimuth, in parallel).

    ``counts[li]`` holds line ``li``'s capacity on entry and its number of samples on return;
    ``stack`` is scratch as long as ``th``. With ``links``, a line that continues through the
    whole far field then gets, in its ``stack`` slots, the backward links of its hull chain
    from the far field's start past the seam (``ndem + seam_n``), the chain that the pixels'
    far-line queries walk (:func:`_hull_query_warm`).
    """
    for li in nb.prange(c_lo.shape[0]):
        n = counts[li]
        if n == 0:
            continue
        o = offs[li]
        b = b_min + li / Q
        counts[li] = _line_hull(Z, b, m, c_lo[li], c_hi[li], S, FS, ds_col, wt, ex, ey, kg,
                                kmeta, lv_z, lv_meta, foot, ff_center, ff_radius2, R,
                                th[o:o + n], X[o:o + n], Y[o:o + n], hor[o:o + n],
                                stack[o:o + n])
        v = ndem[li] + seam_n
        if links and counts[li] > v:
            stack[o + v] = -1
            while hor[o + v, 0] >= 0:
                w = hor[o + v, 0]
                stack[o + w] = v
                v = w


@nb.njit(parallel=True, cache=True)
def pixels_kernel(Z, ZM, m, ds_col, Q, S, FS, near_cols, obs_h, R, wt, ex, ey, kg, kmeta, lv_z,
                  lv_meta, ff_center, ff_radius2, ray_cap_m, b_min, counts, c_lo, c_hi, ndem,
                  offs, th, X, Y, hor, prev, out_rows, out_cols, parts, far_stride, seam_n, out):
    """Horizon elevation [deg] of the view pixels ``out_rows x out_cols`` from the swept lines.

    ``parts`` is a bit mask of the work done per pixel: 1 exact near field, 2 the lines'
    hulls, 4 the pixel's own far-field ray where it leaves the DEM early (7 = all; the
    profiler of ``benchmarks/horizon.py`` times 2, 6 and 7).
    """
    n_lines = c_lo.shape[0]
    for s in nb.prange(-1, n_lines + 1):
        _pixel_span(s, out_cols[0], out_cols[1], out_rows[0], out_rows[1], 0, 0, Z, ZM, m, ds_col,
                    Q, S, FS, near_cols, obs_h, R, wt, ex, ey, kg, kmeta, lv_z, lv_meta,
                    ff_center, ff_radius2, ray_cap_m, b_min, n_lines, counts, c_lo, c_hi, ndem,
                    offs, th, X, Y, hor, prev, parts, far_stride, seam_n, out)


def _scratch(scratch, ntot):
    """Line buffers (angle, X, Y, hull links, stack) of at least ``ntot`` samples."""
    if scratch is not None and scratch.get("n", -1) >= ntot:
        b = scratch["bufs"]
    else:
        n = max(ntot, int(1.25 * scratch.get("n", 0))) if scratch is not None else ntot
        b = (np.empty(n, np.float64), np.empty(n, np.float64), np.empty(n, np.float64),
             np.empty((n, 2), np.int32),  # next hull vertex, and the _JUMP-th one
             np.empty(n, np.int32))
        if scratch is not None:
            scratch["n"] = n
            scratch["bufs"] = b
    return b


def azimuth_kernel(Z, m, ds_col, Q, S, FS, near_cols, obs_h, R, wt, ex, ey, kg, kmeta,
                   lv_z, lv_meta, foot, ff_center, ff_radius, far_cap, ray_cap_m, b_anchor, out_rows,
                   out_cols, out, timings=None, far_stride=1, true_edges=3, scratch=None,
                   seam_n=0):
    """Horizon elevation [deg] of the view's pixels for one azimuth.

    Parameters
    ----------
    Z : float64 (n_minor, n_major)
        DEM view [m] oriented so the azimuth runs along +major with slope ``m`` in [0, 1].
    ds_col : float
        Grid distance [m] travelled per column step along the azimuth.
    Q : int
        Lines per row (lateral spacing 1/Q row).
    S, FS : int
        Samples per column along the lines, and per far-field pixel beyond the DEM.
    near_cols : int
        Exact near-field length [columns].
    obs_h : float
        Observer height [m].
    far_cap : int
        Upper bound of the far-field samples of one line.
    ray_cap_m : float
        Far-field stretch [m] marched along the pixel's own ray where it leaves the DEM inside
        the near field.
    b_anchor : float
        Intercept of one line of the global lattice in this view's coordinates.
    out_rows, out_cols : (lo, hi) int ranges of the view to compute (a tile), hi exclusive.
    out : float32 (n_minor, n_major)
        Written in place for the requested range [deg].
    far_stride, true_edges : int
        Tile mode (a window of a bigger DEM): only every ``far_stride``-th line continues
        beyond the window unless it leaves through a true DEM edge (``true_edges``, see
        :func:`line_layout`).
    seam_n : int
        A shared far field on a whole DEM: the lines between every ``far_stride``-th one stop
        ``seam_n`` samples into the far field, and a pixel takes the rest from the nearest
        lines that continue (``far_stride = 1``: every line continues).
    scratch : dict, optional
        Line buffers kept between calls (one per tile and thread): reused, their pages are
        touched once instead of once per azimuth.
    timings : dict, optional
        Profiling (``benchmarks/horizon.py``): when given, each phase is run separately and its
        CPU time [s] (of all threads; robust on a shared machine) added under ``lines_dem``, ``lines_far``, ``near``, ``hull``,
        ``edge_rays`` (the lines are swept twice, with and without the far field, and the
        pixels three times: results are those of the full run).

    Notes
    -----
    The per-line work (:func:`_line_hull`) and the per-pixel work (:func:`_pixel_span`) are
    the functions the GPU path (:mod:`lupex.horizon._gpu`) compiles for CUDA unchanged.
    """
    n_minor, n_major = Z.shape
    ff_radius2 = ff_radius * ff_radius
    b_min, c_lo, c_hi, counts, ndem, offs = line_layout(m, Q, S, far_cap, b_anchor, out_rows,
                                                        out_cols, n_minor, n_major, far_stride,
                                                        true_edges, seam_n)
    th, X, Y, hor, stack = _scratch(scratch, int(offs[-1]))
    if scratch is not None and scratch.get("zm_of") is Z:
        ZM = scratch["zm"]  # consecutive azimuths share a view of the DEM
    else:
        ZM = np.empty_like(Z)
        group_max(Z, ZM)
        if scratch is not None:
            scratch["zm_of"] = Z
            scratch["zm"] = ZM
    if timings is None:
        sweep_lines(Z, m, Q, S, FS, ds_col, wt, ex, ey, kg, kmeta, lv_z, lv_meta, foot,
                    ff_center, ff_radius2, R, b_min, c_lo, c_hi, counts, offs, th, X, Y, hor, stack,
                    ndem, seam_n, True)
        pixels_kernel(Z, ZM, m, ds_col, Q, S, FS, near_cols, obs_h, R, wt, ex, ey, kg, kmeta, lv_z,
                      lv_meta, ff_center, ff_radius2, ray_cap_m, b_min, counts, c_lo, c_hi, ndem,
                      offs, th, X, Y, hor, stack, out_rows, out_cols, 7, far_stride, seam_n, out)
        return
    import time

    cap = counts.copy()
    t0 = time.process_time()
    sweep_lines(Z, m, Q, S, FS, ds_col, wt, ex, ey, kg, kmeta, lv_z, lv_meta[:0], foot,
                ff_center, ff_radius2, R, b_min, c_lo, c_hi, cap, offs, th, X, Y, hor, stack,
                ndem, seam_n, True)
    t1 = time.process_time()
    sweep_lines(Z, m, Q, S, FS, ds_col, wt, ex, ey, kg, kmeta, lv_z, lv_meta, foot,
                ff_center, ff_radius2, R, b_min, c_lo, c_hi, counts, offs, th, X, Y, hor, stack,
                ndem, seam_n, True)
    t2 = time.process_time()
    px = []
    for parts in (2, 6, 7):
        t = time.process_time()
        pixels_kernel(Z, ZM, m, ds_col, Q, S, FS, near_cols, obs_h, R, wt, ex, ey, kg, kmeta, lv_z,
                      lv_meta, ff_center, ff_radius2, ray_cap_m, b_min, counts, c_lo, c_hi, ndem,
                      offs, th, X, Y, hor, stack, out_rows, out_cols, parts, far_stride, seam_n,
                      out)
        px.append(time.process_time() - t)
    for key, dt in (("lines_dem", t1 - t0), ("lines_far", (t2 - t1) - (t1 - t0)),
                    ("hull", px[0]), ("edge_rays", px[1] - px[0]), ("near", px[2] - px[1])):
        timings[key] = timings.get(key, 0.0) + max(dt, 0.0)
