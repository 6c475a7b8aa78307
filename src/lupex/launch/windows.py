"""Landing windows: touchdown epochs when the site is lit, the Earth in view and a station
listening, and the first days' darkness survivable.

A touchdown epoch ``t`` on a uniform grid (step ``dt``) is acceptable when

1. the Sun's visible disc fraction above the site's real terrain horizon is at least
   ``min_sun_fraction`` at every sample of the descent span ``[t - descent, t]``;
2. the Earth is in view (visible disc fraction > ``min_earth_fraction``) at every sample of
   ``[t - descent, t + N days]`` (direct-to-Earth links for the descent and the first days);
3. one of the ground stations sees the site at ``t`` above its elevation mask;
4. the longest continuous darkness (Sun fraction 0) in ``[t, t + M days]`` is at most the
   lander's survivable darkness.

The visibility series come from :func:`lupex.illumination.point_timeseries` with the site's own
horizon (the horizon stage's store, or :func:`site_horizon`: the pixel's horizon with the far
field), the station check from :func:`lupex.ephemeris.ground_station_visibility`.
Contiguous acceptable epochs make a window; windows are ranked by the Earth-visible fraction of
the first M days from their first epoch, then its mean Sun fraction, then their length.
Epochs whose N- or M-day look-ahead runs past the searched span are not judged (a note says so).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

WINDOW_COLUMNS = ("rank", "start_utc", "stop_utc", "duration_h", "min_sun_elevation_deg",
                  "earth_visible_fraction", "sun_fraction_first_days", "longest_darkness_h")
WINDOW_UNITS = {"rank": "1", "start_utc": "UTC", "stop_utc": "UTC", "duration_h": "h",
                "min_sun_elevation_deg": "deg", "earth_visible_fraction": "1",
                "sun_fraction_first_days": "1", "longest_darkness_h": "h"}


@dataclass
class WindowResult:
    """Ranked windows, the per-epoch checks and the first days' profiles of the top windows."""

    windows: pd.DataFrame
    epochs: pd.DataFrame
    profiles: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    series: pd.DataFrame | None = None


def site_horizon(dem: Any, lat_deg: float, lon_deg: float, *, n_azimuths: int = 720,
                 far_field: Any = "auto", far_field_radius_km: float = 300.0,
                 observer_height_m: float = 0.0) -> tuple[Any, Any]:
    """The site pixel's DEM and horizon (azimuth, 1, 1), with the far field beyond the DEM
    (:func:`lupex.horizon.compute_horizon_tile` on a one-pixel window)."""
    import xarray as xr

    from lupex.horizon import azimuths_deg, compute_horizon_tile, prepare_horizon
    from lupex.terrain.geometry import nearest_pixel

    i, j = nearest_pixel(dem, lat_deg, lon_deg, what=f"--site {lat_deg},{lon_deg}")
    prep = prepare_horizon(dem, far_field=far_field, far_field_radius_km=far_field_radius_km)
    az = azimuths_deg(n_azimuths)
    rows, cols = slice(i, i + 1), slice(j, j + 1)
    block = compute_horizon_tile(prep, az, rows=rows, cols=cols,
                                 observer_height_m=observer_height_m)
    sub = dem.isel(y=rows, x=cols)
    hor = xr.DataArray(block, dims=("azimuth", "y", "x"),
                       coords={"azimuth": az, "y": sub.y.values, "x": sub.x.values},
                       attrs={"units": "deg", "azimuth_reference": "grid_north"})
    return sub, hor


def _longest_run_ahead(dark: np.ndarray, w: int) -> np.ndarray:
    """Longest run of True in ``dark[i : i + w + 1]`` for every i (NaN past the end)."""
    n = dark.size
    run = np.zeros(n, dtype=np.int64)     # run[j]: consecutive dark samples ending at j
    c = 0
    for j, d in enumerate(dark):
        c = c + 1 if d else 0
        run[j] = c
    out = np.full(n, np.nan)
    if n <= w:
        return out
    win = np.lib.stride_tricks.sliding_window_view(run, w + 1)    # (n - w, w + 1)
    out[: n - w] = np.minimum(win, np.arange(1, w + 2)[None, :]).max(axis=1)
    return out


