"""Stationary Gaussian random fields on a regular grid by circulant embedding (FFT).

The field has zero mean, unit variance and the exponential covariance
``C(r) = exp(-r / L)`` (L the correlation length), whose semivariogram is
``gamma(r) = 1 - exp(-r / L)``. Synthesis follows Dietrich & Newsam [1]: the covariance is laid
on a periodic grid larger than the target, its 2-D FFT gives the eigenvalues ``lambda`` of the
circulant covariance matrix, and ``X = Re(IFFT(sqrt(lambda) * FFT(w)))`` for white noise ``w``
has exactly that covariance wherever the embedding is non-negative. The periodic grid is padded
by ``pad_lengths`` correlation lengths (covariance e^-6 = 0.25 % at the wrap) or by the grid
size itself, whichever is smaller, so memory stays a few times the output.

References
----------
.. [1] Dietrich, C. R. & Newsam, G. N. (1997). Fast and exact simulation of stationary Gaussian
   processes through circulant embedding of the covariance matrix. SIAM J. Sci. Comput. 18,
   1088-1107.
"""

from __future__ import annotations

import functools

import numpy as np
from scipy import fft as sfft

from lupex.errors import ParameterError


def gaussian_random_field(shape: tuple[int, int], spacing_m: tuple[float, float],
                          correlation_length_m: float, rng: np.random.Generator, *,
                          pad_lengths: float = 6.0) -> np.ndarray:
    """A (ny, nx) standard-normal field with exponential covariance ``exp(-r / L)``.

    Parameters
    ----------
    shape : (int, int)
        Output shape (ny, nx).
    spacing_m : (float, float)
        Pixel spacing (dy, dx) [m] (absolute values are used).
    correlation_length_m : float
        e-folding length L [m].
    rng : numpy.random.Generator
        Source of the white noise.
    pad_lengths : float
        Padding of the periodic grid, in correlation lengths.
    """
    ny, nx = (int(shape[0]), int(shape[1]))
    dy, dx = (abs(float(spacing_m[0])), abs(float(spacing_m[1])))
    if ny < 1 or nx < 1 or not dy > 0 or not dx > 0:
        raise ParameterError(f"gaussian_random_field: shape {shape} and spacing {spacing_m} must "
                             "be positive.")
    if not correlation_length_m > 0:
        raise ParameterError(f"correlation_length_m = {correlation_length_m!r} must be > 0 m.")
    py = sfft.next_fast_len(ny + min(ny, int(np.ceil(pad_lengths * correlation_length_m / dy))))
    px = sfft.next_fast_len(nx + min(nx, int(np.ceil(pad_lengths * correlation_length_m / dx))))
    root = _root_spectrum(py, px, dy, dx, float(correlation_length_m))
    w = rng.standard_normal((py, px))
    field = sfft.irfft2(root * sfft.rfft2(w), s=(py, px))
    return np.ascontiguousarray(field[:ny, :nx])


@functools.lru_cache(maxsize=8)
def _root_spectrum(py: int, px: int, dy: float, dx: float, length_m: float) -> np.ndarray:
    """sqrt of the circulant eigenvalues (cached: Monte Carlo draws reuse one grid)."""
    iy = np.minimum(np.arange(py), py - np.arange(py)) * dy  # periodic distances
    ix = np.minimum(np.arange(px), px - np.arange(px)) * dx
    r = np.hypot(iy[:, None], ix[None, :])
    lam = sfft.rfft2(np.exp(-r / length_m)).real  # even covariance: real spectrum
    root = np.sqrt(np.clip(lam, 0.0, None))  # tiny negative round-off / embedding defect
    root.flags.writeable = False
    return root


def empirical_semivariogram(field: np.ndarray, spacing_m: float, max_lag: int
                            ) -> tuple[np.ndarray, np.ndarray]:
    """Isotropic-grid semivariogram along both axes at lags 1..max_lag pixels.

    Returns ``(lag_m, gamma)`` with ``gamma(h) = mean((z(x + h) - z(x))^2) / 2`` averaged over
    the x and y directions (Matheron's estimator).
    """
    z = np.asarray(field, dtype=float)
    lags = np.arange(1, int(max_lag) + 1)
    g = np.empty(lags.size)
    for i, h in enumerate(lags):
        gx = np.mean((z[:, h:] - z[:, :-h]) ** 2)
        gy = np.mean((z[h:, :] - z[:-h, :]) ** 2)
        g[i] = 0.25 * (gx + gy)
    return lags * float(spacing_m), g
