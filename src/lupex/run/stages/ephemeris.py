"""Stage ``ephemeris``: the apparent Sun and Earth from the site over the mission window.

``tables/ephemeris_site.csv`` (azimuth, elevation, disc radius, sub-solar and sub-Earth points,
:func:`lupex.ephemeris.topocentric`, DE421, LT+S, MOON_ME) and a plot of both elevations above
the local horizontal (smooth sphere: the terrain horizon is the illumination stage's business).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lupex.run.contract import RunContext, Stage

TABLE = "tables/ephemeris_site.csv"
PLOT = "plots/ephemeris_site.png"


@dataclass(frozen=True)
class EphemerisResult:
    """The Sun and Earth seen from one site over the window."""

    site_lat_deg: float
    site_lon_deg: float
    table: pd.DataFrame
    """One row per epoch: ``time_utc`` (datetime64) and the :func:`topocentric` columns."""


def site_of(ctx: RunContext) -> tuple[float, float]:
    """The scenario's ephemeris site, or the centre of the DEM."""
    e = ctx.scenario.ephemeris
    if e.site_lat_deg is not None and e.site_lon_deg is not None:
        return float(e.site_lat_deg), float(e.site_lon_deg)
    from lupex.terrain import xy_to_latlon_deg

    dem = ctx.need("terrain").dem
    lat, lon = xy_to_latlon_deg(np.array([float(dem.x.values.mean())]),
                                np.array([float(dem.y.values.mean())]), dem.rio.crs)
    return float(lat[0]), float(lon[0])


def run(ctx: RunContext) -> EphemerisResult:
    from lupex.ephemeris import time_grid, topocentric
    from lupex.io.atomic import write_text_atomic
    from lupex.times import time_range

    w = ctx.scenario.window
    lat, lon = site_of(ctx)
    ds = topocentric(lat, lon, time_grid(w.start, w.stop, w.step), height_m=0.0)
    df = ds.to_dataframe().reset_index()
    df.insert(0, "time_utc", df.pop("time").dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
    path = write_text_atomic(ctx.run_dir / TABLE, df.to_csv(index=False, float_format="%.6f"))
    units = {c: ds[c].attrs.get("units", "") for c in ds.data_vars}
    rng = time_range(w.start, w.stop)
    ctx.register(path, long_name=f"apparent Sun and Earth from {lat:.4f}, {lon:.4f} deg",
                 units={"time_utc": "UTC", **units}, time_range=rng,
                 site_lat_deg=lat, site_lon_deg=lon)
    _plot(ds, lat, lon, ctx.run_dir / PLOT)
    ctx.register(PLOT, long_name="Sun and Earth elevation at the site (smooth sphere)",
                 time_range=rng)
    ctx.set_summary({"site_lat_deg": round(lat, 5), "site_lon_deg": round(lon, 5),
                     "window": rng})
    return load(ctx)


def load(ctx: RunContext) -> EphemerisResult:
    rec = ctx.folder.product(TABLE) or {}
    df = pd.read_csv(ctx.run_dir / TABLE)
    df["time_utc"] = pd.to_datetime(df["time_utc"].str.rstrip("Z")).values.astype("datetime64[ns]")
    return EphemerisResult(float(rec.get("site_lat_deg", np.nan)),
                           float(rec.get("site_lon_deg", np.nan)), df)


def _plot(ds, lat: float, lon: float, path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from lupex.io.atomic import atomic_path

    fig, ax = plt.subplots(figsize=(8, 3.6), dpi=110)
    t = ds["time"].values
    ax.plot(t, ds["sun_elevation_deg"].values, label="Sun elevation", color="#e39b00")
    ax.plot(t, ds["earth_elevation_deg"].values, label="Earth elevation", color="#2a6fdb")
    ax.axhline(0, color="k", lw=0.6)
    ax.set_ylabel("elevation above the local horizontal [deg]")
    ax.set_title(f"Sun and Earth from {lat:.3f} deg, {lon:.3f} deg (smooth sphere, no terrain)")
    ax.legend(loc="upper right")
    fig.autofmt_xdate()
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png")
    plt.close(fig)


STAGE = Stage(name="ephemeris", needs=("terrain",), reads=("window", "ephemeris"), version="1",
              run=run, load=load, doc="the apparent Sun and Earth at the site over the window")
