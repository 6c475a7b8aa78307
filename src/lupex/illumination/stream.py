"""Order-dependent statistics by one streaming pass over epochs, and per-epoch frames.

Never a ``(time, y, x)`` cube: per-pixel accumulators (sums, counts, the current and the
longest run of dark epochs) are updated epoch by epoch inside a numba kernel, parallel over
pixels, in blocks of epochs (the run counters carry over between blocks). The same kernel is
the brute-force per-epoch reference that validates :mod:`lupex.illumination.binned`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lupex.constants import EARTH_RADIUS_M
from lupex.illumination import _kernels


def horizon_band(horizons_pm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-pixel minimum and maximum horizon elevation [deg] (the kernels' early-out band)."""
    h = np.asarray(horizons_pm)
    return (np.ascontiguousarray(h.min(axis=1), dtype=np.float64),
            np.ascontiguousarray(h.max(axis=1), dtype=np.float64))


@dataclass
class StreamState:
    """Per-pixel accumulators of a streaming pass (``P`` pixels).

    ``sun_sum`` (sum of visible Sun fractions), ``sun_any`` (epochs with some Sun),
    ``dark_run`` / ``dark_max`` (current / longest run of epochs with no Sun at all),
    ``earth_sum``, ``earth_any``, ``both`` (epochs with some Sun and some Earth), ``n_epochs``.
    """

    n_pix: int
    sun_sum: np.ndarray = field(init=False)
    sun_any: np.ndarray = field(init=False)
    dark_run: np.ndarray = field(init=False)
    dark_max: np.ndarray = field(init=False)
    earth_sum: np.ndarray = field(init=False)
    earth_any: np.ndarray = field(init=False)
    both: np.ndarray = field(init=False)
    n_epochs: int = 0

    def __post_init__(self) -> None:
        p = self.n_pix
        self.sun_sum = np.zeros(p)
        self.sun_any = np.zeros(p, dtype=np.int64)
        self.dark_run = np.zeros(p, dtype=np.int64)
        self.dark_max = np.zeros(p, dtype=np.int64)
        self.earth_sum = np.zeros(p)
        self.earth_any = np.zeros(p, dtype=np.int64)
        self.both = np.zeros(p, dtype=np.int64)

    def results(self, step_h: float) -> dict[str, np.ndarray]:
        """Normalised statistics: fractions of the epochs, longest darkness in hours.

        A run of ``k`` dark epochs lasts ``k * step_h`` (each epoch holds for one step), capped
        at the window's own length ``(n_epochs - 1) * step_h`` so a pixel dark throughout
        reports the window, not one step more.
        """
        n = max(self.n_epochs, 1)
        window_h = max(self.n_epochs - 1, 1) * float(step_h)
        return {
            "sun_fraction_mean": self.sun_sum / n,
            "sun_any_fraction": self.sun_any / n,
            "sun_ever": self.sun_any > 0,
            "longest_darkness_h": np.minimum(self.dark_max * float(step_h), window_h),
            "earth_fraction_mean": self.earth_sum / n,
            "earth_visible_fraction": self.earth_any / n,
            "sun_and_earth_fraction": self.both / n,
        }


def stream_statistics(horizons_pm: np.ndarray, rot: np.ndarray, offset_m: np.ndarray,
                      sun_ref: np.ndarray, sun_radius_deg: np.ndarray,
                      earth_ref_m: np.ndarray | None = None, *, state: StreamState | None = None,
                      band: tuple[np.ndarray, np.ndarray] | None = None,
                      block: int = 256) -> StreamState:
    """Stream a block of epochs through the per-pixel accumulators (cost: pixels x epochs).

    Parameters
    ----------
    horizons_pm : ndarray (P, N) float32
        Pixel-major horizons [deg].
    rot, offset_m : ndarray (P, 3, 3), (P, 3)
        Pixel rotations and offsets [m] from the reference frame.
    sun_ref : ndarray (T, 3)
        Unit vectors to the Sun in the reference grid frame.
    sun_radius_deg : ndarray (T,)
        Apparent solar radius [deg].
    earth_ref_m : ndarray (T, 3), optional
        Reference point -> Earth [m] in the reference frame; Earth statistics stay 0 without it.
    state : StreamState, optional
        Accumulators to continue (epochs must follow the previous call's in time).
    band : (hmin, hmax), optional
        :func:`horizon_band` of ``horizons_pm`` (computed if absent).
    block : int
        Epochs per kernel call.
    """
    hor = np.ascontiguousarray(horizons_pm, dtype=np.float32)
    p = hor.shape[0]
    st = state if state is not None else StreamState(p)
    hmin, hmax = band if band is not None else horizon_band(hor)
    rot = np.ascontiguousarray(rot, dtype=float)
    off = np.ascontiguousarray(offset_m, dtype=float)
    sun = np.ascontiguousarray(sun_ref, dtype=float)
    rs = np.ascontiguousarray(np.broadcast_to(np.asarray(sun_radius_deg, float), sun.shape[:1]))
    do_earth = earth_ref_m is not None
    earth = (np.ascontiguousarray(earth_ref_m, dtype=float) if do_earth
             else np.zeros((sun.shape[0], 3)))
    for i in range(0, sun.shape[0], block):
        sl = slice(i, i + block)
        _kernels.stream_stats(hor, hmin, hmax, rot, off, sun[sl], rs[sl], earth[sl],
                              EARTH_RADIUS_M, do_earth, st.sun_sum, st.sun_any, st.dark_run,
                              st.dark_max, st.earth_sum, st.earth_any, st.both)
    st.n_epochs += int(sun.shape[0])
    return st