def _all_in(ok: np.ndarray, back: int, ahead: int) -> np.ndarray:
    """True where ``ok`` holds on every sample of ``[i - back, i + ahead]`` (False at edges)."""
    n = ok.size
    bad = np.concatenate([[0], np.cumsum(~ok)])
    i = np.arange(n)
    lo, hi = i - back, i + ahead + 1
    valid = (lo >= 0) & (hi <= n)
    res = np.zeros(n, dtype=bool)
    res[valid] = (bad[hi[valid]] - bad[lo[valid]]) == 0
    return res


def find_windows(series: pd.DataFrame, station_visible: np.ndarray, *, step_h: float,
                 descent_h: float, min_sun_fraction: float, earth_days: float,
                 min_earth_fraction: float, darkness_days: float, max_darkness_h: float,
                 top: int = 10, last_start_utc: str | None = None) -> WindowResult:
    """Apply the four checks of the module docstring to a site's visibility series.

    Parameters
    ----------
    series : pandas.DataFrame
        One site's :func:`lupex.illumination.point_timeseries` on a uniform grid of step
        ``step_h`` (columns ``time_utc``, ``sun_fraction``, ``sun_elevation_deg``,
        ``earth_fraction``, ``earth_elevation_deg``, ``horizon_deg_at_sun``).
    station_visible : array of bool
        Whether a ground station sees the site at each sample.
    last_start_utc : str, optional
        Later epochs only serve the look-ahead of earlier ones (not judged themselves).
    """
    sun = series["sun_fraction"].to_numpy(float)
    earth = series["earth_fraction"].to_numpy(float)
    n = sun.size
    back = int(np.ceil(descent_h / step_h - 1e-9))
    n_earth = int(np.ceil(earth_days * 24 / step_h - 1e-9))
    n_dark = int(np.ceil(darkness_days * 24 / step_h - 1e-9))
    sun_ok = _all_in(sun >= min_sun_fraction - 1e-9, back, 0)
    earth_in = earth > min_earth_fraction if min_earth_fraction > 0 else earth > 0
    earth_ok = _all_in(earth_in, back, n_earth)
    longest = _longest_run_ahead(sun <= 0.0, n_dark) * step_h
    dark_ok = np.nan_to_num(longest, nan=np.inf) <= max_darkness_h
    station_ok = np.asarray(station_visible, bool)
    times = pd.to_datetime(series["time_utc"].str.rstrip("Z")).to_numpy("datetime64[s]")
    judged = np.arange(n) + max(n_earth, n_dark) < n
    if last_start_utc is not None:
        judged &= times <= np.datetime64(last_start_utc, "s")
    ok = sun_ok & earth_ok & station_ok & dark_ok & judged
    # first-M-days Earth and Sun fractions from each epoch
    m = n_dark + 1
    csum_e = np.concatenate([[0.0], np.cumsum(earth_in.astype(float))])
    csum_s = np.concatenate([[0.0], np.cumsum(sun)])
    idx = np.arange(n)
    hi = np.minimum(idx + m, n)
    e_frac = (csum_e[hi] - csum_e[idx]) / (hi - idx)
    s_frac = (csum_s[hi] - csum_s[idx]) / (hi - idx)
    epochs = pd.DataFrame({"time_utc": times.astype(str), "sun_ok": sun_ok,
                           "earth_ok": earth_ok, "station_ok": station_ok, "darkness_ok": dark_ok,
                           "judged": judged, "ok": ok, "longest_darkness_h": longest})
    edges = np.diff(np.concatenate([[0], ok.astype(np.int8), [0]]))
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1
    rows = []
    el = series["sun_elevation_deg"].to_numpy(float)
    for a, b in zip(starts, stops, strict=True):
        rows.append({"start_utc": str(times[a]), "stop_utc": str(times[b]),
                     "duration_h": float((b - a) * step_h),
                     "min_sun_elevation_deg": float(el[a:b + 1].min()),
                     "earth_visible_fraction": float(e_frac[a]),
                     "sun_fraction_first_days": float(s_frac[a]),
                     "longest_darkness_h": float(np.nanmax(longest[a:b + 1])),
                     "_i0": int(a)})
    rows.sort(key=lambda r: (-r["earth_visible_fraction"], -r["sun_fraction_first_days"],
                             -r["duration_h"], r["start_utc"]))
    profiles = []
    for rank, r in enumerate(rows, start=1):
        r["rank"] = rank
        if rank <= top:
            a = r["_i0"]
            sl = series.iloc[a:min(a + m, n)]
            profiles.append(pd.DataFrame({
                "rank": rank, "hours_after_touchdown": np.arange(len(sl)) * step_h,
                "time_utc": sl["time_utc"].to_numpy(),
                "sun_elevation_deg": sl["sun_elevation_deg"].to_numpy(),
                "horizon_deg_at_sun": sl["horizon_deg_at_sun"].to_numpy(),
                "sun_fraction": sl["sun_fraction"].to_numpy(),
                "earth_elevation_deg": sl["earth_elevation_deg"].to_numpy(),
                "earth_fraction": sl["earth_fraction"].to_numpy()}))
    windows = pd.DataFrame([{k: r[k] for k in WINDOW_COLUMNS} for r in rows],
                           columns=list(WINDOW_COLUMNS))
    notes = [f"{int((~judged).sum())} epochs past the span's end only serve the "
             f"{max(earth_days, darkness_days):g}-day look-ahead",
             f"epochs passing: sun {int(sun_ok.sum())}, earth {int(earth_ok.sum())}, station "
             f"{int(station_ok.sum())}, darkness {int(dark_ok.sum())}, all {int(ok.sum())} of {n}",
             f"{len(rows)} windows"]
    prof = pd.concat(profiles, ignore_index=True) if profiles else pd.DataFrame()
    return WindowResult(windows, epochs, prof, notes)


