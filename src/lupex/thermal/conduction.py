"""1-D regolith heat conduction per column (the Hayne et al. 2017 standard lunar model).

Three public steps:

* :func:`equilibrate` spins a set of columns up under one period of forcing, repeated until
  the periodic state is reached (accelerated: after each period the deep profile is shifted
  so that the period-mean conductive flux equals the geothermal flux at every interface);
* :func:`integrate` runs columns forward from a state and reduces over time as it goes: max,
  min and mean temperature at chosen depths, optional time series for a few columns;
* :func:`simulate` does both for a periodic forcing (spin-up, then one recorded period).

The absorbed flux (W m-2, after albedo: direct + scattered + infrared from the terrain) is an
array ``(time, column)`` at uniform steps or a callable ``f(step) -> (column,)`` for streaming.

References
----------
.. [1] Hayne, P. O. et al. (2017). Global regolith thermophysical properties of the Moon from
   the Diviner Lunar Radiometer Experiment. JGR Planets 122, 2371-2400, Appendix A.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from lupex.constants import STEFAN_BOLTZMANN
from lupex.errors import ParameterError, check_range
from lupex.thermal._kernel import integrate_auto
from lupex.thermal.grid import YEAR_S, LayerGrid, layer_grid
from lupex.thermal.params import (
    RegolithParams,
    contact_conductivity,
    density,
    radiative_equilibrium_k,
)
from lupex.times import SECONDS_PER_DAY

FluxInput = np.ndarray | Callable[[int], np.ndarray]

_BLOCK = 512  # steps per block when the flux comes from a callable


@dataclass
class ThermalState:
    """Temperatures of a set of columns at one instant.

    Attributes
    ----------
    t_k : ndarray, shape (ncol, nz)
        Node temperatures [K].
    grid : LayerGrid
        Node depths.
    params : RegolithParams
        Properties the state was computed with.
    """

    t_k: np.ndarray
    grid: LayerGrid
    params: RegolithParams


@dataclass
class SpinupInfo:
    """Convergence diagnostics of :func:`equilibrate`.

    Attributes
    ----------
    cycles : int
        Periods run.
    converged : bool
        Whether the tolerance was met.
    max_correction_k : float
        Largest deep-profile correction applied after the last period [K].
    surface_mean_change_k : float
        Largest change of the period-mean surface temperature between the last two periods [K].
    bottom_drift_k_per_year : float
        Largest |dT/dt| of the bottom node over the last period, before correction [K / year].
    """

    cycles: int
    converged: bool
    max_correction_k: float
    surface_mean_change_k: float
    bottom_drift_k_per_year: float
    history: list[dict] = field(default_factory=list)


@dataclass
class ThermalStats:
    """Temperatures reduced over a run, at the output depths.

    Attributes
    ----------
    depths_m : ndarray, shape (nd,)
        Output depths [m] (0 = surface).
    t_max_k, t_min_k, t_mean_k : ndarray, shape (ncol, nd)
        Maximum, minimum and mean temperature over the run [K].
    series_k : ndarray, shape (nseries, nt, nd) or None
        Temperature time series of the requested columns [K].
    series_columns : ndarray of int
        Column index of each series.
    n_steps : int
        Steps integrated.
    state : ThermalState
        Final state (continue with :func:`integrate`).
    """

    depths_m: np.ndarray
    t_max_k: np.ndarray
    t_min_k: np.ndarray
    t_mean_k: np.ndarray
    series_k: np.ndarray | None
    series_columns: np.ndarray
    n_steps: int
    state: ThermalState


# --------------------------------------------------------------------------------- helpers

def _column_arrays(grid: LayerGrid, params: RegolithParams) -> dict:
    z = grid.z_m
    dz = grid.dz_m
    w = np.empty_like(z)
    w[0] = dz[0] / 2
    w[-1] = dz[-1] / 2
    w[1:-1] = (dz[:-1] + dz[1:]) / 2
    return dict(rho_w=density(z, params) * w, kc=contact_conductivity(z, params), dz=dz,
                chi350=params.chi / 350.0 ** 3,
                cpc=np.asarray(params.heat_capacity_coeffs, dtype=float),
                eps=params.emissivity, qb=params.geothermal_flux_w_m2)


def _output_interp(grid: LayerGrid, depths_m: Sequence[float] | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    z = grid.z_m
    if depths_m is None:
        d = z.copy()
    else:
        d = np.atleast_1d(np.asarray(depths_m, dtype=float))
    if d.size == 0:
        d = np.zeros(1)
    if np.any(~np.isfinite(d)) or np.any(d < 0) or np.any(d > z[-1]):
        raise ParameterError(
            f"depths_m = {d.tolist()} must lie within the model grid [0, {z[-1]:.3f}] m; "
            "ask for shallower depths or build a deeper grid (layer_grid(min_bottom_m=...)).")
    idx = np.clip(np.searchsorted(z, d, side="right") - 1, 0, z.size - 2)
    w = (d - z[idx]) / (z[idx + 1] - z[idx])
    w = np.where(np.isclose(w, 0.0, atol=1e-12), 0.0, w)
    return d, idx.astype(np.int64), w.astype(float)


def _check_flux_block(block: np.ndarray, ncol: int, where: str) -> np.ndarray:
    b = np.ascontiguousarray(block, dtype=float)
    if b.ndim == 1:
        b = b[:, None]
    if b.ndim != 2 or b.shape[1] != ncol:
        raise ParameterError(f"{where}: absorbed flux has shape {block.shape}; expected (time, {ncol}).")
    bad = ~np.isfinite(b) | (b < 0)
    if bad.any():
        t, c = np.argwhere(bad)[0]
        raise ParameterError(
            f"{where}: absorbed flux has {int(bad.sum())} NaN/negative values (first at step {t}, "
            f"column {c}: {b[t, c]!r}); fluxes must be finite and >= 0 W m-2 (fill gaps first).")
    return b


def _ncol_of(flux: FluxInput, ncol: int | None) -> int:
    if callable(flux):
        if ncol is None:
            return int(np.atleast_1d(np.asarray(flux(0))).size)
        return ncol
    a = np.asarray(flux)
    return 1 if a.ndim == 1 else int(a.shape[1])


def _blocks(flux: FluxInput, n_steps: int | None, ncol: int, where: str):
    """Yield (offset, block (nb, ncol)) over the forcing."""
    if callable(flux):
        if n_steps is None:
            raise ParameterError(f"{where}: a callable flux needs n_steps.")
        for s0 in range(0, n_steps, _BLOCK):
            nb = min(_BLOCK, n_steps - s0)
            blk = np.stack([np.atleast_1d(np.asarray(flux(s0 + k), dtype=float)) for k in range(nb)])
            yield s0, _check_flux_block(blk, ncol, where)
    else:
        arr = np.asarray(flux, dtype=float)
        if arr.ndim == 1:
            arr = arr[:, None]
        if n_steps is not None and n_steps != arr.shape[0]:
            raise ParameterError(f"{where}: n_steps = {n_steps} but the flux array has {arr.shape[0]} steps.")
        yield 0, _check_flux_block(arr, ncol, where)


def _n_steps(flux: FluxInput, n_steps: int | None) -> int:
    if callable(flux):
        if n_steps is None:
            raise ParameterError("a callable flux needs n_steps.")
        return int(n_steps)
    return int(np.asarray(flux).shape[0])


def initial_state(mean_absorbed_flux_w_m2, *, grid: LayerGrid | None = None,
                  params: RegolithParams = RegolithParams()) -> ThermalState:
    """A first-guess state: an isothermal column near the mean radiative temperature.

    Parameters
    ----------
    mean_absorbed_flux_w_m2 : array_like, shape (ncol,)
        Time-mean absorbed flux of each column [W m-2].
    """
    grid = grid or layer_grid(params)
    f = np.atleast_1d(np.asarray(mean_absorbed_flux_w_m2, dtype=float))
    # 0.9: a diurnally varying surface has a lower mean T than (<F>/(eps sigma))^(1/4)
    t0 = np.maximum(0.9 * radiative_equilibrium_k(f + params.geothermal_flux_w_m2, params), 20.0)
    return ThermalState(t_k=np.repeat(t0[:, None], grid.nz, axis=1), grid=grid, params=params)


# --------------------------------------------------------------------------------- public API

def integrate(flux: FluxInput, state: ThermalState, *, dt_s: float, n_steps: int | None = None,
              depths_m: Sequence[float] | None = (0.0,), series_columns: Sequence[int] = (),
              n_iter: int = 8, interface_conductivity: str = "mean",
              surface_feedback: bool = False, _accumulate: dict | None = None) -> ThermalStats:
    """Run columns forward from ``state`` and reduce temperatures over time as it goes.

    Parameters
    ----------
    flux : ndarray (nt, ncol) or (nt,), or callable ``f(step) -> (ncol,)``
        Absorbed flux at the end of each step [W m-2].
    state : ThermalState
        Start state (from :func:`equilibrate` or :func:`initial_state`); not modified.
    dt_s : float
        Time step [s]. The scheme is implicit and stable for any step; accuracy: see
        docs/thermal.md (1 h and 5 min agree within ~1 K on the lunar day).
    n_steps : int, optional
        Number of steps (required with a callable flux).
    depths_m : sequence of float or None
        Output depths [m]; ``None`` gives every model node.
    series_columns : sequence of int
        Columns whose full time series to keep (memory nt x len(depths)).
    n_iter : int
        Most Picard passes for the T-dependent conductivity and heat capacity per step (they
        stop when no node moves more than 1e-4 K; at least 2 unless n_iter = 1).
    interface_conductivity : {"mean", "upper"}
        Conductivity between two nodes: their mean (second order, the default) or the upper
        node's (heat1d's rule, first order; for validation against heat1d only).
    surface_feedback : bool
        With a callable flux: call it as ``f(step, t_surface_k)`` with the current surface
        temperatures (ncol,) before each step, for fluxes that depend on them (terrain infrared
        through radiosity). Steps then run one at a time.

    Returns
    -------
    ThermalStats
    """
    check_range("dt_s", dt_s, 0, None, lo_open=True, unit="s")
    check_range("n_iter", n_iter, 1, 20)
    if interface_conductivity not in ("mean", "upper"):
        raise ParameterError(f"interface_conductivity = {interface_conductivity!r}; use 'mean' or 'upper'.")
    grid, params = state.grid, state.params
    T = np.array(state.t_k, dtype=float, copy=True)
    ncol = T.shape[0]
    nt = _n_steps(flux, n_steps)
    if nt < 1:
        raise ParameterError("integrate: the forcing has no time steps.")
    if _ncol_of(flux, ncol) != ncol:
        raise ParameterError(f"integrate: the flux has {_ncol_of(flux, ncol)} columns, the state {ncol}.")
    d, idx, w = _output_interp(grid, depths_m)
    nd = d.size
    cols = np.asarray(list(series_columns), dtype=np.int64)
    if cols.size and (cols.min() < 0 or cols.max() >= ncol):
        raise ParameterError(f"series_columns {cols.tolist()} outside 0..{ncol - 1}.")
    slot = -np.ones(ncol, dtype=np.int64)
    slot[cols] = np.arange(cols.size)
    series = np.full((max(cols.size, 1), nt if cols.size else 1, nd), np.nan)
    tmax = np.full((ncol, nd), -np.inf)
    tmin = np.full((ncol, nd), np.inf)
    tsum = np.zeros((ncol, nd))
    arrs = _column_arrays(grid, params)
    acc = _accumulate is not None
    tnode = _accumulate["tnode"] if acc else np.zeros((1, 1))
    qsum = _accumulate["qsum"] if acc else np.zeros((1, 1))
    gsum = _accumulate["gsum"] if acc else np.zeros((1, 1))
    rad = _accumulate["rad"] if acc else np.zeros((1, 3))
    if surface_feedback:
        if not callable(flux):
            raise ParameterError("integrate: surface_feedback needs a callable flux f(step, t_surface_k).")
        blocks = ((s, _check_flux_block(np.atleast_1d(np.asarray(flux(s, T[:, 0].copy()), float))[None, :],
                                        ncol, "integrate")) for s in range(nt))
    else:
        blocks = _blocks(flux, n_steps, ncol, "integrate")
    T_prev = np.empty_like(T)  # carried across blocks: the kernel's first-pass extrapolation
    for s0, blk in blocks:
        integrate_auto(T, T_prev, s0 > 0, blk, float(dt_s), arrs["rho_w"], arrs["kc"], arrs["dz"], arrs["chi350"],
                         arrs["cpc"], arrs["eps"], arrs["qb"], int(n_iter),
                         interface_conductivity == "upper", idx, w, tmax, tmin, tsum,
                         slot, series, s0 if cols.size else 0, acc, tnode, qsum, gsum, rad)
    return ThermalStats(depths_m=d, t_max_k=tmax, t_min_k=tmin, t_mean_k=tsum / nt,
                        series_k=series if cols.size else None, series_columns=cols, n_steps=nt,
                        state=ThermalState(t_k=T, grid=grid, params=params))


def spinup_update(t_k: np.ndarray, acc: dict, *, nt: int, dt_s: float, t_bottom0_k: np.ndarray,
                  prev_mean_surface_k: np.ndarray | None, params: RegolithParams,
                  accelerate: bool = True) -> tuple[np.ndarray, float, float, float, np.ndarray]:
    """The end-of-period step of :func:`equilibrate` (its docstring gives the two corrections).

    ``acc`` holds the period sums the kernel accumulated (``tnode``, ``qsum``, ``gsum``,
    ``rad``); ``t_bottom0_k`` the bottom temperatures at the start of the period. Returns the
    corrected temperatures, the largest correction [K], the change of the period-mean surface
    temperature since ``prev_mean_surface_k`` [K], the bottom drift [K/yr] and this period's
    mean surface temperature (the next call's ``prev_mean_surface_k``).
    """
    period_s = nt * dt_s
    T = t_k
    qb = params.geothermal_flux_w_m2
    drift = float(np.max(np.abs(T[:, -1] - t_bottom0_k)) / period_s * YEAR_S)
    mean_surface = acc["tnode"][:, 0] / nt
    dsurf = (np.inf if prev_mean_surface_k is None
             else float(np.max(np.abs(mean_surface - prev_mean_surface_k))))
    corr = 0.0
    if accelerate:
        dstep = (qb - acc["qsum"] / nt) / (acc["gsum"] / nt)
        # surface balance over the period: absorbed + Q_b = emitted; a uniform shift of the
        # column by d0 changes the emission by 4 eps sigma <T^3> d0 (Newton step). This
        # matters where the surface itself relaxes slowly (cold, shadowed columns).
        es = params.emissivity * STEFAN_BOLTZMANN
        resid = acc["rad"][:, 2] / nt + qb - es * acc["rad"][:, 0] / nt
        d0 = resid / (4.0 * es * acc["rad"][:, 1] / nt)
        delta = np.zeros_like(T)
        delta[:, 1:] = np.cumsum(dstep, axis=1)
        delta += d0[:, None]
        delta = np.clip(delta, -100.0, 100.0)
        corr = float(np.max(np.abs(delta)))
        T = np.maximum(T + delta, 2.0)
    return T, corr, dsurf, drift, mean_surface


def spinup_done(corr_k: float, dsurf_k: float, drift_k_per_year: float, *, period_s: float,
                tol_k: float, accelerate: bool = True) -> bool:
    """Whether :func:`equilibrate` stops: correction, change of the mean surface temperature
    and the bottom's drift over one period all below ``tol_k``."""
    return bool((corr_k < tol_k or not accelerate) and dsurf_k < tol_k
                and drift_k_per_year * period_s / YEAR_S < tol_k)


def equilibrate(flux_period: FluxInput, *, dt_s: float, n_steps: int | None = None,
                params: RegolithParams = RegolithParams(), grid: LayerGrid | None = None,
                state: ThermalState | None = None, tol_k: float = 0.01, max_cycles: int = 40,
                accelerate: bool = True, n_iter: int = 8, interface_conductivity: str = "mean",
                surface_feedback: bool = False) -> tuple[ThermalState, SpinupInfo]:
    """Spin columns up to the periodic state of a forcing period repeated.

    After each period the period-mean conductive flux at every interface is compared with the
    geothermal flux Q_b; the mean temperature differences across the interfaces are corrected
    by (Q_b - mean flux) / mean conductance, accumulated down from the surface node; the whole
    column is shifted by the Newton step of the period-mean surface balance (absorbed + Q_b =
    emitted); the correction is added to the state (``accelerate=True``). Without acceleration deep layers need decades of
    model time (the 2 m diffusion time is ~90 years); with it a few periods suffice.

    Parameters
    ----------
    flux_period : ndarray (nt, ncol) or (nt,), or callable
        Absorbed flux over one period [W m-2] (treated as periodic).
    dt_s : float
        Time step [s].
    n_steps : int, optional
        Steps in the period (required with a callable).
    params, grid : optional
        Regolith properties and layer grid (default: the standard model, a grid reaching 20
        annual skin depths when the period exceeds 60 days, else 20 diurnal ones).
    state : ThermalState, optional
        Start state (default: :func:`initial_state` from the mean flux).
    tol_k : float
        Stop when the correction and the change of the mean surface temperature between
        periods are both below this [K].
    max_cycles : int
        Most periods to run.
    surface_feedback : bool
        The flux is ``f(step, t_surface_k)`` (see :func:`integrate`); needs ``state``.

    Returns
    -------
    (ThermalState, SpinupInfo)
    """
    check_range("tol_k", tol_k, 0, None, lo_open=True, unit="K")
    check_range("max_cycles", max_cycles, 1, 100000)
    nt = _n_steps(flux_period, n_steps)
    period_s = nt * dt_s
    if grid is None:
        grid = layer_grid(params, bottom_period_s=YEAR_S if period_s > 60 * SECONDS_PER_DAY else None)
    if surface_feedback and state is None:
        raise ParameterError("equilibrate: surface_feedback needs a start state (initial_state(...)).")
    ncol = state.t_k.shape[0] if state is not None else _ncol_of(flux_period, None)
    if state is None:
        mean_f = np.zeros(ncol)
        for _s0, blk in _blocks(flux_period, n_steps, ncol, "equilibrate"):
            mean_f += blk.sum(axis=0)
        state = initial_state(mean_f / nt, grid=grid, params=params)
    prev_mean_surface = None
    history = []
    info = SpinupInfo(0, False, np.inf, np.inf, np.inf, history)
    for cycle in range(1, max_cycles + 1):
        acc = dict(tnode=np.zeros((ncol, grid.nz)), qsum=np.zeros((ncol, grid.nz - 1)),
                   gsum=np.zeros((ncol, grid.nz - 1)), rad=np.zeros((ncol, 3)))
        t_bottom0 = state.t_k[:, -1].copy()
        stats = integrate(flux_period, state, dt_s=dt_s, n_steps=n_steps, depths_m=(0.0,),
                          n_iter=n_iter, interface_conductivity=interface_conductivity,
                          surface_feedback=surface_feedback, _accumulate=acc)
        T, corr, dsurf, drift, prev_mean_surface = spinup_update(
            stats.state.t_k, acc, nt=nt, dt_s=dt_s, t_bottom0_k=t_bottom0,
            prev_mean_surface_k=prev_mean_surface, params=params, accelerate=accelerate)
        state = ThermalState(t_k=T, grid=grid, params=params)
        history.append(dict(cycle=cycle, max_correction_k=corr, surface_mean_change_k=dsurf,
                            bottom_drift_k_per_year=drift))
        done = spinup_done(corr, dsurf, drift, period_s=period_s, tol_k=tol_k, accelerate=accelerate)
        info = SpinupInfo(cycle, bool(done), corr, dsurf, drift, history)
        if done:
            break
    return state, info


def simulate(flux_period: FluxInput, *, dt_s: float, n_steps: int | None = None,
             params: RegolithParams = RegolithParams(), grid: LayerGrid | None = None,
             depths_m: Sequence[float] | None = (0.0,), series_columns: Sequence[int] = (),
             tol_k: float = 0.01, max_cycles: int = 40, n_iter: int = 8,
             interface_conductivity: str = "mean") -> tuple[ThermalStats, SpinupInfo]:
    """Spin up under a periodic forcing, then record one more period.

    Returns the statistics of the recorded period (max, min, mean at ``depths_m``; series of
    ``series_columns``) and the spin-up diagnostics. See :func:`equilibrate` and
    :func:`integrate` for the parameters.
    """
    state, info = equilibrate(flux_period, dt_s=dt_s, n_steps=n_steps, params=params, grid=grid,
                              tol_k=tol_k, max_cycles=max_cycles, n_iter=n_iter,
                              interface_conductivity=interface_conductivity)
    stats = integrate(flux_period, state, dt_s=dt_s, n_steps=n_steps, depths_m=depths_m,
                      series_columns=series_columns, n_iter=n_iter,
                      interface_conductivity=interface_conductivity)
    return stats, info
