"""Science targets for a traverse chosen from the maps: the nearest drivable PSR edges.

LUPEX's rover is to measure water and other volatiles "at the edges of and inside" permanently
shadowed regions, where the ground is cold enough for ice yet close enough to sunlight for a
solar-powered rover to reach and leave (Hoshino et al. 2020 [1]). The heuristic here turns a PSR
map into such targets: PSR pixels that touch a non-PSR pixel (the edge), drivable (slope below
the rover's planning limit), ranked by straight-line distance from the start, at least
``min_separation_m`` apart. The route planner then decides whether, when and how each can be
reached; this only proposes where.

References
----------
.. [1] Hoshino, T., et al. (2020). Lunar polar exploration mission for water prospection -
   JAXA's current status of joint study with ISRO. Acta Astronautica 176, 52-58.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from lupex.errors import ParameterError


def psr_edge_targets(psr: xr.DataArray, slope_deg: xr.DataArray | np.ndarray,
                     start_xy: tuple[float, float], *, n: int = 1, max_slope_deg: float = 15.0,
                     max_distance_m: float = np.inf, min_separation_m: float = 200.0,
                     ) -> list[tuple[float, float]]:
    """Nearest drivable permanently shadowed edge pixels, as ``(x, y)`` [m].

    Parameters
    ----------
    psr : DataArray (y, x)
        Permanent-shadow map (1 = PSR), map contract (see :mod:`lupex.illumination`).
    slope_deg : array_like (y, x)
        Terrain slope [deg] on the same grid.
    start_xy : (float, float)
        Start (landing site) [m] in the map's CRS.
    n : int
        Number of targets wanted (fewer are returned when fewer exist).
    max_slope_deg : float
        Only pixels with a slope at or below this are proposed [deg] (the rover's planning
        slope limit).
    max_distance_m : float
        Ignore edge pixels farther than this from the start [m].
    min_separation_m : float
        Targets are at least this far apart [m].

    Returns
    -------
    list of (x, y)
        Targets ordered by distance from the start (the order to visit them in).
    """
    if n < 1:
        raise ParameterError(f"psr_edge_targets: n = {n} must be >= 1.")
    p = np.asarray(psr.values) == 1
    s = np.asarray(getattr(slope_deg, "values", slope_deg), dtype=float)
    if s.shape != p.shape:
        raise ParameterError(f"psr_edge_targets: slope map shape {s.shape} differs from the PSR "
                             f"map's {p.shape}; compute both on the same DEM.")
    lit = ~p
    nb = np.zeros_like(p)
    nb[1:, :] |= lit[:-1, :]
    nb[:-1, :] |= lit[1:, :]
    nb[:, 1:] |= lit[:, :-1]
    nb[:, :-1] |= lit[:, 1:]
    edge = p & nb & (s <= max_slope_deg)
    iy, ix = np.nonzero(edge)
    if iy.size == 0:
        return []
    x = np.asarray(psr["x"].values, dtype=float)[ix]
    y = np.asarray(psr["y"].values, dtype=float)[iy]
    d = np.hypot(x - start_xy[0], y - start_xy[1])
    order = np.argsort(d, kind="stable")
    out: list[tuple[float, float]] = []
    for k in order:
        if d[k] > max_distance_m:
            break
        if all(np.hypot(x[k] - a, y[k] - b) >= min_separation_m for a, b in out):
            out.append((float(x[k]), float(y[k])))
            if len(out) == n:
                break
    return out