def landing_windows(dem: Any, horizons: Any, lat_deg: float, lon_deg: float, start: Any,
                    stop: Any, *, windows: Any, descent_h: float, max_darkness_h: float,
                    progress: Any = None) -> WindowResult:
    """Landing windows at a site from its DEM pixel and horizon (see the module docstring).

    ``windows`` is a :class:`lupex.scenario.launch.WindowsTable`; the search runs from
    ``start`` to ``stop`` plus the longer look-ahead, so epochs up to ``stop`` are judged.
    """
    from lupex.ephemeris import ground_station_visibility, time_grid
    from lupex.illumination import point_timeseries
    from lupex.times import to_utc

    w = windows
    ahead = max(w.earth_days, w.darkness_days) * 24 + w.step_h
    t_stop = to_utc(stop) + np.timedelta64(round(ahead * 3600), "s")
    times = time_grid(str(to_utc(start)), str(t_stop), f"{w.step_h * 60:g}min")
    series = point_timeseries(dem, horizons, [(lat_deg, lon_deg)], times)
    gs = ground_station_visibility(times, list(w.stations),
                                   min_elevation_deg=w.station_min_elevation_deg,
                                   lunar_point=(lat_deg, lon_deg), progress=progress)
    res = find_windows(series, gs["any_visible"].values, step_h=w.step_h, descent_h=descent_h,
                       min_sun_fraction=w.min_sun_fraction, earth_days=w.earth_days,
                       min_earth_fraction=w.min_earth_fraction, darkness_days=w.darkness_days,
                       max_darkness_h=max_darkness_h, top=w.top,
                       last_start_utc=str(to_utc(stop)))
    res.series = series
    return res
