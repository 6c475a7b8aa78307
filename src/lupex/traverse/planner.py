"""Plan a rover route in space and time: ``plan_traverse``.

From a start (cell and UTC time) through an ORDERED list of targets (science at each) to a safe
sunlit end, on a grid whose Sun and Earth visibility change with time. The search
(:func:`lupex.traverse._kernels.plan_kernel`) is a time-expanded A* whose labels carry the
battery state of charge and the two clocks (time in darkness, time without Earth contact);
the heuristic is the exact static travel time through the remaining targets (a Dijkstra per
target), which never over-estimates because waiting only adds time. Infeasible requests raise
:class:`lupex.errors.InfeasibleError` naming the binding constraint.
"""

from __future__ import annotations

import itertools
import time as _time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import xarray as xr

from lupex.errors import InfeasibleError, ParameterError
from lupex.times import SECONDS_PER_HOUR
from lupex.traverse import _kernels as K
from lupex.traverse.visibility import VisibilityStack
from lupex.vehicles.rover import MOON_G_M_S2, Rover

BINDING_MARGIN = 0.25
"""A constraint is reported as binding on a leg when its margin to the limit is below this [1]."""

ACTIONS = {K.KIND_START: "start", K.KIND_DRIVE: "drive", K.KIND_WAIT: "wait",
           K.KIND_SCIENCE: "science"}


