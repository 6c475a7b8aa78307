"""Span statistics by binning the body's direction once (cost: pixels x azimuth bins).

Long spans (the 18.6-year lunar precession cycle that defines permanent shadow) must not cost
pixels x epochs. The Sun is effectively at infinity (its parallax across a 100 km map is
< 4e-5 deg), so one direction per epoch serves every pixel; only the pixel's frame changes.

1. Once per span: the body's azimuth ``a`` and elevation ``e`` at the *reference point* (the
   map centre, in its grid frame) and its apparent radius ``r`` for every epoch. For each
   azimuth node ``a_k = k 360 / K`` build tables over a fine threshold grid ``t_j``:
   ``frac_k(t) = sum_i w_ik f((e_i - t) / r_i)`` (mean visible fraction), ``any_k(t) =
   sum_i w_ik [e_i + r_i > t]`` (some part visible), and ``top_k = max (e_i + r_i)`` (ever
   visible). ``w_ik`` splits an epoch linearly between the two nodes around its azimuth.
   Cost: epochs x (2 r / dt), once.
2. Per pixel and node: the threshold ``t_k`` = the reference elevation at which the body
   centre sits on the pixel's horizon (exact rotation between the pixel's frame and the
   reference frame, :func:`lupex.illumination._kernels.binned_lookup`), then three table look-ups.
   Cost: pixels x K, independent of the number of epochs.

Approximations (measured against the per-epoch computation in tests/illumination and
benchmarks/illumination.py): (a) the pixel's elevation is taken as ``e + (el_p(t) - t)``, a
shift, near the threshold: ``d el_p / d e = 1 - O(tilt^2)``, an error < 1e-4 of the disc
radius for pixels 25 km from the reference; (b) within an azimuth interval the visible
fraction is interpolated linearly between the nodes (instead of interpolating the horizon at the
epoch's azimuth), and for the ever-visible test each epoch counts at its nearest node: an error
of order ``|dh/da| x 180/K`` deg in the threshold, symmetric, that ``oversample`` reduces;
(c) linear interpolation of the tables in ``t`` (``dt`` = 0.005 deg by default,
< 1e-4 relative for the smooth fraction tables; a ``dt`` smear of the step tables).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lupex.illumination import _kernels


@dataclass(frozen=True)
class SpanTables:
    """Threshold tables of one body over a span (see the module docstring).

    Attributes
    ----------
    frac, anyv : ndarray (K, n_t)
        Summed visible fraction and summed "some part visible" weight per azimuth node and
        threshold ``t0 + j dt`` [deg].
    top : ndarray (K,)
        Highest ``elevation + radius`` [deg] of the epochs nearest each node (-inf if none).
    t0, dt : float
        Threshold grid origin and step [deg].
    n_epochs : int
        Epochs in the span (the normaliser of the fractions).
    body : str
        ``"sun"`` or ``"earth"``.
    """

    frac: np.ndarray
    anyv: np.ndarray
    top: np.ndarray
    t0: float
    dt: float
    n_epochs: int
    body: str

    @property
    def n_bins(self) -> int:
        return int(self.top.shape[0])

    @property
    def n_t(self) -> int:
        return int(self.frac.shape[1])


def azel_from_reference_vectors(vectors) -> tuple[np.ndarray, np.ndarray]:
    """Grid azimuth and elevation [deg] of vectors ``(T, 3)`` given in a grid frame (E, N, U)."""
    v = np.asarray(vectors, dtype=float)
    norm = np.linalg.norm(v, axis=-1)
    el = np.degrees(np.arcsin(np.clip(v[..., 2] / norm, -1.0, 1.0)))
    az = np.mod(np.degrees(np.arctan2(v[..., 0], v[..., 1])), 360.0)
    return az, el


def span_tables(azimuth_deg, elevation_deg, radius_deg, *, n_bins: int, body: str = "sun",
                dt_deg: float = 0.005, max_points: int = 4096) -> SpanTables:
    """Build the threshold tables of one body from its per-epoch reference-frame position.

    Parameters
    ----------
    azimuth_deg, elevation_deg : array_like (T,)
        Grid azimuth and elevation of the body centre at the reference point [deg].
    radius_deg : array_like (T,) or float
        Apparent angular radius [deg].
    n_bins : int
        Azimuth nodes ``K`` (a multiple of the horizon azimuths is best).
    body : str
        Label stored with the tables.
    dt_deg : float
        Threshold grid step [deg]; raised if the elevation range needs more than
        ``max_points`` points.
    """
    az = np.ascontiguousarray(azimuth_deg, dtype=float)
    el = np.ascontiguousarray(elevation_deg, dtype=float)
    r = np.ascontiguousarray(np.broadcast_to(np.asarray(radius_deg, float), az.shape))
    if az.size == 0:
        raise ValueError("span_tables: no epochs")
    lo = float(np.min(el - r))
    hi = float(np.max(el + r))
    dt = max(float(dt_deg), (hi - lo) / (max_points - 5))
    t0 = lo - 2 * dt
    n_t = int(np.ceil((hi - t0) / dt)) + 3
    frac, anyv, top = _kernels.build_tables(az, el, r, int(n_bins), t0, dt, n_t)
    return SpanTables(frac, anyv, top, t0, dt, int(az.size), body)


def thresholds(horizons_pm: np.ndarray, rot: np.ndarray, n_bins: int) -> np.ndarray:
    """Per-pixel threshold elevations [deg] at ``n_bins`` reference azimuth nodes, ``(P, K)``.

    The reference elevation at which a direction of reference azimuth ``k 360 / K`` sits on the
    pixel's horizon (exact rotation; see :func:`lupex.illumination._kernels.pixel_thresholds`).
    """
    hor = np.ascontiguousarray(horizons_pm, dtype=np.float32)
    out = np.empty((hor.shape[0], int(n_bins)), dtype=np.float32)
    _kernels.pixel_thresholds(hor, np.ascontiguousarray(rot, dtype=float), int(n_bins), out)
    return out


def binned_statistics(horizons_pm: np.ndarray | None, rot: np.ndarray | None,
                      tables: list[SpanTables], *, thr: np.ndarray | None = None
                      ) -> dict[str, np.ndarray]:
    """Per-pixel span statistics of each body from its tables (cost: pixels x bins).

    Parameters
    ----------
    horizons_pm : ndarray (P, N) float32
        Pixel-major horizons [deg], grid azimuths ``k 360 / N``.
    rot : ndarray (P, 3, 3)
        Pixel rotations from the reference frame (:class:`~lupex.illumination.frames.PixelGeometry`).
    tables : list of SpanTables
        One per body, all with the same number of azimuth nodes.
    thr : ndarray (P, K), optional
        Precomputed :func:`thresholds` (then ``horizons_pm`` and ``rot`` are not used).

    Returns
    -------
    dict
        ``{body}_fraction_mean`` (mean visible disc fraction), ``{body}_any_fraction`` (fraction
        of epochs with some part visible), ``{body}_ever`` (bool: ever partly visible) per body,
        arrays ``(P,)``; and ``threshold_min_deg``, the lowest threshold elevation over azimuth.
    """
    if not tables:
        raise ValueError("binned_statistics: no tables")
    k = tables[0].n_bins
    if any(t.n_bins != k for t in tables):
        raise ValueError("binned_statistics: tables need the same number of azimuth nodes")
    if thr is None:
        thr = thresholds(horizons_pm, rot, k)
    if thr.shape[1] != k:
        raise ValueError("binned_statistics: thresholds and tables differ in azimuth nodes")
    n_t = max(t.n_t for t in tables)
    nb = len(tables)
    frac = np.zeros((nb, k, n_t))
    anyv = np.zeros((nb, k, n_t))
    for b, t in enumerate(tables):
        frac[b, :, : t.n_t] = t.frac
        anyv[b, :, : t.n_t] = t.anyv
    top = np.stack([t.top for t in tables])
    t0 = np.array([t.t0 for t in tables])
    dt = np.array([t.dt for t in tables])
    nts = np.array([t.n_t for t in tables], dtype=np.int64)
    p = thr.shape[0]
    out_f = np.zeros((nb, p))
    out_a = np.zeros((nb, p))
    out_e = np.zeros((nb, p), dtype=np.bool_)
    _kernels.binned_lookup(thr, frac, anyv, top, t0, dt, nts, out_f, out_a, out_e)
    res: dict[str, np.ndarray] = {"threshold_min_deg": thr.min(axis=1)}
    for b, t in enumerate(tables):
        res[f"{t.body}_fraction_mean"] = out_f[b] / t.n_epochs
        res[f"{t.body}_any_fraction"] = np.clip(out_a[b] / t.n_epochs, 0.0, 1.0)
        res[f"{t.body}_ever"] = out_e[b]
    return res
