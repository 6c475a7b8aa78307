"""Direct sunlight on a facet, and the absorbed flux the conduction model needs.

* :func:`cos_incidence` — cosine of the solar incidence angle on a tilted facet;
* :func:`solar_flux_on_facet` — direct flux S0 (AU/r)^2 * visible_fraction * max(cos i, 0);
* :func:`absorbed_direct_flux` — the same times (1 - A(i)) with the Hayne et al. (2017)
  incidence-dependent albedo;
* :func:`idealized_diurnal_flux` — absorbed flux of a flat facet over one lunar day with a
  fixed solar declination and distance (the textbook forcing of Hayne 2017 and heat1d).

Angles are in degrees at this API; azimuths clockwise from local north; a facet's aspect is
the azimuth its downhill normal faces.
"""

from __future__ import annotations

import numpy as np

from lupex.constants import AU_M
from lupex.thermal.grid import SYNODIC_MONTH_S
from lupex.thermal.params import RegolithParams, albedo_at_incidence


def cos_incidence(sun_azimuth_deg, sun_elevation_deg, *, slope_deg=0.0, aspect_deg=0.0):
    """Cosine of the solar incidence angle on a facet (negative when the Sun is behind it).

    cos i = sin(e) cos(s) + cos(e) sin(s) cos(A_sun - aspect), with e the Sun's elevation,
    s the facet slope and A_sun the Sun's azimuth. Broadcasts over all arguments.
    """
    e = np.radians(np.asarray(sun_elevation_deg, dtype=float))
    s = np.radians(np.asarray(slope_deg, dtype=float))
    da = np.radians(np.asarray(sun_azimuth_deg, dtype=float) - np.asarray(aspect_deg, dtype=float))
    return np.sin(e) * np.cos(s) + np.cos(e) * np.sin(s) * np.cos(da)


def solar_flux_on_facet(sun_azimuth_deg, sun_elevation_deg, *, slope_deg=0.0, aspect_deg=0.0,
                        sun_distance_m=AU_M, visible_fraction=1.0,
                        solar_constant_w_m2: float | None = None, cos_i=None):
    """Direct solar flux on a facet [W m-2].

    F = S0 (AU / r)^2 * visible_fraction * max(cos i, 0).

    Parameters
    ----------
    sun_azimuth_deg, sun_elevation_deg : array_like
        Topocentric direction of the Sun's centre [deg].
    slope_deg, aspect_deg : array_like
        Facet slope and the azimuth its downhill normal faces [deg].
    sun_distance_m : array_like
        Sun distance [m] (default 1 AU).
    visible_fraction : array_like
        Visible fraction of the solar disc (0..1; from the horizon / illumination stage).
    solar_constant_w_m2 : float, optional
        S0 at 1 AU [W m-2] (default: RegolithParams().solar_constant_w_m2 = 1361).
    cos_i : array_like, optional
        :func:`cos_incidence` of these directions, when the caller has it already.

    Returns
    -------
    ndarray
        Direct flux [W m-2], broadcast shape of the inputs.
    """
    s0 = RegolithParams().solar_constant_w_m2 if solar_constant_w_m2 is None else solar_constant_w_m2
    ci = cos_incidence(sun_azimuth_deg, sun_elevation_deg, slope_deg=slope_deg,
                       aspect_deg=aspect_deg) if cos_i is None else np.asarray(cos_i, float)
    r = np.asarray(sun_distance_m, dtype=float) / AU_M
    return s0 / (r * r) * np.clip(np.asarray(visible_fraction, float), 0.0, 1.0) * np.maximum(ci, 0.0)


def absorbed_direct_flux(direct_flux_w_m2, cos_i, params: RegolithParams = RegolithParams()):
    """Absorbed part of a direct flux, (1 - A(i)) F, with A(i) of Hayne et al. (2017) eq. A5."""
    i = np.arccos(np.clip(np.asarray(cos_i, float), -1.0, 1.0))
    return (1.0 - albedo_at_incidence(i, params)) * np.asarray(direct_flux_w_m2, float)


def idealized_diurnal_flux(lat_deg: float, n_steps: int, *, declination_deg: float = 0.0,
                           distance_au: float = 1.0, period_s: float = SYNODIC_MONTH_S,
                           params: RegolithParams = RegolithParams()) -> tuple[np.ndarray, np.ndarray]:
    """Absorbed flux on a flat facet over one lunar day, starting at local noon.

    Hour angle h = 2 pi t / P, cos i = sin(lat) sin(dec) + cos(lat) cos(dec) cos(h); the Sun is a
    point source at a fixed distance (the forcing of Hayne et al. 2017 Appendix A and heat1d).

    Returns
    -------
    (flux_w_m2, hours_from_noon) : two arrays of shape (n_steps,)
        Absorbed flux at the end of each step [W m-2] and the local time of that instant in
        hours after noon (0..24 lunar "hours").
    """
    t = (np.arange(n_steps) + 1) * (period_s / n_steps)
    h = 2 * np.pi * t / period_s
    lat, dec = np.radians(lat_deg), np.radians(declination_deg)
    ci = np.sin(lat) * np.sin(dec) + np.cos(lat) * np.cos(dec) * np.cos(h)
    direct = params.solar_constant_w_m2 / distance_au**2 * np.maximum(ci, 0.0)
    return absorbed_direct_flux(direct, ci, params), (h / (2 * np.pi) * 24.0) % 24.0
