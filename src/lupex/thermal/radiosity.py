"""Scattered sunlight and infrared exchange between terrain facets (radiosity).

With a view-factor matrix ``F`` (:func:`lupex.thermal.viewfactors.view_factor_matrix`), per facet
and epoch:

* visible, Lambertian albedo ``A`` to all orders: radiosity ``B = A (E + F B)``, scattered
  flux arriving ``Q_vis = F B`` (:func:`scattered_flux`);
* infrared, grey emissivity ``eps`` (Kirchhoff: absorbs ``eps``, reflects ``1 - eps``):
  ``J = eps sigma T^4 + (1 - eps) F J``, arriving ``Q_IR = F J`` (:func:`infrared_flux`;
  ``ir_reflection=False`` gives the common single-exchange ``Q_IR = F eps sigma T^4``);
* absorbed: ``(1 - A)(E + Q_vis) + eps Q_IR`` (:func:`absorbed_flux`), what the conduction
  stepper needs each time step with its current surface temperatures.

The linear systems ``x = s + rho (F x)`` are solved by the Neumann series (Jacobi iteration
from ``x = s``), whose n-th term is the n-th bounce; it converges because ``rho`` times each
row sum of ``F`` is < 1. ``n_bounces`` truncates it (1 = single scattering).

References
----------
.. [1] Ingersoll, A. P., Svitek, T. and Murray, B. C. (1992). Stability of polar frosts in
   spherical bowl-shaped craters on the Moon, Mercury and Mars. Icarus 100, 40-47.
.. [2] Hayne, P. O. et al. (2021). Micro cold traps on the Moon. Nature Astronomy 5, 169-175
   (Methods restate Ingersoll's bowl solution).
.. [3] Paige, D. A. et al. (2010). Diviner observations of cold traps in the Moon's south polar
   region. Science 330, 479-482 (scattered + IR radiosity in a 3-D model).
.. [4] Schorghofer, N. Planetary-Code-Collection, Topo3D (same equations, Fortran; its bowl
   test compares with Ingersoll 1992).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from lupex.constants import SOLAR_CONSTANT_W_M2, STEFAN_BOLTZMANN
from lupex.errors import ParameterError, check_range
from lupex.thermal.viewfactors import HierarchicalViewFactors

__all__ = [
    "absorbed_flux",
    "equilibrium_temperature",
    "infrared_flux",
    "ingersoll_bowl_temperature",
    "radiosity_fluxes",
    "scattered_flux",
]


def _check_F(F) -> sp.csr_matrix:
    if isinstance(F, HierarchicalViewFactors):
        return F
    if not sp.issparse(F) and not isinstance(F, np.ndarray):
        raise ParameterError("F must be a view-factor matrix (scipy.sparse or ndarray (n, n), "
                             "or a HierarchicalViewFactors); build it with view_factor_matrix or "
                             "view_factor_operator.")
    if F.ndim != 2 or F.shape[0] != F.shape[1]:
        raise ParameterError(f"F must be square (n, n); got shape {F.shape}.")
    return sp.csr_matrix(F) if not sp.isspmatrix_csr(F) else F


def _per_facet(name: str, value, n: int, lo: float, hi: float) -> np.ndarray:
    """Scalar or (n,) array -> (n,) float array, checked against [lo, hi]."""
    v = np.asarray(value, dtype=float)
    if v.ndim == 0:
        check_range(name, float(v), lo, hi)
        return np.full(n, float(v))
    if v.shape != (n,):
        raise ParameterError(f"{name} has shape {v.shape}; expected a scalar or ({n},) per facet.")
    if not np.all(np.isfinite(v)) or v.min() < lo or v.max() > hi:
        raise ParameterError(f"{name} must lie in [{lo:g}, {hi:g}] at every facet "
                             f"(found {np.nanmin(v):g} .. {np.nanmax(v):g}).")
    return v


def _vector(name: str, value, n: int, *, unit: str) -> np.ndarray:
    """(n,) or (n, k) finite non-negative float array."""
    v = np.asarray(value, dtype=float)
    if v.ndim not in (1, 2) or v.shape[0] != n:
        raise ParameterError(f"{name} has shape {v.shape}; expected ({n},) or ({n}, k) "
                             f"[{unit}], one row per facet of F.")
    if not np.all(np.isfinite(v)) or np.any(v < 0):
        raise ParameterError(f"{name} must be finite and >= 0 [{unit}] (found NaN, inf or a "
                             "negative value).")
    return v


def _neumann(F: sp.csr_matrix, source: np.ndarray, rho: np.ndarray, *,
             n_bounces: int | None, rtol: float = 1e-12, max_iter: int = 10_000) -> np.ndarray:
    """Solve ``x = source + rho * (F @ x)`` by summing bounces; stop at ``n_bounces`` or rtol."""
    # row sums of a view-factor matrix are <= ~1, so only a reflectance near 1 can diverge
    gain = 0.0
    if n_bounces is None and rho.size and rho.max() > 0.9:
        gain = float((rho * np.asarray(F.sum(axis=1)).ravel()).max(initial=0.0))
    if gain >= 1.0:
        raise ParameterError(f"radiosity iteration cannot converge: a row of F times the "
                             f"reflectance sums to {gain:.4g} >= 1 (F's row sums must be < 1; "
                             "a closed enclosure with no sky traps all energy).")
    r = rho if source.ndim == 1 else rho[:, None]
    x = source.copy()
    term = source
    if n_bounces is not None:
        if n_bounces < 0:
            raise ParameterError(f"n_bounces = {n_bounces} must be >= 0 (or None: converged).")
        for _ in range(n_bounces):
            term = r * (F @ term)
            x += term
        return x
    scale = float(np.abs(x).max(initial=0.0))
    for _ in range(max_iter):
        term = r * (F @ term)
        x += term
        t = float(np.abs(term).max(initial=0.0))
        if t <= rtol * max(scale, float(np.abs(x).max(initial=0.0))) or t == 0.0:
            return x
    raise ParameterError(f"radiosity iteration did not converge in {max_iter} bounces: some row "
                         "of F times the reflectance is >= 1 (check F's row sums, which must be "
                         "<= 1, and the albedo / emissivity).")


def scattered_flux(F, direct_flux_w_m2, albedo, *, n_bounces: int | None = None) -> np.ndarray:
    """Sunlight scattered by the surrounding terrain onto each facet [W m-2].

    Parameters
    ----------
    F : sparse (n, n)
        View factors [1].
    direct_flux_w_m2 : array (n,) or (n, k)
        Direct solar flux on each facet (visible disc fraction x cos incidence x S) [W m-2];
        k columns = k epochs solved at once.
    albedo : float or array (n,)
        Lambertian albedo of each facet [1], in [0, 1).
    n_bounces : int, optional
        Number of scatterings to keep (1 = single scattering); default: converged.

    Returns
    -------
    ndarray like ``direct_flux_w_m2``
        ``Q_vis = F B`` with ``B = A (E + F B)``: visible flux arriving at each facet from the
        terrain [W m-2]; the facet absorbs ``(1 - A) Q_vis``.
    """
    F = _check_F(F)
    n = F.shape[0]
    E = _vector("direct_flux_w_m2", direct_flux_w_m2, n, unit="W m-2")
    a = _per_facet("albedo", albedo, n, 0.0, 0.999)
    ra = a if E.ndim == 1 else a[:, None]
    if n_bounces == 0:
        return np.zeros_like(E)
    nb = None if n_bounces is None else n_bounces - 1
    B = _neumann(F, ra * E, a, n_bounces=nb)  # B = A E + A F B
    return F @ B


def infrared_flux(F, t_surface_k, emissivity=0.95, *, ir_reflection: bool = True,
                  n_bounces: int | None = None) -> np.ndarray:
    """Thermal infrared emitted (and reflected) by the terrain arriving at each facet [W m-2].

    Parameters
    ----------
    F : sparse (n, n)
        View factors [1].
    t_surface_k : array (n,) or (n, k)
        Surface temperature of each facet [K].
    emissivity : float or array (n,)
        Infrared emissivity [1] (0.95 standard for lunar regolith).
    ir_reflection : bool
        Include the reflected infrared, ``1 - eps`` of what arrives, to all orders (default;
        Kirchhoff-consistent, as in Ingersoll 1992). False: single exchange
        ``Q_IR = F eps sigma T^4``.
    n_bounces : int, optional
        Truncate the reflection series (with ``ir_reflection``).

    Returns
    -------
    ndarray like ``t_surface_k``
        ``Q_IR`` [W m-2]; the facet absorbs ``eps Q_IR``.
    """
    F = _check_F(F)
    n = F.shape[0]
    T = _vector("t_surface_k", t_surface_k, n, unit="K")
    e = _per_facet("emissivity", emissivity, n, 1e-3, 1.0)
    re = e if T.ndim == 1 else e[:, None]
    emitted = re * STEFAN_BOLTZMANN * T**4
    if not ir_reflection:
        return F @ emitted
    J = _neumann(F, emitted, 1.0 - e, n_bounces=n_bounces)  # J = eps sigma T^4 + (1-eps) F J
    return F @ J


def radiosity_fluxes(F, direct_flux_w_m2, t_surface_k, *, albedo, emissivity=0.95,
                     ir_reflection: bool = True, n_bounces: int | None = None
                     ) -> dict[str, np.ndarray]:
    """All flux terms per facet [W m-2]: direct, scattered, infrared and absorbed.

    Returns a dict with ``direct``, ``scattered`` (visible arriving from terrain), ``infrared``
    (IR arriving from terrain) and ``absorbed = (1 - A)(direct + scattered) + eps infrared``.
    Parameters as in :func:`scattered_flux` and :func:`infrared_flux`.
    """
    F = _check_F(F)
    n = F.shape[0]
    E = _vector("direct_flux_w_m2", direct_flux_w_m2, n, unit="W m-2")
    a = _per_facet("albedo", albedo, n, 0.0, 0.999)
    e = _per_facet("emissivity", emissivity, n, 1e-3, 1.0)
    q_vis = scattered_flux(F, E, a, n_bounces=n_bounces)
    q_ir = infrared_flux(F, t_surface_k, e, ir_reflection=ir_reflection, n_bounces=n_bounces)
    if q_ir.shape != E.shape:
        raise ParameterError(f"t_surface_k shape {np.shape(t_surface_k)} differs from "
                             f"direct_flux_w_m2 shape {E.shape}.")
    ra = a if E.ndim == 1 else a[:, None]
    re = e if E.ndim == 1 else e[:, None]
    absorbed = (1.0 - ra) * (E + q_vis) + re * q_ir
    return {"direct": E, "scattered": q_vis, "infrared": q_ir, "absorbed": absorbed}


def absorbed_flux(F, direct_flux_w_m2, t_surface_k, *, albedo, emissivity=0.95,
                  ir_reflection: bool = True, n_bounces: int | None = None) -> np.ndarray:
    """Total absorbed flux per facet for the thermal stepper [W m-2].

    ``(1 - A)(E + Q_vis) + eps Q_IR(T)``: direct plus terrain-scattered sunlight plus terrain
    infrared at the current surface temperatures. Call it every time step; see
    :func:`radiosity_fluxes` for the parameters and the separate terms.
    """
    return radiosity_fluxes(F, direct_flux_w_m2, t_surface_k, albedo=albedo,
                            emissivity=emissivity, ir_reflection=ir_reflection,
                            n_bounces=n_bounces)["absorbed"]


def equilibrium_temperature(F, direct_flux_w_m2, *, albedo, emissivity=0.95,
                            ir_reflection: bool = True, n_bounces: int | None = None,
                            ir_bounces: int | None = None) -> np.ndarray:
    """Surface temperature in instantaneous radiative equilibrium, no conduction [K].

    Solves ``eps sigma T^4 = (1 - A)(E + Q_vis) + eps Q_IR(T)`` for all facets at once. With
    ``S = (1 - A)(E + Q_vis)``: ``ir_reflection`` gives ``J = S + F J`` (the total infrared
    leaving a facet equals what it absorbs plus what it receives), otherwise the emitted
    ``w = eps sigma T^4`` obeys ``w = S + eps F w``.

    Parameters
    ----------
    F, direct_flux_w_m2, albedo, emissivity, ir_reflection
        As in :func:`radiosity_fluxes`.
    n_bounces : int, optional
        Truncate the visible scattering (1 = single scattering).
    ir_bounces : int, optional
        Truncate the infrared exchange: 0 = none, 1 = a facet receives only the infrared of
        facets heated by (direct + scattered) sunlight, no mutual heating; default converged.
    """
    F = _check_F(F)
    n = F.shape[0]
    E = _vector("direct_flux_w_m2", direct_flux_w_m2, n, unit="W m-2")
    a = _per_facet("albedo", albedo, n, 0.0, 0.999)
    e = _per_facet("emissivity", emissivity, n, 1e-3, 1.0)
    ra = a if E.ndim == 1 else a[:, None]
    re = e if E.ndim == 1 else e[:, None]
    S = (1.0 - ra) * (E + scattered_flux(F, E, a, n_bounces=n_bounces))
    if ir_bounces == 0:
        emitted = S
    elif ir_reflection:
        nb = None if ir_bounces is None else ir_bounces - 1
        J = _neumann(F, S, np.ones(n), n_bounces=nb)
        emitted = S + re * (F @ J)
    else:
        emitted = _neumann(F, S, e, n_bounces=ir_bounces)
    return (emitted / (re * STEFAN_BOLTZMANN)) ** 0.25


def ingersoll_bowl_temperature(depth_to_diameter: float, sun_elevation_deg: float, *,
                               solar_flux_w_m2: float = SOLAR_CONSTANT_W_M2,
                               albedo: float = 0.12, emissivity: float = 0.95) -> float:
    """Shadowed-floor temperature of a spherical bowl crater in radiative equilibrium [K].

    Ingersoll, Svitek & Murray (1992), restated by Hayne et al. (2021, Methods)::

        sigma T^4 = S sin(e0) f (1 - A) / (1 - A f) * (1 + A (1 - f) / eps)
        f = 4 (d/D)^2 / (1 + 4 (d/D)^2)     (crater's view factor = cap area / 4 pi R_s^2)

    Every shadowed point of the bowl has this temperature (each point sees every other with
    ``F_ij = A_j / (4 pi R_s^2)``). Valid while part of the floor is in shadow, i.e. the Sun is
    lower than the rim slope ``atan(4 (d/D) / (1 - 4 (d/D)^2))``.

    Parameters
    ----------
    depth_to_diameter : float
        Crater depth / rim diameter d/D [1], in (0, 0.5].
    sun_elevation_deg : float
        Solar elevation above the crater's rim plane [deg].
    solar_flux_w_m2 : float
        Solar irradiance S [W m-2] (1361 at 1 AU).
    albedo, emissivity : float
        Lambertian visible albedo and infrared emissivity [1].
    """
    g = check_range("depth_to_diameter", depth_to_diameter, 0.0, 0.5, lo_open=True)
    e0 = check_range("sun_elevation_deg", sun_elevation_deg, 0.0, 90.0, unit="deg")
    rim_slope = np.degrees(np.arctan2(4 * g, 1 - 4 * g * g))
    if e0 >= rim_slope:
        raise ParameterError(f"sun_elevation_deg = {e0:g} deg lights the whole bowl "
                             f"(rim slope {rim_slope:.2f} deg for d/D = {g:g}); the shadowed-floor "
                             "formula needs the Sun below the rim slope.")
    A = check_range("albedo", albedo, 0.0, 1.0, hi_open=True)
    eps = check_range("emissivity", emissivity, 0.0, 1.0, lo_open=True)
    f = 4 * g * g / (1 + 4 * g * g)
    s = solar_flux_w_m2 * np.sin(np.radians(e0))
    t4 = s * f * (1 - A) / (1 - A * f) * (1 + A * (1 - f) / eps) / STEFAN_BOLTZMANN
    return float(t4**0.25)