@dataclass
class Grid:
    """The static part of the problem, flattened for the kernels."""

    ny: int
    nx: int
    dx_m: float
    dy_m: float
    x_m: np.ndarray
    y_m: np.ndarray
    elev_m: np.ndarray      # flat
    pace_s_m: np.ndarray    # flat, inf = impassable
    slope_deg: np.ndarray   # flat
    invk: np.ndarray        # flat 1 / projection scale factor
    crs: Any = None

    def cell(self, x_m: float, y_m: float, what: str = "point") -> int:
        """Flat index of the pixel containing ``(x_m, y_m)``; refuses points off the grid."""
        j = round((x_m - self.x_m[0]) / (self.x_m[1] - self.x_m[0]))
        i = round((y_m - self.y_m[0]) / (self.y_m[1] - self.y_m[0]))
        if not (0 <= i < self.ny and 0 <= j < self.nx):
            raise ParameterError(
                f"{what} (x = {x_m / 1e3:.3f} km, y = {y_m / 1e3:.3f} km) is outside the grid "
                f"(x {self.x_m.min() / 1e3:.3f}..{self.x_m.max() / 1e3:.3f} km, "
                f"y {self.y_m.min() / 1e3:.3f}..{self.y_m.max() / 1e3:.3f} km).")
        return i * self.nx + j

    def xy(self, cell: np.ndarray | int) -> tuple[np.ndarray, np.ndarray]:
        c = np.asarray(cell)
        return self.x_m[c % self.nx], self.y_m[c // self.nx]


def make_grid(dem: xr.DataArray, rover: Rover, *, slope_deg: Any = None,
              speed_m_s: Any = None, scale_factor: Any = None) -> Grid:
    """Build the planner grid from a DEM map.

    Parameters
    ----------
    dem : DataArray (y, x)
        Elevation [m] in a projected lunar CRS (the map contract).
    rover : Rover
        Slope limit and speed model.
    slope_deg : array_like, optional
        Terrain slope [deg]; default ``lupex.terrain.slope_aspect(dem)``.
    speed_m_s : array_like, optional
        Override the speed map [m s-1] (0 or NaN = impassable); used by tests and by users with
        their own trafficability map.
    scale_factor : array_like, optional
        Projection point scale factor k (ground distance = grid distance / k); default 1
        (error < 0.2 % poleward of 85 deg S).
    """
    elev = np.asarray(dem.values, dtype=np.float64)
    ny, nx = elev.shape
    x = np.asarray(dem["x"].values, float)
    y = np.asarray(dem["y"].values, float)
    if nx < 2 or ny < 2:
        raise ParameterError(f"the DEM is {ny} x {nx} pixels; the planner needs at least 2 x 2.")
    if slope_deg is None:
        from lupex.terrain import slope_aspect

        slope_deg = slope_aspect(dem)[0]
    slope = np.asarray(getattr(slope_deg, "values", slope_deg), dtype=np.float64)
    if speed_m_s is None:
        speed = rover.speed_m_s(slope)
    else:
        speed = np.asarray(getattr(speed_m_s, "values", speed_m_s), dtype=np.float64)
    speed = np.where(np.isfinite(speed) & np.isfinite(elev), speed, 0.0)
    with np.errstate(divide="ignore"):
        pace = np.where(speed > 0, 1.0 / np.where(speed > 0, speed, 1.0), np.inf)
    invk = np.ones(ny * nx) if scale_factor is None else \
        1.0 / np.asarray(getattr(scale_factor, "values", scale_factor), float).ravel()
    crs = dem.rio.crs if hasattr(dem, "rio") else None
    return Grid(ny=ny, nx=nx, dx_m=abs(x[1] - x[0]), dy_m=abs(y[1] - y[0]), x_m=x, y_m=y,
                elev_m=np.nan_to_num(elev, nan=0.0).ravel(), pace_s_m=pace.ravel(),
                slope_deg=slope.ravel(), invk=invk, crs=crs)


@dataclass
class TraversePlan:
    """A planned route: the full track (one row per move), its legs and a summary.

    ``track`` and ``legs`` are :class:`pandas.DataFrame`; ``summary`` and ``static`` (the static
    shortest path through the same points, for comparison) are plain dicts; ``search`` holds
    the search statistics (labels, expansions, seconds, states per second).
    """

    track: Any
    legs: Any
    summary: dict[str, Any]
    static: dict[str, Any]
    search: dict[str, Any]
    static_xy: np.ndarray = field(repr=False, default_factory=lambda: np.zeros((0, 2)))
    crs: Any = None

    def to_csv(self, path: Any) -> Any:
        from lupex.traverse.output import write_track_csv

        return write_track_csv(self, path)

    def to_geojson(self, path: Any) -> Any:
        from lupex.traverse.output import write_geojson

        return write_geojson(self, path)

    def plot(self, path: Any, *, dem: xr.DataArray | None = None) -> Any:
        from lupex.traverse.output import plot_plan

        return plot_plan(self, path, dem=dem)


def _rover_vector(rover: Rover, *, wait_quantum_s: float, dark_sun_fraction: float,
                  soc_resolution: float, clock_resolution: float) -> np.ndarray:
    rp = np.zeros(K.N_RP)
    rp[K.RP_CAP] = rover.battery_wh
    rp[K.RP_SOCMIN] = rover.soc_min_wh
    rp[K.RP_PBASE] = rover.power_drive_base_w
    rp[K.RP_MG] = rover.mass_kg * MOON_G_M_S2
    rp[K.RP_CRR] = rover.rolling_coeff
    rp[K.RP_EFF] = rover.drivetrain_efficiency
    rp[K.RP_PIDLE] = rover.power_idle_w
    rp[K.RP_PSCI] = rover.power_science_w
    rp[K.RP_PHIB] = rover.power_hibernate_w
    rp[K.RP_MAXDARK] = rover.max_darkness_h * SECONDS_PER_HOUR
    rp[K.RP_MAXNC] = rover.max_no_earth_h * SECONDS_PER_HOUR
    rp[K.RP_WAITQ] = wait_quantum_s
    rp[K.RP_EPS_SOC] = soc_resolution * rover.battery_wh
    rp[K.RP_EPS_T] = max(1.0, clock_resolution * rover.max_darkness_h * SECONDS_PER_HOUR)
    rp[K.RP_EPS_NC] = max(1.0, clock_resolution * rover.max_no_earth_h * SECONDS_PER_HOUR)
    rp[K.RP_DARK_THR] = np.floor(dark_sun_fraction * 254.0)
    return rp


def _first_lit(sun_u8: np.ndarray, goal: np.ndarray, thr: float, k0: int, chunk: int = 64) -> int:
    """First step >= k0 in which any goal cell is sunlit (n_steps if none)."""
    cells = np.flatnonzero(goal)
    for a in range(k0, sun_u8.shape[0], chunk):
        hit = (sun_u8[a:a + chunk][:, cells] > thr).any(axis=1)
        if hit.any():
            return a + int(np.argmax(hit))
    return sun_u8.shape[0]


def _sunlit_fraction(stack: VisibilityStack, thr: float, chunk: int = 64) -> np.ndarray:
    acc = np.zeros(stack.sun_u8.shape[1], np.float64)
    for k0 in range(0, stack.n_steps, chunk):
        acc += (stack.sun_u8[k0:k0 + chunk] > thr).sum(axis=0)
    return acc / stack.n_steps


def plan_traverse(dem: xr.DataArray, visibility: Any, *, start_xy: tuple[float, float],
                  start_time: Any, targets_xy: Sequence[tuple[float, float]] = (),
                  science_h: float | Sequence[float] = 2.0, end_xy: tuple[float, float] | None = None,
                  safe_mask: Any = None, safe_sun_fraction: float = 0.5,
                  rover: Rover | None = None, slope_deg: Any = None, speed_m_s: Any = None,
                  scale_factor: Any = None, window_h: float | None = None,
                  wait_quantum_s: float | None = None, dark_sun_fraction: float = 0.0,
                  soc_resolution: float = 0.005, clock_resolution: float = 0.02,
                  max_labels: int = 60_000_000, latlon: Any = None) -> TraversePlan:
    """Plan the fastest feasible route from a start through ordered targets to a safe end.

    Parameters
    ----------
    dem : DataArray (y, x)
        Elevation [m], map contract.
    visibility : VisibilityStack or provider
        Time-varying visibility (see :mod:`lupex.traverse.visibility`).
    start_xy : (x, y)
        Start (landing site) [m] in the DEM's CRS.
    start_time : datetime-like
        UTC start time.
    targets_xy : sequence of (x, y)
        Ordered targets [m]; the rover stops ``science_h`` at each.
    science_h : float or sequence
        Science duration at each target [h].
    end_xy : (x, y), optional
        Where to end (e.g. back at the lander). Default: any *safe* cell (``safe_mask``).
    safe_mask : array_like (y, x) bool, optional
        Cells where the rover may end; default: cells with any part of the Sun visible at least
        ``safe_sun_fraction`` of the planning window. The end cell must also be sunlit on arrival.
    rover : Rover, optional
        Rover parameters (LUPEX defaults).
    slope_deg, speed_m_s, scale_factor : array_like, optional
        See :func:`make_grid`.
    window_h : float, optional
        Length of the planning window [h] from ``start_time`` (default: all the visibility).
    wait_quantum_s : float, optional
        Granularity of "charge, then drive" within one visibility step [s]; default step / 6.
        The plan is optimal up to this granularity (docs/traverse.md).
    dark_sun_fraction : float
        Visible Sun fraction at or below which a cell counts as dark [1] (0: no part visible).
    soc_resolution, clock_resolution : float
        Resolution of the dominance test [1]: labels whose state of charge differs by less than
        ``soc_resolution x battery_wh``, or whose darkness / no-Earth clocks differ by less than
        ``clock_resolution x`` the clock's limit, count as equal (epsilon-dominance). 0 gives
        the exact label-setting search, often far slower (docs/traverse.md, "Resolution").
    max_labels : int
        Memory guard on the search (about 40 bytes each).
    latlon : (lat, lon) arrays, optional
        Latitude/longitude maps [deg] used to label the output (default from the DEM's CRS).

    Returns
    -------
    TraversePlan

    Raises
    ------
    InfeasibleError
        No route exists; the message names the binding constraint.
    """
    import pandas as pd

    rover = rover or Rover()
    grid = make_grid(dem, rover, slope_deg=slope_deg, speed_m_s=speed_m_s, scale_factor=scale_factor)
    shape = (grid.ny, grid.nx)
    t_start = np.datetime64(start_time, "s")
    stop = None if window_h is None else t_start + np.timedelta64(int(window_h * SECONDS_PER_HOUR), "s")
    stack = visibility if isinstance(visibility, VisibilityStack) else \
        VisibilityStack.from_frames(visibility, shape, start=t_start, stop=stop)
    if stack.shape != shape:
        raise ParameterError(f"visibility grid {stack.shape} differs from the DEM grid {shape}.")
    t0 = stack.seconds(t_start)
    horizon_s = stack.n_steps * stack.step_s
    if stop is not None:
        horizon_s = min(horizon_s, stack.seconds(stop))
    if not 0.0 <= t0 < horizon_s:
        raise ParameterError(f"start_time {t_start} is outside the visibility window "
                             f"[{stack.t0}, {stack.end}).")
    n_steps = int(np.ceil(horizon_s / stack.step_s))
    sun_u8 = stack.sun_u8[:n_steps]
    earth_u8 = stack.earth_u8[:n_steps]
    inc = rover.incidence_cos(stack.sun_elevation_deg[:n_steps],
                              np.where(np.isnan(stack.sun_azimuth_deg[:n_steps]), 0.0,
                                       stack.sun_azimuth_deg[:n_steps]))
    array_w = rover.array_rated_power_w * np.asarray(inc, float)
    wq = stack.step_s / 6.0 if wait_quantum_s is None else float(wait_quantum_s)
    if not 0 < wq <= stack.step_s:
        raise ParameterError(f"wait_quantum_s = {wq:g} s is outside the allowed range "
                             f"(0, {stack.step_s:g}] s (the visibility step).")
    wq = max(wq, stack.step_s / 15.0)  # the kernel tries at most 15 charging quanta per step
    for name, v in (("soc_resolution", soc_resolution), ("clock_resolution", clock_resolution)):
        if not 0.0 <= v < 0.5:
            raise ParameterError(f"{name} = {v!r} is outside the allowed range [0, 0.5).")
    rp = _rover_vector(rover, wait_quantum_s=wq, dark_sun_fraction=dark_sun_fraction,
                       soc_resolution=soc_resolution, clock_resolution=clock_resolution)
    thr = rp[K.RP_DARK_THR]

    # --- points and stages ----------------------------------------------------------------
    start_cell = grid.cell(*start_xy, what="start")
    targets = np.array([grid.cell(*p, what=f"target {i + 1}") for i, p in enumerate(targets_xy)],
                       dtype=np.int64)
    sci = np.broadcast_to(np.asarray(science_h, float), (len(targets),)) * SECONDS_PER_HOUR
    for i, c in enumerate([start_cell, *targets.tolist()]):
        if not np.isfinite(grid.pace_s_m[c]):
            what = "start" if i == 0 else f"target {i}"
            if not np.isfinite(grid.slope_deg[c]):
                raise InfeasibleError(f"{what} lies on a nodata pixel of the DEM (no elevation or "
                                      "slope there; binding constraint: terrain). Move the point.")
            raise InfeasibleError(
                f"{what} lies on a {grid.slope_deg[c]:.1f} deg slope, above the rover's planning "
                f"limit rover.slope_planning_deg = {rover.slope_planning_deg:g} deg (binding "
                "constraint: slope). Move the point or raise the limit.")
    if end_xy is not None:
        goal = np.zeros(grid.ny * grid.nx, bool)
        goal[grid.cell(*end_xy, what="end")] = True
    elif safe_mask is not None:
        goal = np.asarray(getattr(safe_mask, "values", safe_mask), bool).ravel().copy()
    else:
        goal = _sunlit_fraction(stack, thr)[: grid.ny * grid.nx] >= safe_sun_fraction
    goal &= np.isfinite(grid.pace_s_m)
    if not goal.any():
        raise InfeasibleError("no safe end cell: no passable cell is sunlit for at least "
                              f"safe_sun_fraction = {safe_sun_fraction:g} of the window (binding "
                              "constraint: sunlight). Lower safe_sun_fraction or give end_xy.")

    # --- static travel times: heuristic, reachability, static comparison ---------------------
    args = (grid.pace_s_m, grid.elev_m, grid.invk, grid.ny, grid.nx, grid.dx_m, grid.dy_m)
    n_stage = len(targets) + 1
    h = np.zeros((n_stage, grid.ny * grid.nx), np.float64)
    preds = []
    d_goal, p_goal = K.static_times(*args, np.flatnonzero(goal).astype(np.int64))
    h[-1] = d_goal
    dists = [d_goal]
    preds.append(p_goal)
    for s in range(len(targets) - 1, -1, -1):
        d, p = K.static_times(*args, targets[s:s + 1])
        h[s] = d + sci[s] + h[s + 1, targets[s]]
        dists.insert(0, d)
        preds.insert(0, p)
    points = [start_cell, *targets.tolist()]
    for s in range(n_stage):
        if not np.isfinite(dists[s][points[s]]):
            what = f"target {s + 1}" if s < len(targets) else "the end"
            raise InfeasibleError(
                f"{what} cannot be reached from {'the start' if s == 0 else f'target {s}'}: every "
                f"route crosses slopes above rover.slope_planning_deg = {rover.slope_planning_deg:g} "
                "deg (binding constraint: slope).")
    static_s = h[0, start_cell]
    if t0 + static_s >= horizon_s:
        raise InfeasibleError(
            f"even the static shortest route needs {static_s / SECONDS_PER_HOUR:.1f} h but the planning window "
            f"ends {(horizon_s - t0) / SECONDS_PER_HOUR:.1f} h after the start (binding constraint: planning "
            "window). Extend the window or drop targets.")
    _check_shadowed_targets(grid, rover, sun_u8, thr, targets, sci, args)

    # --- the search -------------------------------------------------------------------------
    soc0 = rover.battery_wh * rover.soc_start_fraction
    t_goal_lit = _first_lit(sun_u8, goal, thr, int(t0 // stack.step_s)) * stack.step_s
    t_goal_lit = max(t_goal_lit, t0)
    tic = _time.perf_counter()
    cpu = _time.process_time()
    (lt, lsoc, ldark, lnc, lwait, lcell, lstage, lkind, lpar, ctr) = K.plan_kernel(
        grid.ny, grid.nx, grid.dx_m, grid.dy_m, grid.pace_s_m, grid.elev_m, grid.invk,
        sun_u8, earth_u8, array_w, stack.step_s, rp, start_cell, t0, soc0, targets, sci, goal,
        h.astype(np.float64), float(t_goal_lit), int(max_labels), 1 << 16)
    secs = _time.perf_counter() - tic
    cpu = _time.process_time() - cpu
    search = {"labels": int(ctr[K.C_NLAB]), "expanded": int(ctr[K.C_EXPANDED]),
              "seconds": secs, "cpu_seconds": cpu,
              "expanded_per_s": ctr[K.C_EXPANDED] / max(secs, 1e-9),
              "expanded_per_cpu_s": ctr[K.C_EXPANDED] / max(cpu, 1e-9),
              "pruned_battery": int(ctr[K.C_SOC]), "pruned_darkness": int(ctr[K.C_DARK]),
              "pruned_earth": int(ctr[K.C_COMM]), "pruned_window": int(ctr[K.C_HORIZON]),
              "pruned_dominated": int(ctr[K.C_DOM]),
              "candidates": int(ctr[K.C_CAND]), "dominance_checks": int(ctr[K.C_WALK]), "grid": [grid.ny, grid.nx],
              "steps": int(n_steps), "step_s": stack.step_s, "wait_quantum_s": wq}
    status = int(ctr[K.C_STATUS])
    if status != 0:
        raise InfeasibleError(_explain_failure(search, rover, status, max_labels))
    goal_lab = int(ctr[K.C_GOAL])

    # --- reconstruct -----------------------------------------------------------------------
    chain = []
    i = goal_lab
    while i >= 0:
        chain.append(i)
        i = int(lpar[i])
    chain.reverse()
    rows = []
    cap = rover.battery_wh
    for lab in chain:
        kind = int(lkind[lab])
        w = float(lwait[lab])
        if kind == K.KIND_DRIVE and w > 0:  # charged in place before this drive
            p = int(lpar[lab])
            rows.append(_row(grid, stack, rover, array_w, thr, cell=int(lcell[p]), stage=int(lstage[p]),
                             t=float(lt[p]) + w, action="wait", soc=None, parent=(p, lt, lsoc),
                             dark=0.0, nc=None, lnc=lnc))
        rows.append(_row(grid, stack, rover, array_w, thr, cell=int(lcell[lab]), stage=int(lstage[lab]),
                         t=float(lt[lab]), action=ACTIONS[kind], soc=float(lsoc[lab]),
                         dark=float(ldark[lab]), nc=float(lnc[lab])))
    track = pd.DataFrame(rows)
    if latlon is None and grid.crs is not None:
        latlon = _latlon(grid)
    if latlon is not None:
        lat, lon = (np.asarray(a).ravel() for a in latlon)
        track.insert(4, "lat_deg", lat[track["cell"].to_numpy()])
        track.insert(5, "lon_deg", lon[track["cell"].to_numpy()])
    track["soc_fraction"] = track["soc_wh"] / cap
    _annotate_binding(track, rover)
    legs = _legs(track)
    static = _static_route(grid, rover, stack, array_w, thr, preds, points, sci, t0, soc0)
    total_h = (track["elapsed_s"].iloc[-1] - track["elapsed_s"].iloc[0]) / SECONDS_PER_HOUR
    summary = {
        "start_utc": str(stack.utc(t0)), "end_utc": str(track["time_utc"].iloc[-1]),
        "duration_h": total_h, "distance_m": float(track["step_m"].sum()),
        "drive_h": float(track.loc[track.action == "drive", "step_s"].sum() / SECONDS_PER_HOUR),
        "wait_h": float(track.loc[track.action == "wait", "step_s"].sum() / SECONDS_PER_HOUR),
        "science_h": float(sci.sum() / SECONDS_PER_HOUR), "soc_min_fraction": float(track["soc_fraction"].min()),
        "soc_end_fraction": float(track["soc_fraction"].iloc[-1]),
        "max_dark_h": float(track["dark_h"].max()), "max_no_earth_h": float(track["no_earth_h"].max()),
        "targets": len(targets),
    }
    return TraversePlan(track=track, legs=legs, summary=summary, static=static, search=search,
                        static_xy=static.pop("_xy"), crs=grid.crs)


def _latlon(grid: Grid):
    try:
        from pyproj import CRS, Transformer

        crs = CRS.from_user_input(grid.crs)
        tr = Transformer.from_crs(crs, crs.geodetic_crs, always_xy=True)
        xx, yy = np.meshgrid(grid.x_m, grid.y_m)
        lon, lat = tr.transform(xx, yy)
        return lat, lon
    except Exception:  # a CRS pyproj cannot invert: leave lat/lon out
        return None


def _conditions(stack, array_w, thr, k, cell):
    su = int(stack.sun_u8[k, cell])
    return su / 254.0, su > thr, bool(stack.earth_u8[k, cell] > 0), array_w[k] * su / 254.0


def _row(grid, stack, rover, array_w, thr, *, cell, stage, t, action, soc, dark, nc,
         parent=None, lnc=None):
    k = min(int(t // stack.step_s), stack.n_steps - 1)
    frac, sunlit, earth, p_in = _conditions(stack, array_w, thr, k, cell)
    if soc is None:  # a charging wait folded into the next drive: recompute its end state
        p, lt, lsoc = parent
        soc = min(rover.battery_wh, float(lsoc[p]) + (p_in - rover.power_idle_w) * (t - float(lt[p])) / SECONDS_PER_HOUR)
        nc = 0.0 if earth else float(lnc[p]) + (t - float(lt[p]))
    x, y = grid.xy(cell)
    return {"time_utc": str(stack.utc(t)), "elapsed_s": t, "x_m": float(x), "y_m": float(y),
            "cell": cell, "action": action, "stage": stage, "soc_wh": soc, "sun_fraction": frac,
            "sunlit": sunlit, "earth_visible": earth, "dark_h": dark / SECONDS_PER_HOUR,
            "no_earth_h": nc / SECONDS_PER_HOUR, "slope_deg": float(grid.slope_deg[cell])}


def _annotate_binding(track, rover: Rover) -> None:
    """Per row: time spent, distance, and the constraint with the least margin."""
    el = track["elapsed_s"].to_numpy()
    track["step_s"] = np.r_[0.0, np.diff(el)]
    dxy = np.hypot(np.diff(track["x_m"].to_numpy()), np.diff(track["y_m"].to_numpy()))
    track["step_m"] = np.r_[0.0, dxy]
    span = max(rover.battery_wh - rover.soc_min_wh, 1e-9)
    margins = np.stack([
        (track["soc_wh"].to_numpy() - rover.soc_min_wh) / span,
        1.0 - track["dark_h"].to_numpy() / rover.max_darkness_h,
        1.0 - track["no_earth_h"].to_numpy() / rover.max_no_earth_h,
        1.0 - track["slope_deg"].to_numpy() / rover.slope_planning_deg,
    ])
    names = np.array(["battery", "darkness", "earth_contact", "slope"])
    track["margin"] = margins.min(axis=0)
    # a constraint "binds" when it is within 25 % of its limit; otherwise only travel time does
    track["binding"] = np.where(track["margin"] < BINDING_MARGIN, names[margins.argmin(axis=0)],
                                "travel_time")


def _legs(track):
    """Group consecutive rows with one action (and one stage) into legs."""
    import pandas as pd

    key = (track["action"] != track["action"].shift()) | (track["stage"] != track["stage"].shift())
    track["leg"] = np.cumsum(key.to_numpy()) - 1
    out = []
    for leg, g in track.groupby("leg", sort=True):
        action = g["action"].iloc[0]
        # a wait is judged by the leg that follows it (what it waited for)
        nxt = track[track["leg"] == leg + 1]
        judge = g if action != "wait" or nxt.empty else nxt
        soc_gain = g["soc_wh"].iloc[-1] - (track["soc_wh"].iloc[g.index[0] - 1] if g.index[0] > 0
                                           else g["soc_wh"].iloc[0])
        if action == "wait" and soc_gain > 0.02 * max(track["soc_wh"].max(), 1e-9):
            binding = "battery"
        elif action == "wait":  # waited without charging: for sunlight or Earth on the way ahead
            b = judge["binding"].iloc[int(judge["margin"].to_numpy().argmin())]
            binding = b if b != "travel_time" else "darkness"
        else:
            binding = judge["binding"].iloc[int(judge["margin"].to_numpy().argmin())]
        out.append({"leg": int(leg), "action": action, "stage": int(g["stage"].iloc[0]),
                    "start_utc": track["time_utc"].iloc[max(g.index[0] - 1, 0)],
                    "end_utc": g["time_utc"].iloc[-1],
                    "duration_h": float(g["step_s"].sum() / SECONDS_PER_HOUR), "distance_m": float(g["step_m"].sum()),
                    "soc_end_fraction": float(g["soc_fraction"].iloc[-1]),
                    "min_margin": float(judge["margin"].min()), "binding": binding})
    track.loc[:, "binding_leg"] = track["leg"].map({r["leg"]: r["binding"] for r in out})
    return pd.DataFrame(out)


def _check_shadowed_targets(grid, rover, sun_u8, thr, targets, sci, args) -> None:
    """A target in ground that stays dark all window must be reachable within the darkness
    limit (and the battery) on a round trip from the nearest sunlit ground."""
    if len(targets) == 0:
        return
    lit = np.zeros(sun_u8.shape[1], bool)
    for k0 in range(0, sun_u8.shape[0], 64):
        lit |= (sun_u8[k0:k0 + 64] > thr).any(axis=0)
    dark_targets = [i for i, c in enumerate(targets) if not lit[c]]
    if not dark_targets:
        return
    if not lit.any():
        raise InfeasibleError("no cell of the grid sees the Sun during the planning window "
                              "(binding constraint: darkness).")
    d_lit, _ = K.static_times(*args, np.flatnonzero(lit & np.isfinite(grid.pace_s_m)).astype(np.int64))
    usable = rover.battery_wh * rover.soc_start_fraction - rover.soc_min_wh
    for i in dark_targets:
        t_in = float(d_lit[targets[i]])
        dark_s = 2.0 * t_in + sci[i]
        x, y = grid.xy(targets[i])
        where = f"target {i + 1} (x = {x / 1e3:.3f} km, y = {y / 1e3:.3f} km)"
        if dark_s > rover.max_darkness_h * SECONDS_PER_HOUR:
            raise InfeasibleError(
                f"{where} is in shadow for the whole window, {t_in / SECONDS_PER_HOUR:.1f} h of driving from the "
                f"nearest sunlit ground: the round trip and {sci[i] / SECONDS_PER_HOUR:g} h of science need at "
                f"least {dark_s / SECONDS_PER_HOUR:.1f} h in darkness, more than rover.max_darkness_h = "
                f"{rover.max_darkness_h:g} h (binding constraint: darkness). Pick a target nearer "
                "the shadow's edge or shorten the science.")
        energy = (2.0 * t_in * rover.power_drive_base_w + sci[i] * rover.power_science_w) / SECONDS_PER_HOUR
        if energy > usable:
            raise InfeasibleError(
                f"{where} is in shadow for the whole window: the round trip from sunlit ground and "
                f"the science need at least {energy:.0f} Wh from the battery, more than the "
                f"{usable:.0f} Wh usable (rover.battery_wh x (soc_start - soc_min)) (binding "
                "constraint: battery).")


def _explain_failure(search: dict, rover: Rover, status: int, max_labels: int) -> str:
    if status == 2:
        return (f"the route search stopped at max_labels = {max_labels} states without reaching "
                "the end (binding constraint: search budget). Crop the grid, shorten the window or "
                "raise max_labels.")
    counts = {"battery": search["pruned_battery"], "darkness": search["pruned_darkness"],
              "earth_contact": search["pruned_earth"], "planning window": search["pruned_window"]}
    limits = {"battery": f"rover.soc_min_fraction = {rover.soc_min_fraction:g} of "
                         f"rover.battery_wh = {rover.battery_wh:g} Wh",
              "darkness": f"rover.max_darkness_h = {rover.max_darkness_h:g} h",
              "earth_contact": f"rover.max_no_earth_h = {rover.max_no_earth_h:g} h",
              "planning window": "the end of the visibility window"}
    worst = max(counts, key=counts.get)
    detail = ", ".join(f"{k}: {v}" for k, v in counts.items())
    return (f"no feasible route: every way forward breaks a limit (binding constraint: {worst}, "
            f"{limits[worst]}). Moves refused per constraint: {detail}. "
            f"{search['expanded']} states searched.")


def _static_route(grid, rover, stack, array_w, thr, preds, points, sci, t0, soc0) -> dict:
    """The static shortest route (least travel time, no illumination) through the same
    points, and what happens when it is driven without waiting from the same start."""
    cells = [points[0]]
    for s, pred in enumerate(preds):
        c = cells[-1]
        while pred[c] >= 0:
            c = int(pred[c])
            cells.append(c)
        if s < len(points) - 1 and c != points[s + 1]:
            cells.append(points[s + 1])
    cells_a = np.asarray(cells)
    xs, ys = grid.xy(cells_a)
    t, soc, dark, nc = t0, soc0, 0.0, 0.0
    length = energy = 0.0
    violation = None
    sci_at = {int(c): sci[i] for i, c in enumerate(points[1:])}
    done = set()
    for a, b in itertools.pairwise(cells_a):
        k = min(int(t // stack.step_s), stack.n_steps - 1)
        _, sunlit, earth, p_in = _conditions(stack, array_w, thr, k, a)
        ia, ja = divmod(int(a), grid.nx)
        ib, jb = divmod(int(b), grid.nx)
        l3, tau, sg = K._edge(int(a), int(b), ib - ia, jb - ja, grid.nx, grid.dx_m, grid.dy_m,
                              grid.pace_s_m, grid.elev_m, grid.invk)
        p_out = rover.power_drive_base_w + float(rover.traction_power_w(sg, l3 / tau))
        if int(a) in sci_at and int(a) not in done:
            done.add(int(a))
            tau += sci_at[int(a)]
            p_out = rover.power_science_w
        length += l3
        energy += p_out * tau / SECONDS_PER_HOUR
        soc = min(rover.battery_wh, soc + (p_in - p_out) * tau / SECONDS_PER_HOUR)
        dark = 0.0 if sunlit else dark + tau
        nc = 0.0 if earth else nc + tau
        t += tau
        if violation is None:
            when = str(stack.utc(t))
            if soc < rover.soc_min_wh:
                violation = f"battery below rover.soc_min_fraction at {when}"
            elif dark > rover.max_darkness_h * SECONDS_PER_HOUR:
                violation = f"darkness longer than rover.max_darkness_h at {when}"
            elif nc > rover.max_no_earth_h * SECONDS_PER_HOUR:
                violation = f"no Earth contact longer than rover.max_no_earth_h at {when}"
    return {"length_m": length, "time_h": (t - t0) / SECONDS_PER_HOUR, "energy_wh": energy,
            "feasible_without_waiting": violation is None, "violation": violation,
            "_xy": np.column_stack([xs, ys])}
