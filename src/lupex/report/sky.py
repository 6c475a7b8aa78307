"""The sky at one pixel of a run: its terrain horizon and the Sun's and Earth's tracks.

Shared by the report's site figures and the viewer's click-a-point panel. The horizon is read
from the run's horizon store (``cache/horizons.zarr``) at the pixel; the tracks come from
:func:`lupex.illumination.point_timeseries` (apparent positions from the DE421 ephemeris, the
same computation as the illumination maps, so the panel agrees with the maps at that pixel).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lupex.errors import InputFileError, ParameterError
from lupex.io.runfolder import RunFolder
from lupex.report import products as P


def _dem_and_horizons(rf: RunFolder) -> tuple[Any, Any]:
    import rioxarray

    from lupex.horizon.store import open_horizons

    dem_p = P.dem_product(rf)
    store = P.find(rf, kind="store", name="horizons")
    if dem_p is None or store is None:
        raise InputFileError(f"{rf.path}: the run has no terrain map or horizon store; run the "
                             "horizon stage (`lupex run S.toml --out RUN`).")
    dem = rioxarray.open_rasterio(rf.path / dem_p["path"], masked=True).squeeze("band", drop=True)
    return dem, open_horizons(rf.path / store["path"])


def window_times(rf: RunFolder, n: int = 361) -> np.ndarray:
    """``n`` evenly spaced UTC epochs over the run's window (``datetime64[s]``)."""
    w = P.window(rf)
    if w is None:
        raise InputFileError(f"{rf.path}: the manifest names no time window (scenario window or "
                             "products' time_range).")
    t0, t1 = w
    span = (t1 - t0).astype("timedelta64[s]").astype(np.int64)
    return t0 + (np.linspace(0, span, n).round().astype(np.int64)).astype("timedelta64[s]")


def sky_at(rf: RunFolder, x_m: float, y_m: float, *, times: np.ndarray | None = None
           ) -> dict[str, Any]:
    """Horizon profile and Sun/Earth tracks at the pixel containing ``(x_m, y_m)``.

    Parameters
    ----------
    rf : RunFolder
        The run (needs a terrain map, the horizon store and a time window).
    x_m, y_m : float
        A point in the map's projected CRS [m].
    times : ndarray of datetime64, optional
        Epochs (UTC); 361 over the window by default.

    Returns
    -------
    dict
        ``lat_deg``, ``lon_deg`` (pixel centre, planetocentric), ``x_m``, ``y_m``,
        ``azimuth_deg`` and ``horizon_deg`` (the terrain horizon against geographic azimuth,
        clockwise from local north), and ``times_utc``, ``sun_azimuth_deg``,
        ``sun_elevation_deg``, ``sun_fraction``, ``earth_azimuth_deg``,
        ``earth_elevation_deg``, ``earth_fraction`` (lists of equal length).
    """
    from lupex.illumination import point_timeseries
    from lupex.terrain.geometry import grid_convergence_deg, grid_to_geo_azimuth, latlon_deg

    dem, hor = _dem_and_horizons(rf)
    xs, ys = dem["x"].values, dem["y"].values
    j = int(np.argmin(np.abs(xs - x_m)))
    i = int(np.argmin(np.abs(ys - y_m)))
    dx = abs(float(xs[1] - xs[0])) if xs.size > 1 else np.inf
    if abs(xs[j] - x_m) > dx or abs(ys[i] - y_m) > dx:
        raise ParameterError(f"point ({x_m:.0f} m, {y_m:.0f} m) lies outside the map.")
    sub = dem.isel(y=slice(i, i + 1), x=slice(j, j + 1)).load()
    lat, lon = (float(v.ravel()[0]) for v in latlon_deg(sub))
    conv = float(grid_convergence_deg(sub).ravel()[0])
    profile = np.asarray(hor.isel(y=i, x=j).values, float)
    az_grid = np.asarray(hor["azimuth"].values, float)
    az_geo = grid_to_geo_azimuth(az_grid, conv)
    order = np.argsort(az_geo)
    t = window_times(rf) if times is None else times
    df = point_timeseries(dem, hor, [(lat, lon)], t)

    def col(name: str) -> list[float]:
        return [round(float(v), 4) for v in df[name].to_numpy()]

    return {
        "lat_deg": lat, "lon_deg": lon, "x_m": float(xs[j]), "y_m": float(ys[i]),
        "elevation_m": float(sub.values.ravel()[0]),
        "azimuth_deg": [round(float(v), 3) for v in az_geo[order]],
        "horizon_deg": [round(float(v), 3) for v in profile[order]],
        "times_utc": df["time_utc"].tolist(),
        **{k: col(k) for k in ("sun_azimuth_deg", "sun_elevation_deg", "horizon_deg_at_sun",
                               "sun_fraction", "earth_azimuth_deg", "earth_elevation_deg",
                               "horizon_deg_at_earth", "earth_fraction")},
    }


def decimated_terrain(rf: RunFolder, *, max_px: int = 160) -> tuple[Any, Any]:
    """Every n-th pixel of the terrain map and of its horizon store, loaded (at most ``max_px`` a
    side): exact samples, since each horizon was computed at full resolution at its pixel."""
    dem, hor = _dem_and_horizons(rf)
    s = max(1, int(np.ceil(max(dem.shape) / max_px)))
    d = dem.isel(y=slice(None, None, s), x=slice(None, None, s)).load()
    h = hor.isel(y=slice(None, None, s), x=slice(None, None, s)).load()
    return d, h


def sun_frame(dem: Any, horizons: Any, when: np.datetime64) -> tuple[list[float], np.ndarray]:
    """Visible fraction of the solar disc at one epoch (:func:`lupex.illumination.sun_fraction_map`).

    Parameters
    ----------
    dem, horizons : DataArray
        From :func:`decimated_terrain`.
    when : datetime64
        The epoch (UTC).

    Returns
    -------
    (bounds, fraction)
        ``[left, bottom, right, top]`` [m] of the grid's pixel edges and the ``(y, x)``
        fraction [1].
    """
    from lupex.illumination import sun_fraction_map

    _, frac = next(iter(sun_fraction_map(dem, horizons, np.array([when], "datetime64[s]"))))
    x, y = dem["x"].values, dem["y"].values
    px = abs(float(x[1] - x[0])) if x.size > 1 else 1.0
    bounds = [float(x.min() - px / 2), float(y.min() - px / 2), float(x.max() + px / 2),
              float(y.max() + px / 2)]
    return bounds, np.asarray(frac, float)
