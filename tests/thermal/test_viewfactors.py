"""View factors: closed forms (parallel plates, spherical bowl, flat plain), reciprocity, and
visibility checked against the sky view factor from an independently marched horizon."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.ndimage import map_coordinates

from lupex.errors import DemError, ParameterError
from lupex.io.maps import make_map
from lupex.thermal._vf_bowl import spherical_bowl_dem, spherical_bowl_mesh
from lupex.thermal.viewfactors import (
    facets_from_dem,
    facets_from_mesh,
    sky_view_factor,
    truncation_loss,
    view_factor_matrix,
    view_factor_operator,
)


def _dem(z: np.ndarray, pixel_m: float):
    n_y, n_x = z.shape
    x = (np.arange(n_x) - (n_x - 1) / 2) * pixel_m
    y = ((np.arange(n_y) - (n_y - 1) / 2) * pixel_m)[::-1].copy()
    return make_map(z, x=x, y=y, name="elevation_m", units="m", long_name="test terrain")


def _rough_dem(n: int = 24, pixel_m: float = 20.0, seed: int = 1):
    from scipy.ndimage import gaussian_filter
    z = gaussian_filter(np.random.default_rng(seed).normal(size=(n, n)), 2.0)
    return _dem(z / z.std() * 40.0, pixel_m)


# ---- flat plain: sky view factor = 1 -------------------------------------------------------

@pytest.mark.parametrize("radius", [None, 1_737_400.0])
def test_flat_plain_sky_view_is_one(radius):
    # A plane (or a sphere, seen from its surface) exchanges nothing with itself: every other
    # facet is coplanar (cos = 0) or below the horizon. Exact, so the tolerance is rounding only.
    dem = _dem(np.zeros((20, 30)), 100.0)
    F = view_factor_matrix(dem, body_radius_m=radius)
    assert_allclose(sky_view_factor(F), 1.0, atol=1e-12)


def test_tilted_plane_sky_view_is_one():
    xx = np.arange(25)[None, :] * np.ones((25, 1))
    F = view_factor_matrix(_dem(0.3 * 50.0 * xx, 50.0), body_radius_m=None)
    assert_allclose(sky_view_factor(F), 1.0, atol=1e-9)


# ---- reciprocity ---------------------------------------------------------------------------

def test_reciprocity_and_row_sums_on_rough_terrain():
    dem = _rough_dem()
    fac = facets_from_dem(dem)
    F = view_factor_matrix(fac)
    AF = (F.multiply(fac.area_m2[:, None])).toarray()
    # A_i F_ij = A_j F_ji: the symmetric kernel is computed once per pair, so only rounding.
    assert_allclose(AF, AF.T, rtol=1e-12, atol=0)
    rows = np.asarray(F.sum(axis=1)).ravel()
    assert rows.max() <= 1.0 and rows.min() >= 0.0
    assert F.nnz > 0


# ---- closed form: parallel, directly opposed squares (Howell catalogue C-11) ----------------

def _plates(n: int, gap: float):
    s = (np.arange(n) + 0.5) / n
    xx, yy = np.meshgrid(s, s)
    lower = np.column_stack([xx.ravel(), yy.ravel(), np.zeros(n * n)])
    upper = lower + np.array([0.0, 0.0, gap])
    pos = np.vstack([lower, upper])
    nrm = np.vstack([np.tile([0.0, 0.0, 1.0], (n * n, 1)), np.tile([0.0, 0.0, -1.0], (n * n, 1))])
    return pos, nrm, np.full(2 * n * n, 1.0 / n**2)


def _howell_parallel_squares(a: float, c: float) -> float:
    X = Y = a / c
    x1, y1 = np.sqrt(1 + X * X), np.sqrt(1 + Y * Y)
    return 2 / (np.pi * X * Y) * (
        np.log(np.sqrt((1 + X * X) * (1 + Y * Y) / (1 + X * X + Y * Y)))
        + X * y1 * np.arctan(X / y1) + Y * x1 * np.arctan(Y / x1)
        - X * np.arctan(X) - Y * np.arctan(Y))


def _plates_f12(n: int, gap: float) -> float:
    pos, nrm, area = _plates(n, gap)
    F = view_factor_matrix((pos, nrm, area), visibility=False)
    lower = slice(0, n * n)
    return float(area[lower] @ np.asarray(F[lower].sum(axis=1)).ravel()) / area[lower].sum()


def test_parallel_plates_against_closed_form():
    ref = _howell_parallel_squares(1.0, 1.0)  # 0.19982 for unit squares 1 apart
    err8, err16 = (abs(_plates_f12(n, 1.0) - ref) / ref for n in (8, 16))
    # Centre-to-centre facets are the midpoint rule of the 4-D integral: relative error
    # O(h^2), 1.2e-3 at h = 1/16. The tolerance 2e-3 fails for a wrong kernel (e.g. a missing
    # pi, or r^2 for r^4); the error must also fall ~4x when h halves.
    assert_allclose(_plates_f12(16, 1.0), ref, rtol=2e-3)
    assert err8 / err16 > 3.0


def test_free_facets_refuse_visibility():
    pos, nrm, area = _plates(3, 1.0)
    with pytest.raises(ParameterError, match="visibility=False"):
        view_factor_matrix((pos, nrm, area))


# ---- closed form: spherical bowl, F_ij = A_j / (4 pi R_s^2) -----------------------------------

@pytest.mark.parametrize("d_over_D", [0.1, 0.2])
def test_bowl_mesh_row_sums(d_over_D):
    # Every point of a spherical cap sees the whole cap: row sum = f = cap / sphere area.
    fac = facets_from_mesh(*spherical_bowl_mesh(4000.0, d_over_D, n_rings=16))
    F = view_factor_matrix((fac.position_m, fac.normal, fac.area_m2), visibility=False)
    f = 4 * d_over_D**2 / (1 + 4 * d_over_D**2)
    rows = np.asarray(F.sum(axis=1)).ravel()
    # flat triangles (centroids a sagitta inside the sphere, no self term) scatter the row sums
    # by +-2.3 % at 16 rings; their area-weighted mean is within 0.3 %.
    assert_allclose(rows, f, rtol=0.03)
    assert_allclose(np.average(rows, weights=fac.area_m2), f, rtol=0.003)


@pytest.mark.parametrize("d_over_D", [0.1, 0.2])
def test_bowl_dem_row_sums_and_no_false_occlusion(d_over_D):
    D, px = 4000.0, 100.0
    dem, inside = spherical_bowl_dem(D, d_over_D, pixel_m=px)
    fac = facets_from_dem(dem, body_radius_m=None)
    F = view_factor_matrix(fac)
    F_novis = view_factor_matrix(fac, visibility=False)
    ins = inside[fac.grid.rows, fac.grid.cols]
    # Inside a bowl every pair sees each other: the height-field march must not block any.
    diff = (F_novis - F)[ins][:, ins]
    assert abs(diff).max() == 0.0
    f = 4 * d_over_D**2 / (1 + 4 * d_over_D**2)
    r = np.hypot(fac.position_m[:, 0], fac.position_m[:, 1])
    core = ins & (r < 0.8 * D / 2)
    rows = np.asarray(F.sum(axis=1)).ravel()[core]
    # Pixel facets miss on average half a pixel of wall at the rim: a ring of area
    # pi D (px/2) / cos(rim slope), a fraction q of the cap (5.2 % at d/D 0.1, 3.8 % at 0.2 at
    # 40 px across), and every facet sees that ring with q f. Row sums must lie in
    # [f (1 - 1.5 q), 1.01 f]; the mesh test above is the tight one.
    rs = (D**2 / 4 + (d_over_D * D) ** 2) / (2 * d_over_D * D)
    rim_slope = np.arcsin(D / 2 / rs)
    q = np.pi * D * (px / 2) / np.cos(rim_slope) / (2 * np.pi * rs * d_over_D * D)
    assert np.all(rows <= f * 1.01)
    assert np.all(rows >= f * (1 - 1.5 * q))


# ---- visibility: sky view factor against an independently marched horizon ----------------

def _ring_terrain(n=61, px=10.0):
    c = (np.arange(n) - (n - 1) / 2) * px
    xx, yy = np.meshgrid(c, c[::-1])
    r = np.hypot(xx, yy)
    # a ridge ring that hides part of an outer rising wall from the crater floor
    z = 60 * np.exp(-0.5 * ((r - 150) / 25) ** 2) + np.clip(r - 250, 0, None)
    return _dem(z, px), z


def _horizon_sky_view(z, i, j, px, n_az=720, step=0.1):
    """Sky view factor of a horizontal facet = mean over azimuth of cos^2(horizon elevation)."""
    ny, nx = z.shape
    s = np.arange(1, int(4 * max(ny, nx) / step)) * step
    out = []
    for a in (np.arange(n_az) + 0.5) * 2 * np.pi / n_az:
        rr, cc = i - s * np.cos(a), j + s * np.sin(a)
        ok = (rr >= 0) & (rr <= ny - 1) & (cc >= 0) & (cc <= nx - 1)
        zt = map_coordinates(z, [rr[ok], cc[ok]], order=1)
        out.append(max(0.0, np.max(np.arctan2(zt - z[i, j], s[ok] * px))))
    return float(np.mean(np.cos(np.array(out)) ** 2))


def test_sky_view_matches_horizon_and_visibility_matters():
    dem, z = _ring_terrain()
    fac = facets_from_dem(dem, body_radius_m=None)
    F = view_factor_matrix(fac)
    F_novis = view_factor_matrix(fac, visibility=False)
    c = z.shape[0] // 2
    for i, j in [(c, c), (c + 1, c - 2), (c - 2, c)]:
        k = fac.grid.index[i, j]
        assert fac.normal[k, 2] > 0.99999  # horizontal floor facets
        ref = _horizon_sky_view(z, i, j, 10.0)
        # measured: F-based minus horizon-based = +0.0035 at 10 m pixels (1e-4 on an 81 x 81
        # grid), from facet discretisation of the ridge crest; 0.01 is 3x that, while dropping
        # visibility misses by 0.064
        assert_allclose(sky_view_factor(F)[k], ref, atol=0.01)
        # deliberately wrong input: without visibility the hidden outer wall is counted too
        with pytest.raises(AssertionError):
            assert_allclose(sky_view_factor(F_novis)[k], ref, atol=0.01)


# ---- cut-off ----------------------------------------------------------------------------------

def test_max_distance_cutoff_drops_only_far_pairs():
    dem = _rough_dem(n=30)
    fac = facets_from_dem(dem)
    full = view_factor_matrix(fac)
    cut = view_factor_matrix(fac, max_distance_m=150.0)
    assert cut.nnz < full.nnz
    d = (full - cut).tocoo()
    dist = np.linalg.norm(fac.position_m[d.row] - fac.position_m[d.col], axis=1)
    assert np.all(dist[np.abs(d.data) > 0] > 150.0)  # kept pairs are identical
    loss = truncation_loss(cut, full)
    assert 0.0 <= loss["max_deficit"] < 1.0 and 0.0 < loss["relative_loss"] < 1.0
    same = view_factor_matrix(fac, max_distance_m=1e6)
    assert_allclose(same.toarray(), full.toarray(), rtol=0, atol=0)


def test_min_factor_keeps_reciprocity():
    dem = _rough_dem()
    fac = facets_from_dem(dem)
    F = view_factor_matrix(fac, min_factor=1e-3)
    assert F.data.min() >= 0.0
    AF = F.multiply(fac.area_m2[:, None]).toarray()
    assert_allclose(AF, AF.T, rtol=1e-12)


# ---- bad input --------------------------------------------------------------------------------

def test_bad_inputs_raise_clear_errors():
    z = np.zeros((10, 10))
    z[3, 4] = np.nan
    with pytest.raises(DemError, match="NaN"):
        view_factor_matrix(_dem(z, 10.0))
    with pytest.raises(ParameterError, match="max_distance_m"):
        view_factor_matrix(_dem(np.zeros((5, 5)), 10.0), max_distance_m=-1.0)
    with pytest.raises(ParameterError, match="mask shape"):
        facets_from_dem(_dem(np.zeros((5, 5)), 10.0), mask=np.ones((4, 4), bool))
    with pytest.raises(ParameterError):
        view_factor_matrix("dem.tif")


# ---- hierarchical operator ------------------------------------------------------------------

def _rough_bowl_dem():
    from scipy.ndimage import gaussian_filter
    dem, _ = spherical_bowl_dem(3200.0, 0.2, pixel_m=100.0, margin_px=4)
    noise = gaussian_filter(np.random.default_rng(0).normal(size=dem.shape), 2.0)
    return dem.copy(data=dem.values + 20.0 * noise / noise.std())


def test_hierarchical_operator_is_exact_when_all_blocks_are_near():
    fac = facets_from_dem(_rough_bowl_dem())
    op = view_factor_operator(fac, block_px=2, near_blocks=40)
    assert op.levels == 1 and op.far.nnz == 0
    assert_allclose(op.toarray(), view_factor_matrix(fac).toarray(), rtol=0, atol=1e-15)


def test_hierarchical_operator_converges_to_all_pairs():
    from lupex.thermal.radiosity import equilibrium_temperature
    from lupex.thermal.viewfactors import direct_flux_point_sun, sun_vector

    fac = facets_from_dem(_rough_bowl_dem())
    F = view_factor_matrix(fac)
    E = direct_flux_point_sun(fac, sun_vector(180.0, 5.0), flux_w_m2=1361.0)
    shadow = E == 0
    t_full = equilibrium_temperature(F, E, albedo=0.12, emissivity=0.95)
    rows_full = np.asarray(F.sum(axis=1)).ravel()
    err = {}
    for k in (2, 4, 8):
        op = view_factor_operator(fac, block_px=2, near_blocks=k)
        rows = op.sum(axis=1).ravel()
        # a block seen at >= k of its sizes carries a geometric error ~ (1/k)^2 of its share;
        # a pair missed or counted twice would move a row sum by O(f) = 0.1
        assert np.abs(rows - rows_full).max() < 0.08 / k
        t = equilibrium_temperature(op, E, albedo=0.12, emissivity=0.95)
        err[k] = np.abs(t - t_full)[shadow]
    # measured on this 40 x 40 rough bowl (shadowed floor ~120 K, Sun at 5 deg):
    # mean |dT| 8.0 / 1.0 / 0.17 K, max 18.6 / 3.3 / 1.3 K for k = 2 / 4 / 8
    assert err[2].mean() > err[4].mean() > err[8].mean()
    assert err[8].mean() < 0.3 and err[8].max() < 2.0


def test_view_factors_for_picks_the_form_by_size():
    import scipy.sparse as sp

    from lupex.thermal.viewfactors import (
        DENSE_MAX_FACETS,
        HierarchicalViewFactors,
        view_factors_for,
    )

    small = _rough_dem(n=24)
    dense = view_factors_for(small, "auto")
    assert sp.issparse(dense)
    # the same matrix as asking for all pairs by name (auto adds nothing of its own)
    assert_allclose(dense.toarray(), view_factors_for(small, "dense").toarray(), atol=0)
    big = _rough_dem(n=int(np.sqrt(DENSE_MAX_FACETS)) + 2)
    assert isinstance(view_factors_for(big, "auto"), HierarchicalViewFactors)
    assert view_factors_for(small, "none") is None
    with pytest.raises(ParameterError, match="radiosity = 'full'"):
        view_factors_for(small, "full")


def test_hierarchical_operator_sends_no_negative_flux():
    # Radiosities >= 0 send flux >= 0; the far blocks' aggregated moments alone can come out
    # slightly negative (summing facets that face the receiver and facets that face away)
    from lupex.terrain import synthetic_south_pole
    from lupex.thermal.viewfactors import view_factor_operator

    dem = synthetic_south_pole(size_km=5, pixel_m=80, seed=7)
    H = view_factor_operator(dem, block_px=2, near_blocks=4)
    x = np.zeros(dem.size)
    x[np.random.default_rng(0).choice(dem.size, dem.size // 20, replace=False)] = 1.0
    unclipped = H.near @ x + H.far @ (H.restrict @ x)
    assert unclipped.min() < 0.0  # the aggregation does produce negatives here
    assert (H @ x).min() >= 0.0
    # elsewhere the operator is unchanged: only the negative totals are clipped
    keep = unclipped >= 0.0
    assert_allclose((H @ x)[keep], unclipped[keep], rtol=0, atol=0)
