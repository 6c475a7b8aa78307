"""Numba kernels for view factors and height-field ray casting (private; see viewfactors.py).

All geometry is in one Cartesian frame [m]: for a DEM, the local tangent plane at the DEM's
centre (X east-ish = grid x, Y = grid y, Z up) with the curvature drop folded into Z. The height
field ``zg`` holds Z at the pixel centres; pixel ``(r, c)`` sits at ``X = x0 + c*sx``,
``Y = y0 + r*sy`` (``sx``, ``sy`` signed spacings, so a north-up raster with decreasing y works).

The view factor between two small facets (Lambert, centre-to-centre, e.g. Modest 2013,
Radiative Heat Transfer, eq. 4.15)::

    F_ij = cos(theta_i) cos(theta_j) A_j / (pi r^2) V_ij = G_ij A_j

with ``G_ij = G_ji`` symmetric, so the kernels compute ``G`` once per unordered pair (i < j) and
the caller builds both triangles (reciprocity ``A_i F_ij = A_j F_ji`` holds by construction).
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from lupex.terrain._interp import bilinear_clamped


@nb.njit(cache=True, inline="always")
def _terrain_z(zg, r, c):
    """Bilinear height of the grid at fractional row ``r`` and column ``c`` (clamped inside)."""
    return bilinear_clamped(zg, r, c)


@nb.njit(cache=True)
def _segment_visible(zg, ra, ca, za, rb, cb, zb, step_px, skip_px):
    """True if the straight segment a->b stays above the bilinear height field.

    Samples every ``step_px`` pixels (horizontal), ignoring the first and last ``skip_px`` pixels
    next to each end (there the bilinear surface of a concave facet's own neighbourhood would
    occlude falsely; occluders thinner than that are below the DEM's resolution anyway).
    """
    dr = rb - ra
    dc = cb - ca
    length = math.sqrt(dr * dr + dc * dc)
    if length <= 2.0 * skip_px:
        return True
    n = math.ceil(length / step_px)
    for k in range(1, n):
        t = k / n
        s = t * length
        if s < skip_px or length - s < skip_px:
            continue
        z = za + t * (zb - za)
        if z < _terrain_z(zg, ra + t * dr, ca + t * dc):
            return False
    return True


@nb.njit(cache=True, inline="always")
def _pair_g(pos, nrm, i, j, max_d2):
    """Symmetric kernel G_ij = cos_i cos_j / (pi r^2) (0 if facing away or beyond max distance)."""
    dx = pos[j, 0] - pos[i, 0]
    dy = pos[j, 1] - pos[i, 1]
    dz = pos[j, 2] - pos[i, 2]
    d2 = dx * dx + dy * dy + dz * dz
    if d2 <= 0.0 or d2 > max_d2:
        return 0.0
    ci = nrm[i, 0] * dx + nrm[i, 1] * dy + nrm[i, 2] * dz
    if ci <= 0.0:
        return 0.0
    cj = -(nrm[j, 0] * dx + nrm[j, 1] * dy + nrm[j, 2] * dz)
    if cj <= 0.0:
        return 0.0
    return ci * cj / (math.pi * d2 * d2)


# ---- grid facets: neighbours enumerated in a pixel window, upper triangle (j > i) only ----

@nb.njit(cache=True, parallel=True)
def grid_count(index, rows, cols, pos, nrm, win, max_d2):
    """Per facet, the number of partners j > i that face each other within max distance.

    ``win[i] = (row_end, col_start, col_end)``: facet i's partners lie in rows
    ``[rows[i], row_end)`` and columns ``[col_start, col_end)`` (a window that must be a
    symmetric relation, so each pair is enumerated once, from its lower index).
    """
    n = pos.shape[0]
    counts = np.zeros(n, dtype=np.int64)
    for i in nb.prange(n):
        r = rows[i]
        c = cols[i]
        k = 0
        for r2 in range(r, win[i, 0]):
            c_lo = c + 1 if r2 == r else win[i, 1]
            for c2 in range(c_lo, win[i, 2]):
                j = index[r2, c2]
                if j > i and _pair_g(pos, nrm, i, j, max_d2) > 0.0:
                    k += 1
        counts[i] = k
    return counts


@nb.njit(cache=True, parallel=True)
def grid_fill(index, rows, cols, pos, nrm, win, max_d2, zg, fr, fc, visibility,
              step_px, skip_px, indptr, out_j, out_g):
    """Fill the upper-triangle CSR slots counted by :func:`grid_count` (blocked pairs get 0)."""
    n = pos.shape[0]
    for i in nb.prange(n):
        r = rows[i]
        c = cols[i]
        k = indptr[i]
        for r2 in range(r, win[i, 0]):
            c_lo = c + 1 if r2 == r else win[i, 1]
            for c2 in range(c_lo, win[i, 2]):
                j = index[r2, c2]
                if j <= i:
                    continue
                g = _pair_g(pos, nrm, i, j, max_d2)
                if g <= 0.0:
                    continue
                if visibility and not _segment_visible(zg, fr[i], fc[i], pos[i, 2],
                                                       fr[j], fc[j], pos[j, 2],
                                                       step_px, skip_px):
                    g = 0.0
                out_j[k] = j
                out_g[k] = g
                k += 1


# ---- far field: facet i to aggregated blocks J of a block pyramid (hierarchical operator) ----

@nb.njit(cache=True, inline="always")
def _far_g(pos, nrm, i, bpos, bvec, J):
    """F_iJ = cos_i (-V_J . d_hat) / (pi r^2): facet i to a block with vector area V_J."""
    dx = bpos[J, 0] - pos[i, 0]
    dy = bpos[J, 1] - pos[i, 1]
    dz = bpos[J, 2] - pos[i, 2]
    d2 = dx * dx + dy * dy + dz * dz
    if d2 <= 0.0:
        return 0.0
    ci = nrm[i, 0] * dx + nrm[i, 1] * dy + nrm[i, 2] * dz
    if ci <= 0.0:
        return 0.0
    pj = -(bvec[J, 0] * dx + bvec[J, 1] * dy + bvec[J, 2] * dz)
    if pj <= 0.0:
        return 0.0
    return ci * pj / (math.pi * d2 * d2)


@nb.njit(cache=True, inline="always")
def _level_range(r, c, lev, k_near, sizes, nyl, nxl):
    """Block rows/columns of level ``lev`` that may be in the interaction list of the facet at
    pixel (r, c): the children of the blocks within ``k_near`` of its parent (all blocks at the
    top level)."""
    if lev == sizes.shape[0] - 1:
        return 0, nyl[lev], 0, nxl[lev]
    s2 = 2 * sizes[lev]
    return (max(0, 2 * (r // s2 - k_near)), min(nyl[lev], 2 * (r // s2 + k_near + 1)),
            max(0, 2 * (c // s2 - k_near)), min(nxl[lev], 2 * (c // s2 + k_near + 1)))


@nb.njit(cache=True, inline="always")
def _far_block(r, c, lev, br, bc, k_near, sizes, nxl, offs, lvl_index):
    """Global id of block (br, bc) of level ``lev`` unless it lies within ``k_near`` blocks of
    the facet's own block (then it is covered at a finer level or exactly): -1. Empty: -1."""
    s = sizes[lev]
    if max(abs(br - r // s), abs(bc - c // s)) <= k_near:
        return -1
    return lvl_index[offs[lev] + br * nxl[lev] + bc]


@nb.njit(cache=True, parallel=True)
def tree_count(pos, nrm, rows, cols, k_near, sizes, nyl, nxl, offs, lvl_index, bpos, bvec):
    """Per facet, the number of far blocks it faces (interaction lists of the block pyramid)."""
    n = pos.shape[0]
    counts = np.zeros(n, dtype=np.int64)
    for i in nb.prange(n):
        k = 0
        for lev in range(sizes.shape[0]):
            r_lo, r_hi, c_lo, c_hi = _level_range(rows[i], cols[i], lev, k_near, sizes, nyl, nxl)
            for br in range(r_lo, r_hi):
                for bc in range(c_lo, c_hi):
                    J = _far_block(rows[i], cols[i], lev, br, bc, k_near, sizes, nxl, offs,
                                   lvl_index)
                    if J >= 0 and _far_g(pos, nrm, i, bpos, bvec, J) > 0.0:
                        k += 1
        counts[i] = k
    return counts


@nb.njit(cache=True, parallel=True)
def tree_fill(pos, nrm, rows, cols, k_near, sizes, nyl, nxl, offs, lvl_index, bpos, bvec,
              zg, fr, fc, bfr, bfc, bzv, visibility, step_px, skip_px, indptr, out_j, out_g):
    """Fill three weights per (facet, far block): flux from J = w . M_J with the moment
    M_J = sum_j A_j n_j B_j and w = cos_i (-d_hat) / (pi r^2) V (one visibility march)."""
    n = pos.shape[0]
    for i in nb.prange(n):
        k = indptr[i]
        for lev in range(sizes.shape[0]):
            r_lo, r_hi, c_lo, c_hi = _level_range(rows[i], cols[i], lev, k_near, sizes, nyl, nxl)
            for br in range(r_lo, r_hi):
                for bc in range(c_lo, c_hi):
                    J = _far_block(rows[i], cols[i], lev, br, bc, k_near, sizes, nxl, offs,
                                   lvl_index)
                    if J < 0 or _far_g(pos, nrm, i, bpos, bvec, J) <= 0.0:
                        continue
                    vis = 1.0
                    if visibility and not _segment_visible(zg, fr[i], fc[i], pos[i, 2], bfr[J],
                                                           bfc[J], bzv[J], step_px, skip_px):
                        vis = 0.0
                    dx = bpos[J, 0] - pos[i, 0]
                    dy = bpos[J, 1] - pos[i, 1]
                    dz = bpos[J, 2] - pos[i, 2]
                    d2 = dx * dx + dy * dy + dz * dz
                    w = vis * (nrm[i, 0] * dx + nrm[i, 1] * dy + nrm[i, 2] * dz) / (math.pi * d2 * d2)
                    out_j[k] = 3 * J
                    out_g[k] = -w * dx
                    out_j[k + 1] = 3 * J + 1
                    out_g[k + 1] = -w * dy
                    out_j[k + 2] = 3 * J + 2
                    out_g[k + 2] = -w * dz
                    k += 3


# ---- free facets (no height field): all pairs, no visibility ----

@nb.njit(cache=True, parallel=True)
def pairs_count(pos, nrm, max_d2):
    n = pos.shape[0]
    counts = np.zeros(n, dtype=np.int64)
    for i in nb.prange(n):
        k = 0
        for j in range(i + 1, n):
            if _pair_g(pos, nrm, i, j, max_d2) > 0.0:
                k += 1
        counts[i] = k
    return counts


@nb.njit(cache=True, parallel=True)
def pairs_fill(pos, nrm, max_d2, indptr, out_j, out_g):
    n = pos.shape[0]
    for i in nb.prange(n):
        k = indptr[i]
        for j in range(i + 1, n):
            g = _pair_g(pos, nrm, i, j, max_d2)
            if g > 0.0:
                out_j[k] = j
                out_g[k] = g
                k += 1


# ---- direct sunlight: one ray per facet toward a point Sun ----

@nb.njit(cache=True, parallel=True)
def sun_lit(pos, nrm, fr, fc, zg, sun, pixel_m, sx_sign_c, sy_sign_r, step_px, skip_px):
    """Per facet: max(n.s, 0) if the ray toward unit vector ``sun`` clears the height field.

    ``sx_sign_c`` / ``sy_sign_r`` convert a metre step in X / Y to a column / row step
    (1/sx, 1/sy). The ray is marched until it leaves the grid or rises above the highest point.
    """
    n = pos.shape[0]
    ny, nx = zg.shape
    zmax = zg.max()
    out = np.zeros(n)
    horiz = math.sqrt(sun[0] * sun[0] + sun[1] * sun[1])
    for i in nb.prange(n):
        cosi = nrm[i, 0] * sun[0] + nrm[i, 1] * sun[1] + nrm[i, 2] * sun[2]
        if cosi <= 0.0:
            continue
        if horiz < 1e-12:
            out[i] = cosi
            continue
        dt = step_px * pixel_m / horiz  # metres along the ray per step
        lit = True
        k = 1
        while True:
            t = k * dt
            k += 1
            z = pos[i, 2] + t * sun[2]
            if z > zmax:
                break
            r = fr[i] + t * sun[1] * sy_sign_r
            c = fc[i] + t * sun[0] * sx_sign_c
            if r < 0.0 or c < 0.0 or r > ny - 1.0 or c > nx - 1.0:
                break
            if t * horiz < skip_px * pixel_m:
                continue
            if z < _terrain_z(zg, r, c):
                lit = False
                break
        if lit:
            out[i] = cosi
    return out


# ---- direct sunlight on a triangle mesh: brute-force Moller-Trumbore ray casting ----

@nb.njit(cache=True, inline="always")
def _ray_hits_triangle(o, d, v0, v1, v2, t_min):
    """Moller & Trumbore (1997) ray-triangle test: hit at distance t > t_min along unit d."""
    e1x, e1y, e1z = v1[0] - v0[0], v1[1] - v0[1], v1[2] - v0[2]
    e2x, e2y, e2z = v2[0] - v0[0], v2[1] - v0[1], v2[2] - v0[2]
    px = d[1] * e2z - d[2] * e2y
    py = d[2] * e2x - d[0] * e2z
    pz = d[0] * e2y - d[1] * e2x
    det = e1x * px + e1y * py + e1z * pz
    if abs(det) < 1e-300:
        return False
    inv = 1.0 / det
    tx, ty, tz = o[0] - v0[0], o[1] - v0[1], o[2] - v0[2]
    u = (tx * px + ty * py + tz * pz) * inv
    if u < 0.0 or u > 1.0:
        return False
    qx = ty * e1z - tz * e1y
    qy = tz * e1x - tx * e1z
    qz = tx * e1y - ty * e1x
    v = (d[0] * qx + d[1] * qy + d[2] * qz) * inv
    if v < 0.0 or u + v > 1.0:
        return False
    t = (e2x * qx + e2y * qy + e2z * qz) * inv
    return t > t_min


@nb.njit(cache=True, parallel=True)
def mesh_sun_lit(vertices, triangles, nrm, sun, bary):
    """Per triangle: max(n.s, 0) times the fraction of sample points (barycentric ``bary``)
    whose ray toward ``sun`` hits no other triangle."""
    nt = triangles.shape[0]
    ns = bary.shape[0]
    out = np.zeros(nt)
    for i in nb.prange(nt):
        cosi = nrm[i, 0] * sun[0] + nrm[i, 1] * sun[1] + nrm[i, 2] * sun[2]
        if cosi <= 0.0:
            continue
        a = vertices[triangles[i, 0]]
        b = vertices[triangles[i, 1]]
        c = vertices[triangles[i, 2]]
        scale = math.sqrt((b[0] - a[0]) ** 2 + (b[1] - a[1]) ** 2 + (b[2] - a[2]) ** 2)
        lit = 0
        for s in range(ns):
            p = np.empty(3)
            for k in range(3):
                p[k] = bary[s, 0] * a[k] + bary[s, 1] * b[k] + bary[s, 2] * c[k]
            blocked = False
            for j in range(nt):
                if j == i:
                    continue
                if _ray_hits_triangle(p, sun, vertices[triangles[j, 0]],
                                      vertices[triangles[j, 1]], vertices[triangles[j, 2]],
                                      1e-9 * scale):
                    blocked = True
                    break
            if not blocked:
                lit += 1
        out[i] = cosi * lit / ns
    return out
