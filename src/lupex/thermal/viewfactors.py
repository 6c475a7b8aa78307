"""View factors between terrain facets, with visibility, as a sparse matrix.

A DEM becomes one planar facet per pixel (:func:`facets_from_dem`); the view factor from facet
``i`` to facet ``j`` is the centre-to-centre Lambert form

    F_ij = cos(theta_i) cos(theta_j) A_j / (pi r_ij^2) * V_ij

with ``V_ij`` = 1 when the segment between the two centres clears the DEM (ray march in the
height field, bilinear terrain, half-pixel steps). ``F`` is returned as a ``scipy.sparse`` CSR
matrix; row ``i`` sums to the fraction of facet ``i``'s hemisphere filled by terrain, and
``1 - F.sum(axis=1)`` is its sky view factor (:func:`sky_view_factor`).

Geometry: positions are in the local tangent plane at the DEM's centre, with the lunar
curvature drop ``-(X^2 + Y^2) / (2 R)`` added to the height (R = 1737.4 km; the next term,
``r^4 / (8 R^3)``, is 0.15 m at 50 km from the centre). Grid distances are used as ground
distances: the polar stereographic scale factor varies by < 0.2 % across any DEM poleward of
85 deg, and ``F`` is unchanged by a uniform scale.

Cost and truncation: the pair loop is O(N^2) without a cut-off. ``max_distance_m`` limits the
partners to a pixel window (O(N w^2)); ``min_factor`` drops pairs whose larger view factor is
below it. Both drop energy that the sky view factor then over-counts; :func:`truncation_loss`
measures it against an untruncated matrix (numbers in docs/radiosity.md).

References
----------
.. [1] Modest, M. F. (2013). Radiative Heat Transfer, 3rd ed., Academic Press, ch. 4
   (view factors between differential areas, reciprocity).
.. [2] Ingersoll, A. P., Svitek, T. and Murray, B. C. (1992). Stability of polar frosts in
   spherical bowl-shaped craters on the Moon, Mercury and Mars. Icarus 100, 40-47.
.. [3] Potter, N. et al. (2022). "python-flux": compressed form factor matrices for
   illumination and thermal modelling of airless bodies (hierarchical alternative, not used).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import xarray as xr

from lupex.constants import MOON_RADIUS_M
from lupex.errors import DemError, ParameterError, check_range
from lupex.io.maps import make_map
from lupex.thermal import _vf_kernels as K

__all__ = [
    "Facets",
    "HierarchicalViewFactors",
    "direct_flux_point_sun",
    "facets_from_dem",
    "facets_from_mesh",
    "sky_view_factor",
    "sun_vector",
    "truncation_loss",
    "view_factor_matrix",
    "view_factor_operator",
]

_STEP_PX = 0.5  # ray-march step along a segment [pixels]
_SKIP_PX = 1.0  # samples within this many pixels of either end are not tested
# barycentric sample points per triangle for mesh shadows: centroid + 3 inner points
_MESH_SAMPLES = np.array([[1 / 3, 1 / 3, 1 / 3], [2 / 3, 1 / 6, 1 / 6],
                          [1 / 6, 2 / 3, 1 / 6], [1 / 6, 1 / 6, 2 / 3]])


@dataclass(frozen=True)
class _HeightField:
    z_m: np.ndarray  # (ny, nx) height in the facet frame (curvature drop included)
    x0: float
    y0: float
    sx: float  # signed pixel spacing along columns [m]
    sy: float  # signed pixel spacing along rows [m]
    index: np.ndarray  # (ny, nx) facet id or -1
    rows: np.ndarray  # (n,) pixel row of each facet
    cols: np.ndarray  # (n,) pixel column of each facet
    template: xr.DataArray | None  # the DEM, for wrapping facet values as maps


@dataclass(frozen=True)
class Facets:
    """Planar facets: centres, unit normals and areas in one Cartesian frame.

    Attributes
    ----------
    position_m : ndarray, shape (n, 3)
        Facet centres [m].
    normal : ndarray, shape (n, 3)
        Outward (upward) unit normals.
    area_m2 : ndarray, shape (n,)
        Facet areas [m2].
    grid : optional
        The height field the facets came from (needed for visibility and ray casting).
    mesh : (vertices (m, 3), triangles (n, 3)), optional
        The triangle mesh the facets came from (for ray casting the Sun onto it).
    """

    position_m: np.ndarray
    normal: np.ndarray
    area_m2: np.ndarray
    grid: _HeightField | None = None
    mesh: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def n(self) -> int:
        return int(self.area_m2.shape[0])

    def to_map(self, values: np.ndarray, *, name: str, units: str, long_name: str,
               **attrs) -> xr.DataArray:
        """Wrap per-facet ``values`` (n,) as a (y, x) map of the source DEM (NaN off the mask)."""
        if self.grid is None or self.grid.template is None:
            raise ParameterError("Facets.to_map: these facets were not made from a DEM "
                                 "(use facets_from_dem).")
        v = np.asarray(values, dtype=float)
        if v.shape != (self.n,):
            raise ParameterError(f"Facets.to_map: values have shape {v.shape}, expected ({self.n},).")
        out = np.full(self.grid.index.shape, np.nan)
        out[self.grid.rows, self.grid.cols] = v
        tpl = self.grid.template
        crs = tpl.rio.crs if hasattr(tpl, "rio") else None
        return make_map(out, x=tpl["x"].values, y=tpl["y"].values, crs=crs, name=name,
                        units=units, long_name=long_name, **attrs)


def facets_from_dem(dem: xr.DataArray, *, mask: np.ndarray | xr.DataArray | None = None,
                    body_radius_m: float | None = MOON_RADIUS_M) -> Facets:
    """One planar facet per DEM pixel, in the local tangent plane with curvature drop.

    Parameters
    ----------
    dem : DataArray (y, x)
        Heights [m] on a regular grid, coordinates [m] (the lupex map contract).
    mask : bool array (y, x), optional
        Pixels that become facets (default: all). The whole DEM still occludes.
    body_radius_m : float or None
        Radius for the curvature drop [m]; ``None`` for a flat frame (local test geometries).

    Returns
    -------
    Facets
        Centres at the pixel centres, normals from central differences of the height field
        (one-sided at the edges), areas ``|dx dy| / n_z`` (the tilted facet over the pixel).
    """
    if not isinstance(dem, xr.DataArray) or dem.dims != ("y", "x"):
        raise DemError("facets_from_dem: the DEM must be an xarray.DataArray with dims (y, x) "
                       "(read it with lupex.terrain.read_dem).")
    z = np.asarray(dem.values, dtype=float)
    if z.shape[0] < 2 or z.shape[1] < 2:
        raise DemError(f"facets_from_dem: the DEM is {z.shape[0]} x {z.shape[1]} pixels; "
                       "at least 2 x 2 are needed.")
    if not np.all(np.isfinite(z)):
        raise DemError(f"facets_from_dem: the DEM has {int((~np.isfinite(z)).sum())} NaN/inf "
                       "pixels; fill them first (lupex.terrain.read_dem fills small holes).")
    x = np.asarray(dem["x"].values, dtype=float)
    y = np.asarray(dem["y"].values, dtype=float)
    sx, sy = float(x[1] - x[0]), float(y[1] - y[0])
    if sx == 0 or sy == 0 or not (np.allclose(np.diff(x), sx) and np.allclose(np.diff(y), sy)):
        raise DemError("facets_from_dem: the DEM's x/y coordinates are not a regular grid.")
    xl = x - 0.5 * (x[0] + x[-1])
    yl = y - 0.5 * (y[0] + y[-1])
    xx, yy = np.meshgrid(xl, yl)
    if body_radius_m is not None:
        z = z - (xx**2 + yy**2) / (2.0 * float(body_radius_m))
    dz_dy, dz_dx = np.gradient(z, yl, xl)
    nz = 1.0 / np.sqrt(1.0 + dz_dx**2 + dz_dy**2)
    normal = np.stack([-dz_dx * nz, -dz_dy * nz, nz], axis=-1)
    area = abs(sx * sy) / nz

    if mask is None:
        m = np.ones(z.shape, dtype=bool)
    else:
        m = np.asarray(mask.values if isinstance(mask, xr.DataArray) else mask, dtype=bool)
        if m.shape != z.shape:
            raise ParameterError(f"facets_from_dem: mask shape {m.shape} != DEM shape {z.shape}.")
    rows, cols = np.nonzero(m)
    index = np.full(z.shape, -1, dtype=np.int64)
    index[rows, cols] = np.arange(rows.size)
    pos = np.stack([xx[rows, cols], yy[rows, cols], z[rows, cols]], axis=-1)
    grid = _HeightField(z_m=np.ascontiguousarray(z), x0=float(xl[0]), y0=float(yl[0]), sx=sx,
                        sy=sy, index=index, rows=rows.astype(np.int64),
                        cols=cols.astype(np.int64), template=dem)
    return Facets(position_m=np.ascontiguousarray(pos),
                  normal=np.ascontiguousarray(normal[rows, cols]),
                  area_m2=np.ascontiguousarray(area[rows, cols]), grid=grid)


def facets_from_mesh(vertices_m: np.ndarray, triangles: np.ndarray) -> Facets:
    """Facets of a triangle mesh: centroids, unit normals, areas.

    Parameters
    ----------
    vertices_m : array (m, 3)
        Vertex positions [m].
    triangles : int array (n, 3)
        Vertex indices of each triangle, counter-clockwise seen from the side the normal
        points to (the open side: up, out of the terrain).
    """
    v = np.ascontiguousarray(vertices_m, dtype=float)
    t = np.ascontiguousarray(triangles, dtype=np.int64)
    if v.ndim != 2 or v.shape[1] != 3 or t.ndim != 2 or t.shape[1] != 3:
        raise ParameterError(f"facets_from_mesh: vertices must be (m, 3) and triangles (n, 3); "
                             f"got {v.shape} and {t.shape}.")
    if t.size and (t.min() < 0 or t.max() >= v.shape[0]):
        raise ParameterError("facets_from_mesh: a triangle refers to a vertex that does not exist.")
    a, b, c = v[t[:, 0]], v[t[:, 1]], v[t[:, 2]]
    cross = np.cross(b - a, c - a)
    norm = np.linalg.norm(cross, axis=1)
    if np.any(norm <= 0):
        raise ParameterError(f"facets_from_mesh: {int((norm <= 0).sum())} degenerate triangles "
                             "(zero area).")
    return Facets(position_m=(a + b + c) / 3.0, normal=cross / norm[:, None],
                  area_m2=0.5 * norm, mesh=(v, t))


def _as_facets(source, *, mask, body_radius_m) -> Facets:
    if isinstance(source, Facets):
        return source
    if isinstance(source, xr.DataArray):
        return facets_from_dem(source, mask=mask, body_radius_m=body_radius_m)
    if isinstance(source, tuple) and len(source) == 3:
        pos, nrm, area = (np.asarray(a, dtype=float) for a in source)
        n = area.shape[0] if area.ndim == 1 else -1
        if pos.shape != (n, 3) or nrm.shape != (n, 3):
            raise ParameterError("view_factor_matrix: (xyz, normals, areas) must have shapes "
                                 f"(n, 3), (n, 3), (n,); got {pos.shape}, {nrm.shape}, {area.shape}.")
        norm = np.linalg.norm(nrm, axis=1)
        if np.any(norm <= 0) or np.any(area <= 0) or not np.all(np.isfinite(pos)):
            raise ParameterError("view_factor_matrix: normals must be non-zero, areas positive "
                                 "and positions finite.")
        return Facets(np.ascontiguousarray(pos), np.ascontiguousarray(nrm / norm[:, None]),
                      np.ascontiguousarray(area))
    raise ParameterError("view_factor_matrix: pass a DEM DataArray (y, x), a Facets object, or "
                         "a tuple (xyz (n,3), normals (n,3), areas (n,)).")


def _fractional_rc(f: Facets) -> tuple[np.ndarray, np.ndarray]:
    g = f.grid
    return ((f.position_m[:, 1] - g.y0) / g.sy, (f.position_m[:, 0] - g.x0) / g.sx)


def view_factor_matrix(source, *, max_distance_m: float | None = None, visibility: bool = True,
                       min_factor: float = 0.0, mask: np.ndarray | None = None,
                       body_radius_m: float | None = MOON_RADIUS_M) -> sp.csr_matrix:
    """Sparse view-factor matrix ``F`` (n, n) between terrain facets.

    Parameters
    ----------
    source : DataArray (y, x) or Facets or tuple (xyz (n,3), normals (n,3), areas (n,))
        A DEM [m] (one facet per pixel, see :func:`facets_from_dem`), prepared facets, or free
        facets [m, 1, m2]. Free facets carry no height field, so they need ``visibility=False``.
    max_distance_m : float, optional
        Ignore pairs farther apart than this [m] (cut-off; default none = all pairs).
    visibility : bool
        Test each pair's line of sight against the DEM (default True).
    min_factor : float
        Drop a pair when both ``F_ij`` and ``F_ji`` are below this [1] (keeps reciprocity).
    mask : bool (y, x), optional
        DEM pixels that become facets (only for a DEM source).
    body_radius_m : float or None
        Curvature radius for a DEM source [m]; ``None`` = flat frame.

    Returns
    -------
    scipy.sparse.csr_matrix, float64
        ``F[i, j]`` = fraction of the radiation leaving facet i (Lambertian) that reaches j;
        equivalently ``(F @ B)[i]`` is the flux [W m-2] arriving at i from radiosities ``B``.
        ``A_i F_ij = A_j F_ji`` exactly; row sums <= 1 up to discretisation.
    """
    f = _as_facets(source, mask=mask, body_radius_m=body_radius_m)
    if max_distance_m is not None and not (np.isfinite(max_distance_m) and max_distance_m > 0):
        raise ParameterError(f"max_distance_m = {max_distance_m!r} must be a positive number of "
                             "metres (or None for no cut-off).")
    if not (np.isfinite(min_factor) and min_factor >= 0):
        raise ParameterError(f"min_factor = {min_factor!r} must be >= 0.")
    max_d2 = np.inf if max_distance_m is None else float(max_distance_m) ** 2
    n = f.n
    if f.grid is not None:
        g = f.grid
        ny, nx = g.index.shape
        if max_distance_m is None:
            wr, wc = ny, nx
        else:
            wr = min(ny, int(np.ceil(max_distance_m / abs(g.sy))) + 1)
            wc = min(nx, int(np.ceil(max_distance_m / abs(g.sx))) + 1)
        win = np.stack([np.minimum(ny, g.rows + wr + 1), np.maximum(0, g.cols - wc),
                        np.minimum(nx, g.cols + wc + 1)], axis=1)
        indptr, out_j, out_g = _grid_pairs(f, win, max_d2, visibility)
    else:
        if visibility:
            raise ParameterError("view_factor_matrix: free facets (xyz, normals, areas) and mesh "
                                 "facets carry no height field to test visibility against; pass "
                                 "the DEM, or visibility=False for an unobstructed geometry "
                                 "(e.g. a bowl, where every pair sees each other).")
        counts = K.pairs_count(f.position_m, f.normal, max_d2)
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        out_j = np.empty(indptr[-1], dtype=np.int64)
        out_g = np.empty(indptr[-1], dtype=np.float64)
        K.pairs_fill(f.position_m, f.normal, max_d2, indptr, out_j, out_g)

    upper = sp.csr_matrix((out_g, out_j, indptr), shape=(n, n))
    if min_factor > 0:
        # drop the pair when even the larger of F_ij = G A_j and F_ji = G A_i is below min_factor
        coo = upper.tocoo()
        big = coo.data * np.maximum(f.area_m2[coo.row], f.area_m2[coo.col]) >= min_factor
        upper = sp.csr_matrix((coo.data[big], (coo.row[big], coo.col[big])), shape=(n, n))
    upper.eliminate_zeros()
    g_sym = (upper + upper.T).tocsr()
    F = g_sym @ sp.diags(f.area_m2)
    F = sp.csr_matrix(F)
    F.sort_indices()
    return F


def _grid_pairs(f: Facets, win: np.ndarray, max_d2: float, visibility: bool):
    """Upper-triangle CSR arrays (indptr, j, G) of the pairs in each facet's window."""
    g = f.grid
    win = np.ascontiguousarray(win, dtype=np.int64)
    counts = K.grid_count(g.index, g.rows, g.cols, f.position_m, f.normal, win, max_d2)
    indptr = np.zeros(f.n + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    out_j = np.empty(indptr[-1], dtype=np.int64)
    out_g = np.empty(indptr[-1], dtype=np.float64)
    fr, fc = _fractional_rc(f)
    K.grid_fill(g.index, g.rows, g.cols, f.position_m, f.normal, win, max_d2, g.z_m, fr, fc,
                bool(visibility), _STEP_PX, _SKIP_PX, indptr, out_j, out_g)
    return indptr, out_j, out_g


class HierarchicalViewFactors:
    """View factors as near pairs plus a hierarchically aggregated far field: ``F ~ N + C R``.

    Blocks form a pyramid (``block_px * 2^l`` pixels at level l). ``N`` (n, n) holds the exact
    facet pairs whose level-0 blocks are within ``near_blocks`` of each other; each farther
    facet is reached through exactly one block, the largest one that is still more than
    ``near_blocks`` blocks away at its own level (the interaction lists of the fast multipole
    method), so a block is always at least ``near_blocks`` of its own sizes away. A far block J is seen from facet
    i along one direction ``d_hat`` (to the block's area-weighted centre, lifted onto the
    terrain) at one distance r, with one visibility test, so the flux it sends is
    ``cos_i / (pi r^2) (-d_hat) . M_J`` with the radiosity moment ``M_J = sum_j A_j n_j B_j``:
    ``R`` (3 nb, n) forms the moments, ``C`` (n, 3 nb) the geometric weights. Only the geometry
    is aggregated, not the radiosity, so a block whose sunlit facets face the receiver sends
    what they send. Behaves like a matrix for the radiosity solvers (``@``, ``shape``,
    ``sum(axis=1)``). Build it with :func:`view_factor_operator`.
    """

    def __init__(self, near: sp.csr_matrix, far: sp.csr_matrix, restrict: sp.csr_matrix,
                 *, block_px: int, near_blocks: int, levels: int) -> None:
        self.near, self.far, self.restrict = near, far, restrict
        self.block_px, self.near_blocks, self.levels = int(block_px), int(near_blocks), int(levels)
        self.shape = near.shape
        self.ndim = 2

    def __matmul__(self, x):
        # Radiosities are >= 0, so is the flux they send. A far block's aggregated moment can
        # point slightly away from the receiver (facets facing it and away from it summed), so
        # a total below 0 is clipped to 0 (-2e-3 W m-2 seen on a rough 62^2 terrain).
        return np.maximum(self.near @ x + self.far @ (self.restrict @ x), 0.0)

    def sum(self, axis=None):
        if axis not in (1, -1):
            raise ParameterError("HierarchicalViewFactors.sum supports axis=1 (row sums) only.")
        ones = np.ones(self.shape[1])
        return (self @ ones)[:, None]

    @property
    def nnz(self) -> int:
        """Stored entries (near + far + restriction)."""
        return int(self.near.nnz + self.far.nnz + self.restrict.nnz)

    @property
    def nbytes(self) -> int:
        return int(sum(m.data.nbytes + m.indices.nbytes + m.indptr.nbytes
                       for m in (self.near, self.far, self.restrict)))

    def toarray(self) -> np.ndarray:
        """Dense (n, n) equivalent (small problems and tests only)."""
        return self.near.toarray() + (self.far @ self.restrict).toarray()


def view_factor_operator(source, *, block_px: int = 4, near_blocks: int = 2,
                         visibility: bool = True, mask: np.ndarray | None = None,
                         body_radius_m: float | None = MOON_RADIUS_M) -> HierarchicalViewFactors:
    """Hierarchical view factors for regions too large for all facet pairs.

    Facet pairs whose ``block_px`` x ``block_px`` pixel blocks are within ``near_blocks``
    blocks of each other (Chebyshev distance) are exact, as in :func:`view_factor_matrix`;
    farther facets are reached through blocks of a pyramid that double in size with distance,
    each at least ``near_blocks`` of its own sizes away, as one aggregate partner (one
    direction, distance and visibility march; see :class:`HierarchicalViewFactors`). Storage
    ~ ``n ((2k+1)^2 b^2 / 2 + 27 (2k+1)^2 L)`` for L levels instead of ``n^2``: O(n log n).
    Nothing is dropped, so the far, sunlit walls that heat a shadowed floor stay in (contrast
    with ``max_distance_m`` / ``min_factor``); accuracy and cost in docs/thermal.md.

    Parameters
    ----------
    source : DataArray (y, x) or Facets from a DEM
        The terrain [m].
    block_px : int
        Edge of the finest blocks in pixels (>= 1).
    near_blocks : int
        k: the admissibility distance in blocks (>= 1); larger is more accurate and costlier.
    visibility, mask, body_radius_m
        As in :func:`view_factor_matrix`.
    """
    from scipy.ndimage import map_coordinates

    f = _as_facets(source, mask=mask, body_radius_m=body_radius_m)
    if f.grid is None:
        raise ParameterError("view_factor_operator needs DEM facets (a DataArray or "
                             "facets_from_dem); use view_factor_matrix for free facets.")
    b = int(check_range("block_px", block_px, 1, None))
    k = int(check_range("near_blocks", near_blocks, 1, None))
    g = f.grid
    ny, nx = g.index.shape
    brow, bcol = g.rows // b, g.cols // b
    win = np.stack([np.minimum(ny, (brow + k + 1) * b), np.maximum(0, (bcol - k) * b),
                    np.minimum(nx, (bcol + k + 1) * b)], axis=1)
    indptr, out_j, out_g = _grid_pairs(f, win, np.inf, visibility)
    n = f.n
    upper = sp.csr_matrix((out_g, out_j, indptr), shape=(n, n))
    upper.eliminate_zeros()
    near = sp.csr_matrix((upper + upper.T) @ sp.diags(f.area_m2))

    # block pyramid: level l has blocks of b 2^l pixels; the top level is at most 2k + 2 across
    sizes = [b]
    while max(-(-ny // sizes[-1]), -(-nx // sizes[-1])) > 2 * k + 2:
        sizes.append(2 * sizes[-1])
    area, pos, nrm = f.area_m2, f.position_m, f.normal
    cens, vecs, nyl, nxl, offs, lvl_index, jof_all = [], [], [], [], [], [], []
    n_blk = 0
    for s_l in sizes:
        ny_l, nx_l = -(-ny // s_l), -(-nx // s_l)
        keys, jof = np.unique((g.rows // s_l) * nx_l + g.cols // s_l, return_inverse=True)
        a_blk = np.bincount(jof, weights=area, minlength=keys.size)
        vecs.append(np.stack([np.bincount(jof, weights=area * nrm[:, q], minlength=keys.size)
                              for q in range(3)], axis=1))
        cens.append(np.stack([np.bincount(jof, weights=area * pos[:, q], minlength=keys.size)
                              for q in range(3)], axis=1) / a_blk[:, None])
        grid_l = np.full(ny_l * nx_l, -1, dtype=np.int64)
        grid_l[keys] = n_blk + np.arange(keys.size)
        offs.append(sum(len(x) for x in lvl_index))
        lvl_index.append(grid_l)
        nyl.append(ny_l)
        nxl.append(nx_l)
        jof_all.append(n_blk + jof)
        n_blk += keys.size
    cen = np.concatenate(cens)
    vec = np.ascontiguousarray(np.concatenate(vecs))
    bfr = (cen[:, 1] - g.y0) / g.sy
    bfc = (cen[:, 0] - g.x0) / g.sx
    # geometry from the area-weighted centre; the line of sight ends on the terrain below it
    bzv = map_coordinates(g.z_m, [bfr, bfc], order=1, mode="nearest")
    cen = np.ascontiguousarray(cen)
    fr, fc = _fractional_rc(f)
    geo = (pos, nrm, g.rows, g.cols, k, np.asarray(sizes, dtype=np.int64),
           np.asarray(nyl, dtype=np.int64), np.asarray(nxl, dtype=np.int64),
           np.asarray(offs, dtype=np.int64), np.concatenate(lvl_index), cen, vec)
    counts = K.tree_count(*geo)
    fptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(3 * counts, out=fptr[1:])
    fj = np.empty(fptr[-1], dtype=np.int64)
    fg = np.empty(fptr[-1], dtype=np.float64)
    K.tree_fill(*geo, g.z_m, fr, fc, bfr, bfc, bzv, bool(visibility), _STEP_PX, _SKIP_PX,
                fptr, fj, fg)
    far = sp.csr_matrix((fg, fj, fptr), shape=(n, 3 * n_blk))
    far.eliminate_zeros()
    # radiosity moments M_J = sum_j A_j n_j B_j, 3 rows per block, every level
    jall = np.concatenate(jof_all)
    src = np.tile(np.arange(n), len(sizes))
    w = np.tile(area[:, None] * nrm, (len(sizes), 1))
    restrict = sp.csr_matrix((w.ravel(), ((3 * jall[:, None] + np.arange(3)).ravel(),
                                          np.repeat(src, 3))), shape=(3 * n_blk, n))
    return HierarchicalViewFactors(near, far, restrict, block_px=b, near_blocks=k,
                                   levels=len(sizes))


def sky_view_factor(F: sp.spmatrix) -> np.ndarray:
    """Sky view factor per facet, ``1 - sum_j F_ij`` [1] (1 = open sky, flat plain)."""
    return 1.0 - np.asarray(F.sum(axis=1)).ravel()


def truncation_loss(F_truncated: sp.spmatrix, F_full: sp.spmatrix) -> dict[str, float]:
    """Energy dropped by a cut-off: row-sum deficit of ``F_truncated`` against ``F_full`` [1].

    Returns the maximum and area-unweighted mean deficit, and the relative loss of the total
    exchanged view factor. A deficit ``d_i`` means a facet under-receives ``d_i`` times the mean
    radiosity of the dropped partners (e.g. ``d_i eps sigma T^4`` of infrared).
    """
    full = np.asarray(F_full.sum(axis=1)).ravel()
    trunc = np.asarray(F_truncated.sum(axis=1)).ravel()
    deficit = full - trunc
    tot = float(full.sum())
    return {"max_deficit": float(deficit.max(initial=0.0)),
            "mean_deficit": float(deficit.mean()) if deficit.size else 0.0,
            "relative_loss": float(deficit.sum() / tot) if tot > 0 else 0.0,
            "nnz_ratio": float(F_truncated.nnz / max(F_full.nnz, 1))}


def sun_vector(azimuth_deg: float, elevation_deg: float) -> np.ndarray:
    """Unit vector toward a body at grid azimuth (clockwise from +y) and elevation [deg].

    In the facet frame (X = grid x, Y = grid y, Z up) at the DEM centre; a distant Sun has the
    same vector at every facet, and curvature enters through the tilted facets and heights.
    """
    az, el = np.radians(azimuth_deg), np.radians(elevation_deg)
    return np.array([np.sin(az) * np.cos(el), np.cos(az) * np.cos(el), np.sin(el)])


def direct_flux_point_sun(facets: Facets, sun_unit: np.ndarray, *,
                          flux_w_m2: float) -> np.ndarray:
    """Direct flux on each facet from a point Sun, shadows ray-cast through the DEM [W m-2].

    ``flux_w_m2 * max(n . s, 0)`` where the ray from the facet centre toward ``s`` clears the
    height field (terrain beyond the DEM's edge is ignored); on a mesh, the fraction of four
    points per triangle (centroid and three inner points) whose ray hits no other triangle
    (brute force, O(n^2): meshes up to ~1e4 triangles). A validation and small-region tool:
    map runs take the visible disc fraction from lupex.illumination instead.
    """
    s = np.asarray(sun_unit, dtype=float)
    if s.shape != (3,) or not np.isclose(np.linalg.norm(s), 1.0):
        raise ParameterError("direct_flux_point_sun: sun_unit must be a unit 3-vector "
                             "(see sun_vector).")
    if facets.mesh is not None:
        v, t = facets.mesh
        cosi = K.mesh_sun_lit(v, t, facets.normal, s, _MESH_SAMPLES)
        return float(flux_w_m2) * cosi
    if facets.grid is None:
        raise ParameterError("direct_flux_point_sun needs facets made from a DEM "
                             "(facets_from_dem) or a mesh (facets_from_mesh) to cast shadows.")
    g = facets.grid
    fr, fc = _fractional_rc(facets)
    pixel = min(abs(g.sx), abs(g.sy))
    cosi = K.sun_lit(facets.position_m, facets.normal, fr, fc, g.z_m, s, pixel,
                     1.0 / g.sx, 1.0 / g.sy, _STEP_PX, _SKIP_PX)
    return float(flux_w_m2) * cosi


RADIOSITY_MODES = ("auto", "dense", "hierarchical", "none")
"""Choices of :func:`view_factors_for` (``lupex thermal --radiosity``, ``ChainConfig``)."""

DENSE_MAX_FACETS = 2500
"""``auto`` uses all facet pairs up to this many facets, the hierarchical operator beyond."""


def view_factors_for(dem, mode: str = "auto"):
    """View factors for the thermal maps by name: all pairs, hierarchical, or none.

    Parameters
    ----------
    dem : DataArray (y, x)
        Terrain [m] (map contract).
    mode : {"auto", "dense", "hierarchical", "none"}
        ``"dense"``: :func:`view_factor_matrix` (every facing, visible pair; memory and time
        grow as facets^2); ``"hierarchical"``: :func:`view_factor_operator` with 2-pixel blocks
        and 4 near blocks (n log n; mean error 1-3 K on the shadowed floor of rough bowls,
        docs/thermal.md); ``"auto"``: dense up to :data:`DENSE_MAX_FACETS` facets, hierarchical
        beyond; ``"none"``: no scattered light or terrain infrared (PSRs then come out tens of K
        too cold: Ingersoll et al. 1992).

    Returns
    -------
    scipy.sparse matrix, HierarchicalViewFactors or None
        What :func:`lupex.thermal.thermal_maps` takes as ``view_factors``.
    """
    from lupex.errors import ParameterError

    if mode not in RADIOSITY_MODES:
        raise ParameterError(f"radiosity = {mode!r}: use one of {', '.join(RADIOSITY_MODES)}.")
    if mode == "auto":
        mode = "dense" if dem.size <= DENSE_MAX_FACETS else "hierarchical"
    if mode == "none":
        return None
    if mode == "dense":
        return view_factor_matrix(dem)
    return view_factor_operator(dem, block_px=2, near_blocks=4)
