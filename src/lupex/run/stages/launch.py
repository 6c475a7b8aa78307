"""Stage ``launch``: landing windows at the chosen site and the transfer/descent budget.

The site is ``launch.site_lat_deg/lon_deg`` or the best-ranked landing site; its horizon comes
from the horizon stage's store (the pixel's column). Windows over ``launch.windows.start_utc ..
stop_utc`` (default: the mission window) -> ``tables/launch_windows.csv``,
``tables/launch_window_profiles.csv``, ``plots/launch_windows.png``; the transfer for the
touchdown ``launch.landing_utc`` (default: the start of the best window) ->
``tables/transfer.csv``. The mission stage may take its landing epoch from
:attr:`LaunchResult.landing_utc`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lupex.run.contract import RunContext, Stage

SUMMARY_KEYS = ("landing_utc", "launch_utc", "site_lat_deg", "site_lon_deg")


@dataclass(frozen=True)
class LaunchResult:
    """Windows (ranked), the transfer budget's phases and the chosen epochs."""

    windows: pd.DataFrame
    transfer: pd.DataFrame
    landing_utc: str | None
    launch_utc: str | None
    site_lat_deg: float
    site_lon_deg: float


def _site(ctx: RunContext) -> tuple[float, float] | None:
    la = ctx.scenario.launch
    if la.site_lat_deg is not None and la.site_lon_deg is not None:
        return float(la.site_lat_deg), float(la.site_lon_deg)
    cands = ctx.need("sites").candidates
    if not len(cands):
        return None
    return float(cands.iloc[0]["lat_deg"]), float(cands.iloc[0]["lon_deg"])


def run(ctx: RunContext) -> LaunchResult:
    from lupex.launch import landing_windows, plan_transfer
    from lupex.launch.output import (
        PROFILES_CSV,
        TRANSFER_CSV,
        WINDOWS_CSV,
        WINDOWS_PNG,
        write_transfer,
        write_windows,
    )
    from lupex.terrain.geometry import nearest_pixel

    sc = ctx.scenario
    la = sc.launch
    site = _site(ctx)
    if site is None:  # recorded, not fatal: the report says why there is no window
        ctx.set_summary({"launch_status": "no_site",
                         "launch": "no landing site: the sites stage ranked none and "
                                   "launch.site_lat_deg/site_lon_deg are not set"})
        return load(ctx)
    lat, lon = site
    dem = ctx.need("terrain").dem
    hor = ctx.need("horizon").horizons
    i, j = nearest_pixel(dem, lat, lon, what=f"launch site {lat},{lon}")
    sub = dem.isel(y=slice(i, i + 1), x=slice(j, j + 1))
    hsub = hor.isel(y=slice(i, i + 1), x=slice(j, j + 1)).load()
    w = la.windows
    start = w.start_utc or sc.window.start
    stop = w.stop_utc or sc.window.stop
    max_dark = min(sc.lander.max_darkness_h, sc.rover.max_darkness_h)
    res = landing_windows(sub, hsub, lat, lon, start, stop, windows=w,
                          descent_h=la.descent.duration_h, max_darkness_h=max_dark,
                          progress=ctx.progress_callback())
    write_windows(res, ctx.run_dir, title=f"site {lat:.4f}, {lon:.4f}")
    units = {"duration_h": "h", "min_sun_elevation_deg": "deg", "earth_visible_fraction": "1",
             "sun_fraction_first_days": "1", "longest_darkness_h": "h", "rank": "1"}
    ctx.register(WINDOWS_CSV, long_name="ranked landing windows", units=units,
                 time_range=[str(start), str(stop)])
    ctx.register(PROFILES_CSV, long_name="Sun and Earth over the first days of the best windows")
    ctx.register(WINDOWS_PNG, long_name="landing windows: Sun and Earth profiles")
    landing = la.landing_utc or (res.windows.iloc[0]["start_utc"] if len(res.windows) else None)
    summary = {"site_lat_deg": lat, "site_lon_deg": lon, "landing_windows": len(res.windows),
               "window_notes": res.notes, "landing_utc": landing, "launch_utc": None}
    if landing is not None:
        plan = plan_transfer(la, landing, south=lat < 0)
        write_transfer(plan, ctx.run_dir)
        ctx.register(TRANSFER_CSV, long_name="transfer and descent budget per phase",
                     units={"delta_v_m_s": "m/s", "duration_s": "s", "propellant_kg": "kg",
                            "mass_before_kg": "kg"})
        summary.update(launch_utc=plan.launch_utc, total_delta_v_m_s=round(plan.total_delta_v_m_s, 1),
                       margin_kg=round(plan.margin_kg, 1),
                       stack_margin_kg=round(plan.stack_margin_kg, 1),
                       targeting_iterations=plan.targeting["iterations"],
                       perilune_altitude_error_m=plan.targeting["perilune_altitude_error_m"])
    a, b = la.navigation.ellipse_m()
    summary.update(landing_ellipse_semi_axes_m=[round(a, 1), round(b, 1)])
    ctx.set_summary(summary)
    return load(ctx)


def load(ctx: RunContext) -> LaunchResult:
    from lupex.launch.output import TRANSFER_CSV, WINDOWS_CSV

    win = pd.read_csv(ctx.run_dir / WINDOWS_CSV) if (ctx.run_dir / WINDOWS_CSV).exists() \
        else pd.DataFrame()
    p = ctx.run_dir / TRANSFER_CSV
    tr = pd.read_csv(p) if p.exists() else pd.DataFrame()
    s = (ctx.folder.stage_record("launch") or {}).get("summary", {})
    return LaunchResult(win, tr, s.get("landing_utc"), s.get("launch_utc"),
                        float(s.get("site_lat_deg", float("nan"))),
                        float(s.get("site_lon_deg", float("nan"))))


STAGE = Stage(name="launch", needs=("terrain", "horizon", "sites"),
              reads=("launch", "window", "lander.max_darkness_h", "rover.max_darkness_h"),
              version="1", run=run, load=load,
              doc="landing windows, transfer and descent budget, landing ellipse")
