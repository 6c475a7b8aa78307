"""Vehicles as communication systems: downlink rate per ground station, relay, on-board storage.

A downlink needs the Earth above the terrain horizon at the transmitter (the illumination
layer's Earth visibility) AND a ground station that sees the Moon (:mod:`lupex.ephemeris.
stations`). The rate a station supports follows the link budget: for a fixed transmitter and
distance, the received power, hence the data rate at a fixed Eb/N0, grows with the receiving
antenna's gain, i.e. with its aperture area (Larson & Wertz 1999 [1], sec. 13.3, eq. 13-13;
DSN Telecommunications Link Design Handbook 810-005 [2], module 101):

``R_station = min(R_ref (D / D_ref)^2, R_max)``

with ``R_ref`` the rate at a reference dish of diameter ``D_ref``. The +-6 % variation of the
Earth-Moon distance (+-12 % in rate) and the elevation dependence of the system noise are
neglected. A rover may instead relay through its lander (a short UHF/Wi-Fi link within
``relay_range_m``, then the lander's own direct-to-Earth link); the relay rate is the lesser of
the two links.

Data are counted in megabytes (10^6 bytes); rates in kilobits per second (10^3 bit/s).

References
----------
.. [1] Larson, W. J., Wertz, J. R. (1999). Space Mission Analysis and Design, 3rd ed., sec. 13.3
   (link equation; data rate proportional to received power at fixed Eb/N0).
.. [2] JPL (2000-). DSN Telecommunications Link Design Handbook 810-005, module 101 (70 m
   subnet) and 104 (34 m subnet): antenna gains scale with aperture area.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lupex.errors import ParameterError

STATION_DIAMETER_M: dict[str, float] = {
    "IDSN-32": 32.0, "UDSC-64": 64.0, "MDSS-54": 54.0,
    "DSS-14": 70.0, "DSS-43": 70.0, "DSS-63": 70.0,
}
"""Dish diameters of the named stations of :data:`lupex.ephemeris.stations.STATIONS` [m]
(the diameter is part of each station's public name)."""

BITS_PER_MB: float = 8e6
"""Bits in one megabyte (10^6 bytes)."""


def station_rate_kbps(diameter_m, *, ref_rate_kbps: float, ref_diameter_m: float,
                      max_rate_kbps: float):
    """Downlink rate a ground station of dish ``diameter_m`` supports [kbit/s] (module docstring).

    Parameters
    ----------
    diameter_m : array_like
        Receiving dish diameter [m].
    ref_rate_kbps : float
        Rate at the reference dish [kbit/s].
    ref_diameter_m : float
        Reference dish diameter [m].
    max_rate_kbps : float
        Largest rate the transmitter's modulation supports [kbit/s].
    """
    if ref_rate_kbps <= 0 or ref_diameter_m <= 0 or max_rate_kbps <= 0:
        raise ParameterError("station_rate_kbps: ref_rate_kbps, ref_diameter_m and max_rate_kbps "
                             "must all be > 0.")
    d = np.asarray(diameter_m, float)
    return np.minimum(ref_rate_kbps * (d / ref_diameter_m) ** 2, max_rate_kbps)


def best_rate_kbps(station_visible, station_rates_kbps) -> np.ndarray:
    """Rate of the fastest station that sees the Moon at each time [kbit/s] (0 when none).

    Parameters
    ----------
    station_visible : array_like (time, station) bool
        Station sees the Moon above its elevation mask.
    station_rates_kbps : array_like (station,)
        Rate each station supports [kbit/s].
    """
    vis = np.asarray(station_visible, bool)
    rates = np.asarray(station_rates_kbps, float)
    if vis.ndim != 2 or vis.shape[1] != rates.size:
        raise ParameterError(f"station visibility {vis.shape} and rates {rates.shape} disagree "
                             "(need (time, station) and (station,)).")
    if rates.size == 0:
        return np.zeros(vis.shape[0])
    return np.max(np.where(vis, rates[None, :], 0.0), axis=1)


def volume_mb(rate_kbps, duration_s):
    """Data volume a link moves in ``duration_s`` at ``rate_kbps`` [MB]."""
    return np.asarray(rate_kbps, float) * 1e3 * np.asarray(duration_s, float) / BITS_PER_MB


@dataclass(frozen=True)
class Comms:
    """A vehicle's radio and data storage.

    Attributes
    ----------
    ref_rate_kbps, ref_diameter_m, max_rate_kbps : float
        Direct-to-Earth rate at the reference dish, its diameter, the transmitter's cap.
    storage_mb : float
        On-board storage [MB]; data made while it is full are lost (counted).
    radio_w : float
        Extra power while transmitting [W].
    relay : bool
        Whether the rover may relay through the lander.
    relay_rate_kbps, relay_range_m : float
        Rover-to-lander link rate and range.
    """

    ref_rate_kbps: float
    ref_diameter_m: float = 32.0
    max_rate_kbps: float = 2048.0
    storage_mb: float = 4096.0
    radio_w: float = 30.0
    relay: bool = False
    relay_rate_kbps: float = 256.0
    relay_range_m: float = 1000.0

    def station_rates_kbps(self, station_names) -> np.ndarray:
        """Rate per named station [kbit/s]; unknown names raise with the known ones listed."""
        d = []
        for n in station_names:
            if n not in STATION_DIAMETER_M:
                raise ParameterError(f"station {n!r} has no dish diameter in lupex.vehicles.comms."
                                     f"STATION_DIAMETER_M (known: {', '.join(STATION_DIAMETER_M)}).")
            d.append(STATION_DIAMETER_M[n])
        return station_rate_kbps(np.asarray(d), ref_rate_kbps=self.ref_rate_kbps,
                                 ref_diameter_m=self.ref_diameter_m,
                                 max_rate_kbps=self.max_rate_kbps)
