"""Crater shapes and crater populations for the synthetic terrain (private helpers).

Three pieces, each written once:

- :func:`degraded_profile_table`: normalised radial profiles ``z/D`` of a simple crater versus
  ``u = r/R``, from fresh (Pike 1977 morphometry) to degraded, made by linear topographic
  diffusion of the fresh profile (the degradation model of Fassett & Thomson 2014).
- :func:`sample_population`: a power-law crater population ``N(>D) = C D^-2`` (equilibrium
  slope), positions uniform, degradation state uniform.
- :func:`stamp_craters`: adds the craters to an elevation grid (numba kernel).

References
----------
.. [1] Pike, R. J. (1977). Size-dependence in the shape of fresh impact craters on the Moon.
   In Impact and Explosion Cratering, 489-509. (Fresh simple craters: depth/diameter ~0.2,
   rim height ~0.036 D.)
.. [2] Melosh, H. J. (1989). Impact Cratering: A Geologic Process. Oxford Univ. Press.
   (Ejecta thickness ~ (r/R)^-3; geometric saturation N(>D) = 1.54 D^-2 per km^2.)
.. [3] Fassett, C. I. & Thomson, B. J. (2014). Crater degradation on the lunar maria: Topographic
   diffusion and the rate of erosion on the Moon. J. Geophys. Res. Planets 119, 2255-2271.
   (Crater degradation modelled as linear diffusion of the topographic profile.)
.. [4] Gault, D. E. (1970). Saturation and equilibrium conditions for impact cratering on the
   lunar surface. Radio Science 5, 273-291. (Equilibrium populations of small craters follow
   a cumulative D^-2 law at a few per cent of geometric saturation.)
"""

from __future__ import annotations

import functools

import numba
import numpy as np

FRESH_DEPTH_RATIO = 0.2
"""Rim-crest-to-floor depth / rim diameter of a fresh simple lunar crater (Pike 1977) [1]."""

FRESH_RIM_RATIO = 0.036
"""Rim height above the surroundings / diameter of a fresh simple crater (Pike 1977) [1]."""

MOST_DEGRADED_DEPTH_RATIO = 0.05
"""Depth/diameter of the most degraded craters of the population [1]."""

GEOMETRIC_SATURATION = 1.54
"""Geometric saturation density: cumulative N(>D) = 1.54 D^-2 per km^2, D in km (Melosh 1989)."""

PROFILE_U_MAX = 4.0
"""Outer radius of the tabulated profiles in crater radii (the ejecta blanket is cut there)."""

_DU = 0.01


def fresh_profile(u: np.ndarray) -> np.ndarray:
    """Fresh simple-crater profile ``z/D`` versus ``u = r/R``.

    Parabolic bowl inside (floor at ``h_r - d``), rim crest at ``h_r = 0.036 D``, ejecta
    ``h_r (r/R)^-3`` outside (Melosh 1989), tapered to reach 0 at ``u = PROFILE_U_MAX``.
    """
    u = np.asarray(u, dtype=float)
    d, hr = FRESH_DEPTH_RATIO, FRESH_RIM_RATIO
    inside = (hr - d) + d * u**2
    c3 = PROFILE_U_MAX**-3.0
    with np.errstate(divide="ignore"):
        outside = hr * (np.maximum(u, 1.0) ** -3.0 - c3) / (1.0 - c3)
    return np.where(u <= 1.0, inside, np.where(u < PROFILE_U_MAX, outside, 0.0))


@functools.lru_cache(maxsize=4)
def degraded_profile_table(n_levels: int = 32) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Radial profiles from fresh to degraded, by axisymmetric linear diffusion.

    Solves ``dz/dt = (1/u) d/du (u dz/du)`` (non-dimensional, ``u = r/R``) from the fresh
    profile and keeps a snapshot each time the depth/diameter ratio (rim crest minus centre,
    over ``D``) falls to the next of ``n_levels`` values evenly spaced from 0.2 to 0.05.
    Because diffusion is linear and scale-free, one table serves every diameter
    (Fassett & Thomson 2014 [3]).

    Returns
    -------
    u : ndarray, shape (n_u,)
        Radial coordinate [crater radii].
    depth_ratio : ndarray, shape (n_levels,)
        Depth/diameter of each level (level 0 is fresh).
    table : ndarray, shape (n_levels, n_u)
        ``z/D`` of each level; ``z`` relative to the far surroundings.
    """
    u = np.arange(0.0, PROFILE_U_MAX + _DU / 2, _DU)
    z = fresh_profile(u)
    targets = np.linspace(FRESH_DEPTH_RATIO, MOST_DEGRADED_DEPTH_RATIO, n_levels)
    table = np.empty((n_levels, u.size))
    ratio = np.empty(n_levels)
    dt = 0.2 * _DU**2
    level = 0
    depth = z.max() - z[0]
    while level < n_levels:
        if depth <= targets[level] + 1e-12:
            table[level] = z
            ratio[level] = depth
            level += 1
            continue
        z = z + dt * radial_laplacian(z, u)
        depth = z.max() - z[0]
    return u, ratio, table


def radial_laplacian(z: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Axisymmetric Laplacian ``(1/u) d/du (u dz/du)`` on a uniform grid ``u`` (flux form).

    At the axis it is ``4 (z1 - z0) / du^2`` (twice the second derivative, by symmetry); the
    last node is held fixed (0 returned), i.e. a Dirichlet boundary.
    """
    du = u[1] - u[0]
    uf = 0.5 * (u[1:] + u[:-1])
    flux = uf * np.diff(z) / du
    out = np.empty_like(z)
    out[1:-1] = (flux[1:] - flux[:-1]) / (u[1:-1] * du)
    out[0] = 4.0 * (z[1] - z[0]) / du**2
    out[-1] = 0.0
    return out


