"""Depth of ice stability (Siegler et al. 2016 definition) from annual maximum temperatures.

The ice stability depth is the shallowest depth at which the annual maximum temperature is
below the species' stability temperature for the chosen loss rate (default: water ice,
1 mm per Gyr, ~100.6 K). The crossing is interpolated linearly between model depths. Each
column gets a class code:

=====  =========================  ===========================================================
code   name                       depth returned
=====  =========================  ===========================================================
0      STABLE_AT_SURFACE          0.0 (the surface itself is a cold trap)
1      STABLE_AT_DEPTH            the interpolated crossing depth [m]
2      UNSTABLE_IN_GRID           NaN (warmer than the threshold at every model depth)
-1     NO_DATA                    NaN (NaN temperatures)
=====  =========================  ===========================================================

This is the criterion of [1]: free sublimation at the annual maximum temperature. A lag layer
above buried ice slows the loss further, so it is conservative (it over-estimates depths).

References
----------
.. [1] Siegler, M. A. et al. (2016). Lunar true polar wander inferred from polar hydrogen.
   Nature 531, 480-484 (Methods: depth to stable ice where max T < ~100-110 K).
"""

from __future__ import annotations

import numpy as np

from lupex.errors import ParameterError
from lupex.volatiles.sublimation import stability_temperature_k

STABLE_AT_SURFACE = 0
STABLE_AT_DEPTH = 1
UNSTABLE_IN_GRID = 2
NO_DATA = -1

CLASS_NAMES = {STABLE_AT_SURFACE: "stable at the surface", STABLE_AT_DEPTH: "stable at depth",
               UNSTABLE_IN_GRID: "unstable within the grid", NO_DATA: "no data"}


def ice_stability_depth(t_max_k, depths_m, *, species: str = "H2O", loss_mm_per_gyr: float = 1.0,
                        threshold_k: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Shallowest depth where the annual maximum temperature keeps ice stable.

    Parameters
    ----------
    t_max_k : array_like, shape (..., nz)
        Annual maximum temperature at each model depth [K] (last axis = depth, as
        ``ThermalStats.t_max_k`` with ``depths_m=None``).
    depths_m : array_like, shape (nz,)
        Increasing depths [m], the first normally 0.
    species, loss_mm_per_gyr : optional
        Set the threshold via :func:`stability_temperature_k`.
    threshold_k : float, optional
        Use this threshold [K] instead (e.g. 110 K, the value quoted by many studies).

    Returns
    -------
    (depth_m, class_code) : arrays of shape (...)
        Depth [m] (NaN where there is none) and int8 class (see module docstring).
    """
    t = np.asarray(t_max_k, dtype=float)
    z = np.asarray(depths_m, dtype=float)
    if z.ndim != 1 or t.shape[-1] != z.size:
        raise ParameterError(f"ice_stability_depth: t_max_k has {t.shape[-1]} depths on its last axis, "
                             f"depths_m has {z.size}; they must match.")
    if z.size > 1 and np.any(np.diff(z) <= 0):
        raise ParameterError("ice_stability_depth: depths_m must increase strictly.")
    thr = threshold_k if threshold_k is not None else stability_temperature_k(species, loss_mm_per_gyr)
    with np.errstate(invalid="ignore"):
        stable = t < thr
    nodata = np.any(~np.isfinite(t), axis=-1)
    any_stable = stable.any(axis=-1)
    first = np.argmax(stable, axis=-1)
    depth = np.full(t.shape[:-1], np.nan)
    cls = np.full(t.shape[:-1], UNSTABLE_IN_GRID, dtype=np.int8)
    surf = any_stable & (first == 0)
    cls[surf] = STABLE_AT_SURFACE
    depth[surf] = 0.0
    deep = any_stable & (first > 0)
    if deep.any():
        k = first[deep]
        tk = np.take_along_axis(t[deep], k[:, None], axis=-1)[:, 0]
        tk1 = np.take_along_axis(t[deep], (k - 1)[:, None], axis=-1)[:, 0]
        frac = (tk1 - thr) / (tk1 - tk)  # tk1 >= thr > tk
        depth[deep] = z[k - 1] + frac * (z[k] - z[k - 1])
        cls[deep] = STABLE_AT_DEPTH
    cls[nodata] = NO_DATA
    depth[nodata] = np.nan
    return depth, cls
