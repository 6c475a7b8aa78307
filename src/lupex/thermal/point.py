"""Temperature of one flat or tilted facet under the real Sun (no horizon: flat surroundings).

The Sun's direction, distance and apparent radius come from :func:`lupex.ephemeris.topocentric`
(DE421, MOON_ME). The facet receives direct sunlight only: S0 (AU/r)^2 times the fraction of the
solar disc above the flat 0-degree horizon times max(cos i, 0), absorbed with the
incidence-dependent albedo of Hayne et al. (2017). No light or infrared from surrounding terrain
(use the map pipeline with radiosity for that).

Spin-up: the year before ``start`` is used as one forcing period, repeated until periodic
(:func:`lupex.thermal.equilibrate`), then the model runs continuously through the window.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import xarray as xr

from lupex.errors import check_range
from lupex.thermal.conduction import equilibrate, integrate
from lupex.thermal.grid import YEAR_S, layer_grid
from lupex.thermal.insolation import absorbed_direct_flux, cos_incidence, solar_flux_on_facet
from lupex.thermal.params import RegolithParams
from lupex.times import SECONDS_PER_DAY, SECONDS_PER_HOUR


def depth_column_name(depth_m: float) -> str:
    """Column / variable name of the temperature at a depth: ``t_0.1m_k`` (``t_surface_k`` at 0)."""
    return "t_surface_k" if depth_m == 0 else f"t_{depth_m:g}m_k"


def _sun_forcing(lat_deg, lon_deg, times, *, slope_deg, aspect_deg, height_m, params):
    from lupex.ephemeris import topocentric  # task A's API
    from lupex.illumination.disc import disc_fraction

    ds = topocentric(lat_deg, lon_deg, times, height_m=height_m)
    az = np.asarray(ds["sun_azimuth_deg"]).reshape(-1)
    el = np.asarray(ds["sun_elevation_deg"]).reshape(-1)
    rad = np.asarray(ds["sun_radius_deg"]).reshape(-1)
    dist = np.asarray(ds["sun_distance_m"]).reshape(-1)
    frac = disc_fraction(el, 0.0, rad)
    direct = solar_flux_on_facet(az, el, slope_deg=slope_deg, aspect_deg=aspect_deg,
                                 sun_distance_m=dist, visible_fraction=frac,
                                 solar_constant_w_m2=params.solar_constant_w_m2)
    ci = cos_incidence(az, el, slope_deg=slope_deg, aspect_deg=aspect_deg)
    absorbed = absorbed_direct_flux(direct, ci, params)
    sub_lon = np.asarray(ds["subsolar_lon_deg"]).reshape(-1)
    local_time_h = (12.0 + (lon_deg - sub_lon) / 15.0) % 24.0
    return absorbed, local_time_h, el


def point_temperature(lat_deg: float, lon_deg: float, *, start, days: float = 30.0,
                      dt_s: float = SECONDS_PER_HOUR, slope_deg: float = 0.0, aspect_deg: float = 0.0,
                      albedo: float | None = None, depths_m: Sequence[float] = (),
                      params: RegolithParams | None = None, height_m: float = 0.0,
                      spinup_days: float = 365.25, tol_k: float = 0.01,
                      max_cycles: int = 30) -> xr.Dataset:
    """Temperature time series of one facet under the real Sun.

    Parameters
    ----------
    lat_deg, lon_deg : float
        Planetocentric latitude [-90, 90] and east longitude [deg].
    start : str or numpy.datetime64
        First output time (UTC).
    days : float
        Length of the output window [d].
    dt_s : float
        Time step [s] (the implicit scheme is accurate to ~1 K at 1 h).
    slope_deg, aspect_deg : float
        Facet slope [0, 90) and the azimuth its downhill normal faces [deg].
    albedo : float, optional
        Normal-incidence albedo A0 (replaces ``params.albedo0``).
    depths_m : sequence of float
        Extra output depths [m] besides the surface.
    params : RegolithParams, optional
        Regolith properties (default: Hayne et al. 2017 standard model).
    height_m : float
        Height above the 1737.4 km sphere passed to the ephemeris [m].
    spinup_days : float
        Length of the forcing period used for spin-up, ending at ``start`` [d].

    Returns
    -------
    xarray.Dataset
        dims ``(time,)``: ``local_time_h``, ``sun_elevation_deg``, ``absorbed_flux_w_m2``,
        ``t_surface_k`` and ``t_<d>m_k`` per depth; attrs hold the parameters and the spin-up
        diagnostics (cycles, last correction, bottom drift).
    """
    check_range("--lat", lat_deg, -90, 90, unit="deg")
    check_range("--slope-deg", slope_deg, 0, 90, hi_open=True, unit="deg")
    check_range("--days", days, 0, 36525, lo_open=True, unit="d")
    check_range("--dt-s", dt_s, 1, SECONDS_PER_DAY, unit="s")
    check_range("spinup_days", spinup_days, 1, 3653, unit="d")
    params = params or RegolithParams()
    if albedo is not None:
        params = replace(params, albedo0=check_range("--albedo", albedo, 0, 1, hi_open=True))
    depths = [0.0] + [float(d) for d in depths_m if float(d) != 0.0]
    grid = layer_grid(params, bottom_period_s=YEAR_S, min_bottom_m=max(depths) * 1.05)
    step = np.timedelta64(round(dt_s * 1e6), "us")
    from lupex.ephemeris import check_times
    from lupex.errors import EphemerisRangeError

    t0 = check_times([start])[0].astype("datetime64[us]")  # parses and range-checks --start
    n_spin = round(spinup_days * SECONDS_PER_DAY / dt_s)
    n_out = round(days * SECONDS_PER_DAY / dt_s)
    times_spin = t0 - step * np.arange(n_spin, 0, -1)  # ends one step before start
    times_out = t0 + step * np.arange(n_out)
    try:
        f_spin, _, _ = _sun_forcing(lat_deg, lon_deg, times_spin, slope_deg=slope_deg,
                                    aspect_deg=aspect_deg, height_m=height_m, params=params)
    except EphemerisRangeError as exc:
        raise EphemerisRangeError(f"{exc} (the spin-up uses the {spinup_days:g} days before "
                                  "--start; start later or shorten the spin-up)") from exc
    f_out, lt_out, el_out = _sun_forcing(lat_deg, lon_deg, times_out, slope_deg=slope_deg,
                                         aspect_deg=aspect_deg, height_m=height_m, params=params)
    state, info = equilibrate(f_spin, dt_s=dt_s, params=params, grid=grid, tol_k=tol_k,
                              max_cycles=max_cycles)
    stats = integrate(f_out, state, dt_s=dt_s, depths_m=depths, series_columns=[0])
    data = {
        "local_time_h": ("time", lt_out, {"units": "h", "long_name": "local solar time"}),
        "sun_elevation_deg": ("time", el_out, {"units": "deg", "long_name": "Sun centre elevation"}),
        "absorbed_flux_w_m2": ("time", f_out, {"units": "W m-2", "long_name": "absorbed direct solar flux"}),
    }
    for j, d in enumerate(depths):
        data[depth_column_name(d)] = ("time", stats.series_k[0, :, j],
                                      {"units": "K", "long_name": f"temperature at {d:g} m depth", "depth_m": d})
    ds = xr.Dataset(data, coords={"time": times_out.astype("datetime64[ns]")})
    ds.attrs.update({
        "lat_deg": lat_deg, "lon_deg": lon_deg, "slope_deg": slope_deg, "aspect_deg": aspect_deg,
        "dt_s": dt_s, "grid_bottom_m": grid.bottom_m, "grid_nodes": grid.nz,
        "spinup_days": spinup_days, "spinup_cycles": info.cycles, "spinup_converged": int(info.converged),
        "spinup_last_correction_k": info.max_correction_k,
        "spinup_bottom_drift_k_per_year": info.bottom_drift_k_per_year,
        "model": "Hayne et al. (2017) 1-D regolith conduction, direct sunlight only, flat surroundings",
        **{f"param_{k}": (str(v) if isinstance(v, list) else v) for k, v in params.as_dict().items()},
    })
    return ds