def sample_population(rng: np.random.Generator, *, x_range_m: tuple[float, float],
                      y_range_m: tuple[float, float], d_min_m: float, d_max_m: float,
                      saturation_fraction: float) -> dict[str, np.ndarray]:
    """Draw a crater population with cumulative ``N(>D) = C D^-2`` per unit area.

    ``C = saturation_fraction * 1.54 km^2 km^-2`` (a fraction of geometric saturation,
    Melosh 1989 [2]; equilibrium populations sit at a few per cent of it, Gault 1970 [4]).
    Diameters follow the truncated power law between ``d_min_m`` and ``d_max_m``; centres are
    uniform over the given (already margin-extended) rectangle; the degradation state is uniform,
    i.e. depth/diameter uniform between 0.2 (fresh) and 0.05 (degraded).

    Returns a dict of 1-D arrays: ``x_m``, ``y_m``, ``diameter_m``, ``depth_ratio``.
    """
    area_km2 = (x_range_m[1] - x_range_m[0]) * (y_range_m[1] - y_range_m[0]) / 1e6
    c = saturation_fraction * GEOMETRIC_SATURATION  # per km^2, D in km
    dmin_km, dmax_km = d_min_m / 1000.0, d_max_m / 1000.0
    mean_n = c * area_km2 * (dmin_km**-2 - dmax_km**-2)
    n = int(rng.poisson(mean_n))
    uu = rng.random(n)
    q = (dmin_km / dmax_km) ** 2
    diam_km = dmin_km * (1.0 - uu * (1.0 - q)) ** -0.5
    x = rng.uniform(x_range_m[0], x_range_m[1], n)
    y = rng.uniform(y_range_m[0], y_range_m[1], n)
    ratio = rng.uniform(MOST_DEGRADED_DEPTH_RATIO, FRESH_DEPTH_RATIO, n)
    return {"x_m": x, "y_m": y, "diameter_m": diam_km * 1000.0, "depth_ratio": ratio}


def level_of(depth_ratio: np.ndarray, ratios: np.ndarray) -> np.ndarray:
    """Index of the tabulated profile whose depth/diameter is nearest to each ``depth_ratio``."""
    return np.abs(np.asarray(depth_ratio)[:, None] - ratios[None, :]).argmin(axis=1).astype(np.int64)


@numba.njit(cache=True)
def _stamp(z, x0, y0, dx, dy, cx, cy, diam, level, weight, u_tab, table):  # pragma: no cover - jit
    ny, nx = z.shape
    du = u_tab[1] - u_tab[0]
    nu = u_tab.size
    umax = u_tab[nu - 1]
    for k in range(cx.size):
        radius = 0.5 * diam[k]
        reach = umax * radius
        i0 = max(0, int(np.floor((cy[k] + reach - y0) / dy)))
        i1 = min(ny - 1, int(np.ceil((cy[k] - reach - y0) / dy)))
        j0 = max(0, int(np.floor((cx[k] - reach - x0) / dx)))
        j1 = min(nx - 1, int(np.ceil((cx[k] + reach - x0) / dx)))
        lev = level[k]
        scale = diam[k] * weight[k]
        for i in range(i0, i1 + 1):
            yy = y0 + i * dy - cy[k]
            for j in range(j0, j1 + 1):
                xx = x0 + j * dx - cx[k]
                u = np.sqrt(xx * xx + yy * yy) / radius
                if u >= umax:
                    continue
                f = u / du
                m = int(f)
                t = f - m
                z[i, j] += scale * ((1.0 - t) * table[lev, m] + t * table[lev, m + 1])


def stamp_craters(z: np.ndarray, x: np.ndarray, y: np.ndarray, craters: dict[str, np.ndarray],
                  *, weight: np.ndarray | None = None) -> None:
    """Add the crater profiles to ``z`` in place.

    ``x`` (increasing) and ``y`` (decreasing) are the pixel-centre coordinates [m] of ``z``.
    Craters add to the existing topography (full inheritance of the pre-impact surface), so the
    result does not depend on the order of the craters. ``weight`` scales each crater's relief
    (1 = as tabulated).
    """
    u_tab, ratios, table = degraded_profile_table()
    lev = level_of(craters["depth_ratio"], ratios)
    n = craters["x_m"].size
    w = np.ones(n) if weight is None else np.asarray(weight, dtype=float)
    dx = float(x[1] - x[0])
    dy = float(y[1] - y[0])
    _stamp(z, float(x[0]), float(y[0]), dx, dy, np.asarray(craters["x_m"], float),
           np.asarray(craters["y_m"], float), np.asarray(craters["diameter_m"], float), lev, w,
           u_tab, table)
