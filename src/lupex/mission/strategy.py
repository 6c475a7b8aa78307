"""Where the rover goes: the prospecting survey and the choice of drill sites.

- The survey is a boustrophedon ("lawnmower") pattern over the square exploration area centred
  on the landing site, the pattern of systematic area coverage (Choset 2001 [1]); its line
  spacing is the area divided by the planned survey length, ``s = A^2 / L`` (a 1 km square and a
  10 km survey give 100 m lines), so the planned distance is the preset's traverse goal.
- Drill sites:

  ``guided``  the measured cell with the highest neutron water-equivalent hydrogen so far (the
              value of prospecting: drill where the survey says the hydrogen is), at least
              ``separation_m`` from earlier drill sites; ties and an empty survey fall back to
              the grid;
  ``grid``    a fixed square grid of ``n`` points over the exploration area, visited nearest
              first (what a mission without a prospecting instrument would do).

Limits: the guided rule is greedy (no look-ahead on drive cost or on the measurement's sigma;
an upper-confidence rule would be the next step).

References
----------
.. [1] Choset, H. (2001). Coverage for robotics - a survey of recent results. Annals of
   Mathematics and Artificial Intelligence 31, 113-126 (boustrophedon decomposition).
"""

from __future__ import annotations

import math

import numpy as np

from lupex.errors import ParameterError


def survey_spacing_m(area_m: float, goal_m: float, *, min_spacing_m: float) -> float:
    """Line spacing of a lawnmower survey covering a square of side ``area_m`` in ``goal_m``."""
    if area_m <= 0 or goal_m <= 0:
        raise ParameterError(f"survey: area_m = {area_m!r} and traverse goal {goal_m!r} m must be > 0.")
    return float(min(max(area_m * area_m / goal_m, min_spacing_m), area_m))


def lawnmower(centre_xy: tuple[float, float], area_m: float, spacing_m: float) -> np.ndarray:
    """Waypoints (x, y) [m] of a boustrophedon over the square of side ``area_m``: the ends of
    each line, lines ``spacing_m`` apart, alternating direction."""
    half = area_m / 2.0
    n = max(math.floor(area_m / spacing_m) + 1, 1)
    ys = centre_xy[1] - half + np.arange(n) * spacing_m
    pts = []
    for i, y in enumerate(ys):
        xa, xb = centre_xy[0] - half, centre_xy[0] + half
        pts += [(xa, y), (xb, y)] if i % 2 == 0 else [(xb, y), (xa, y)]
    return np.asarray(pts, float)


def grid_sites(centre_xy: tuple[float, float], area_m: float, n: int) -> np.ndarray:
    """``n`` points of a square grid covering the exploration area (cell centres), (n, 2) [m]."""
    if n <= 0:
        return np.zeros((0, 2))
    k = math.ceil(math.sqrt(n))
    step = area_m / k
    c = -area_m / 2.0 + step * (np.arange(k) + 0.5)
    xx, yy = np.meshgrid(centre_xy[0] + c, centre_xy[1] + c)
    pts = np.column_stack([xx.ravel(), yy.ravel()])
    # keep n of the k^2 points, spread evenly over the grid
    idx = np.round(np.linspace(0, k * k - 1, n)).astype(int)
    return pts[idx]


def nearest_first(points: np.ndarray, start_xy: tuple[float, float]) -> np.ndarray:
    """Order ``points`` greedily, nearest first from ``start_xy`` (a nearest-neighbour tour)."""
    left = list(range(len(points)))
    order = []
    cur = np.asarray(start_xy, float)
    while left:
        d = [float(np.hypot(*(points[i] - cur))) for i in left]
        j = left.pop(int(np.argmin(d)))
        order.append(j)
        cur = points[j]
    return points[order] if order else points


def guided_site(measured_xy: np.ndarray, weh_wt_pct: np.ndarray, drilled_xy: np.ndarray, *,
                separation_m: float) -> tuple[float, float] | None:
    """The measured point of highest water-equivalent hydrogen at least ``separation_m`` from
    every earlier drill site, or ``None`` when there is none.

    Parameters
    ----------
    measured_xy : ndarray (n, 2)
        Where the neutron readings were taken [m].
    weh_wt_pct : ndarray (n,)
        The readings [wt%].
    drilled_xy : ndarray (m, 2)
        Earlier drill sites [m].
    separation_m : float
        Least distance to an earlier site [m].
    """
    xy = np.asarray(measured_xy, float).reshape(-1, 2)
    w = np.asarray(weh_wt_pct, float)
    if xy.shape[0] == 0:
        return None
    ok = np.isfinite(w)
    d = np.asarray(drilled_xy, float).reshape(-1, 2)
    if d.shape[0]:
        dist = np.hypot(xy[:, None, 0] - d[None, :, 0], xy[:, None, 1] - d[None, :, 1]).min(axis=1)
        ok &= dist >= separation_m
    if not ok.any():
        return None
    i = int(np.argmax(np.where(ok, w, -np.inf)))
    return float(xy[i, 0]), float(xy[i, 1])