def frame_arrays(horizons_pm: np.ndarray, rot: np.ndarray, offset_m: np.ndarray,
                 convergence_deg: np.ndarray, vector_ref: np.ndarray, *, radius_deg: float = 0.0,
                 far: bool = True, band: tuple[np.ndarray, np.ndarray] | None = None
                 ) -> dict[str, np.ndarray]:
    """One epoch for all pixels: visible fraction, elevation, azimuth, horizon at the body.

    Parameters
    ----------
    vector_ref : (3,)
        The body in the reference frame: a unit direction (``far=True``, the Sun, with
        ``radius_deg``) or the vector from the reference point [m] (``far=False``, the Earth:
        per-pixel parallax and radius).
    Returns ``fraction``, ``elevation_deg``, ``azimuth_deg`` (clockwise from local geographic
    north), ``horizon_deg`` (at the body's azimuth), each ``(P,)``.
    """
    hor = np.ascontiguousarray(horizons_pm, dtype=np.float32)
    p = hor.shape[0]
    hmin, hmax = band if band is not None else horizon_band(hor)
    out = {k: np.empty(p) for k in ("fraction", "elevation_deg", "azimuth_deg", "horizon_deg")}
    v = np.asarray(vector_ref, dtype=float)
    _kernels.frame_maps(hor, hmin, hmax, np.ascontiguousarray(rot, dtype=float),
                        np.ascontiguousarray(offset_m, dtype=float),
                        np.ascontiguousarray(convergence_deg, dtype=float), v[0], v[1], v[2],
                        float(radius_deg), bool(far), EARTH_RADIUS_M, out["fraction"],
                        out["elevation_deg"], out["azimuth_deg"], out["horizon_deg"])
    return out


def _nodes(az_deg: np.ndarray, n_bins: int) -> tuple[np.ndarray, np.ndarray]:
    u = np.mod(np.asarray(az_deg, float), 360.0) * n_bins / 360.0
    k0 = np.floor(u).astype(np.int64)
    w = u - k0
    k0 %= n_bins
    return np.ascontiguousarray(k0), np.ascontiguousarray(w)


def stream_statistics_fast(thr: np.ndarray, sun_azel_r: tuple[np.ndarray, np.ndarray, np.ndarray],
                           earth_azel_r: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
                           *, state: StreamState | None = None, block: int = 2048) -> StreamState:
    """Streaming pass on precomputed pixel thresholds (no trigonometry per pixel-epoch).

    Parameters
    ----------
    thr : ndarray (P, K) float32
        :func:`lupex.illumination.binned.thresholds` of the pixels.
    sun_azel_r : (azimuth_deg, elevation_deg, radius_deg), each (T,)
        The Sun at the reference point in its grid frame.
    earth_azel_r : same for the Earth, optional.

    The threshold is interpolated linearly between azimuth nodes at each epoch's azimuth,
    like the horizon in the exact kernel; the difference from :func:`stream_statistics` is the
    shift approximation of the binned method (docs/illumination.md) and the neglected Earth
    parallax across the map.
    """
    thr = np.ascontiguousarray(thr, dtype=np.float32)
    p, k = thr.shape
    st = state if state is not None else StreamState(p)
    sk0, sw = _nodes(sun_azel_r[0], k)
    se = np.ascontiguousarray(sun_azel_r[1], dtype=float)
    sr = np.ascontiguousarray(np.broadcast_to(np.asarray(sun_azel_r[2], float), se.shape))
    do_earth = earth_azel_r is not None
    if do_earth:
        ek0, ew = _nodes(earth_azel_r[0], k)
        ee = np.ascontiguousarray(earth_azel_r[1], dtype=float)
        er = np.ascontiguousarray(np.broadcast_to(np.asarray(earth_azel_r[2], float), ee.shape))
    else:
        ek0, ew, ee, er = sk0, sw, se, sr
    for i in range(0, se.shape[0], block):
        sl = slice(i, i + block)
        _kernels.stream_stats_thr(thr, sk0[sl], sw[sl], se[sl], sr[sl], ek0[sl], ew[sl], ee[sl],
                                  er[sl], do_earth, st.sun_sum, st.sun_any, st.dark_run,
                                  st.dark_max, st.earth_sum, st.earth_any, st.both)
    st.n_epochs += int(se.shape[0])
    return st
