"""The force model of the Earth-Moon transfer: Earth, Moon and Sun point masses from DE421.

Frame and units (this module and the integrators only): geocentric ICRF (the DE421 frame),
kilometres, seconds, time = TDB seconds past J2000 (the SPICE "ET"). The public results of
:mod:`lupex.launch` are converted to SI.

Acceleration of the spacecraft relative to the Earth's centre (the Earth-centred frame is not
inertial, hence the indirect terms; e.g. Montenbruck & Gill 2000, eq. 3.37):

    a = -mu_E r/|r|^3 + sum_{b in Moon, Sun} mu_b ((r_b - r)/|r_b - r|^3 - r_b/|r_b|^3)

The Moon and the Sun positions are the DE421 Chebyshev series themselves (no refit):

- Moon - Earth = (Moon w.r.t. EMB) - (Earth w.r.t. EMB): same 4-day records, so the
  coefficients are subtracted record by record (the series is linear in them);
- Sun - Earth = [(Sun w.r.t. SSB) - (EMB w.r.t. SSB)] (same 16-day records) - (Earth w.r.t.
  EMB) (4-day records).

So on every 4-day record the model is a polynomial in time with fixed coefficients, which the
Taylor integrator (:mod:`lupex.launch.propagate`) takes as runtime parameters and the SciPy
check evaluates with the same Clenshaw sums.

Gravitational parameters are those DE421 was fitted with (Folkner et al. 2009, Table 4: GM_Sun
= 0.2959122082855911e-3 AU^3/d^2, GM_EMB = 0.8997011346712499e-9 AU^3/d^2, Earth/Moon mass
ratio 81.3005690699, AU = 149 597 870.700 km).

Not modelled: Earth J2 (changes a 4.5-day TLI arc by ~1 km at perigee, taken out by the
targeting), lunar gravity harmonics (matter in the low orbit, not for the transfer), solar
radiation pressure (~1e-10 km/s^2 for a 6 t, 20 m^2 stack: < 1 km over the transfer).

References
----------
.. [1] Folkner, W. M., Williams, J. G., Boggs, D. H. (2009). The Planetary and Lunar Ephemeris
   DE 421. JPL IOM 343R-08-003 (GM values, Table 4).
.. [2] Montenbruck, O., Gill, E. (2000). Satellite Orbits. Springer, sec. 3.3 (third-body
   perturbations, eq. 3.37).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

_AU_KM = 149_597_870.700
_DAY_S = 86_400.0
GM_SUN_KM3_S2 = 0.2959122082855911e-3 * _AU_KM**3 / _DAY_S**2
_GM_EMB = 0.8997011346712499e-9 * _AU_KM**3 / _DAY_S**2
_EMRAT = 81.3005690699
GM_EARTH_KM3_S2 = _GM_EMB * _EMRAT / (1.0 + _EMRAT)
GM_MOON_KM3_S2 = _GM_EMB / (1.0 + _EMRAT)
EARTH_RADIUS_KM = 6378.1366
MOON_RADIUS_KM = 1737.4

N_COEF = 13
"""Chebyshev coefficients per component (DE421's Moon, Earth and EMB series; the Sun's 11 are
padded with zeros)."""

N_PARS = 4 + 9 * N_COEF
"""Runtime parameters of the force model: [mid_A, 1/half_A, mid_B, 1/half_B] then the
coefficients of Moon-Earth (record A, 3 x 13), Earth-EMB (record A), Sun-EMB (record B)."""


@dataclass(frozen=True)
class Ephemeris:
    """The three geocentric series the force model needs (see the module docstring)."""

    init: float                 # TDB s past J2000 of the first record
    len_a: float                # 4-day record length [s]
    len_b: float                # 16-day record length [s]
    moon_a: np.ndarray          # (records, 3, 13) Moon - Earth [km]
    earth_a: np.ndarray         # (records, 3, 13) Earth - EMB [km]
    sunemb_b: np.ndarray        # (records, 3, 13) Sun - EMB [km]
    pa_segment: object          # lunar orientation (ChebSegment of Euler angles)
    pa_to_me: np.ndarray        # (3, 3)
    start_s: float
    stop_s: float


@functools.lru_cache(maxsize=1)
def ephemeris() -> Ephemeris:
    """Assemble the geocentric series from the kernels lupex loads (once per process)."""
    from lupex.ephemeris.kernels import load_kernels

    k = load_kernels()
    if not (k.moon.init == k.earth.init == k.sun.init == k.emb.init
            and k.moon.intlen == k.earth.intlen and k.sun.intlen == k.emb.intlen):
        raise RuntimeError("DE421 segments do not share record boundaries")  # pragma: no cover
    sun = np.zeros_like(k.emb.coef)
    sun[:, :, :k.sun.coef.shape[2]] = k.sun.coef
    return Ephemeris(init=k.moon.init, len_a=k.moon.intlen, len_b=k.sun.intlen,
                     moon_a=k.moon.coef - k.earth.coef, earth_a=np.array(k.earth.coef),
                     sunemb_b=sun - k.emb.coef, pa_segment=k.moon_pa, pa_to_me=k.pa_to_me,
                     start_s=k.start_tdb_s, stop_s=k.stop_tdb_s)


def _clenshaw(c: np.ndarray, s: np.ndarray) -> np.ndarray:
    """sum_k c[..., k] T_k(s) for c (n, 3, K) and s (n,) -> (n, 3)."""
    s = s[:, None]
    b1 = np.zeros(c.shape[:2])
    b2 = np.zeros(c.shape[:2])
    for k in range(c.shape[2] - 1, 0, -1):
        b1, b2 = c[:, :, k] + 2.0 * s * b1 - b2, b1
    return c[:, :, 0] + s * b1 - b2


def _record(t: np.ndarray, init: float, length: float, n: int) -> tuple[np.ndarray, np.ndarray]:
    k = np.clip(np.floor((t - init) / length).astype(np.int64), 0, n - 1)
    s = 2.0 * (t - init - k * length) / length - 1.0
    return k, s


def moon_sun_km(t_tdb_s) -> tuple[np.ndarray, np.ndarray]:
    """Geocentric Moon and Sun positions [km] (ICRF) at TDB seconds; arrays (n, 3)."""
    e = ephemeris()
    t = np.atleast_1d(np.asarray(t_tdb_s, dtype=float))
    ka, sa = _record(t, e.init, e.len_a, e.moon_a.shape[0])
    kb, sb = _record(t, e.init, e.len_b, e.sunemb_b.shape[0])
    moon = _clenshaw(e.moon_a[ka], sa)
    sun = _clenshaw(e.sunemb_b[kb], sb) - _clenshaw(e.earth_a[ka], sa)
    return moon, sun


def moon_state_km(t_tdb_s: float) -> np.ndarray:
    """Geocentric Moon position and velocity (6,) [km, km/s]; velocity by a central difference
    of the series over +-1 s (error ~ a * 1 s^2 / 6 < 1e-9 km/s)."""
    r = moon_sun_km([t_tdb_s - 1.0, t_tdb_s, t_tdb_s + 1.0])[0]
    return np.concatenate([r[1], (r[2] - r[0]) / 2.0])


def record_parameters(t_tdb_s: float, direction: float = 1.0) -> tuple[np.ndarray, float]:
    """Runtime parameters (:data:`N_PARS`) valid from ``t_tdb_s`` onwards (or backwards when
    ``direction < 0``) and the epoch where they stop being valid (the next record boundary)."""
    e = ephemeris()
    # the record containing t, or the one ending at t when integrating backwards
    eps = -1e-6 if direction < 0 else 1e-6
    ka = int(np.floor((t_tdb_s + eps - e.init) / e.len_a))
    kb = int(np.floor((t_tdb_s + eps - e.init) / e.len_b))
    if not (0 <= ka < e.moon_a.shape[0] and 0 <= kb < e.sunemb_b.shape[0]):
        from lupex.errors import EphemerisRangeError

        raise EphemerisRangeError(f"TDB {t_tdb_s:.0f} s past J2000 is outside DE421.")
    start_a = e.init + ka * e.len_a
    start_b = e.init + kb * e.len_b
    pars = np.empty(N_PARS)
    pars[:4] = [start_a + e.len_a / 2, 2.0 / e.len_a, start_b + e.len_b / 2, 2.0 / e.len_b]
    n = 3 * N_COEF
    pars[4:4 + n] = e.moon_a[ka].ravel()
    pars[4 + n:4 + 2 * n] = e.earth_a[ka].ravel()
    pars[4 + 2 * n:] = e.sunemb_b[kb].ravel()
    edge = start_a if direction < 0 else start_a + e.len_a
    return pars, edge


def acceleration_km_s2(t_tdb_s: float, r_km: np.ndarray) -> np.ndarray:
    """Acceleration [km/s^2] of the module docstring at one epoch (the SciPy-side model)."""
    moon, sun = moon_sun_km(t_tdb_s)
    moon, sun = moon[0], sun[0]
    a = -GM_EARTH_KM3_S2 * r_km / np.dot(r_km, r_km) ** 1.5
    for mu, rb in ((GM_MOON_KM3_S2, moon), (GM_SUN_KM3_S2, sun)):
        d = rb - r_km
        a = a + mu * (d / np.dot(d, d) ** 1.5 - rb / np.dot(rb, rb) ** 1.5)
    return a


def moon_pole_icrf(t_tdb_s: float) -> np.ndarray:
    """Unit vector of the Moon's mean-Earth (MOON_ME) spin axis in ICRF at a TDB epoch.

    ICRF -> MOON_PA is the PCK Euler sequence ``[w]_3 [delta]_1 [phi]_3`` (NAIF PCK Required
    Reading); MOON_PA -> MOON_ME is the constant frame-kernel rotation. The pole is the third
    row of the composed matrix (the ME z axis expressed in ICRF).
    """
    e = ephemeris()
    seg = e.pa_segment
    k, s = _record(np.array([t_tdb_s]), seg.init, seg.intlen, seg.coef.shape[0])
    phi, dlt, w = _clenshaw(seg.coef[k], s)[0]

    def r1(a: float) -> np.ndarray:
        c, si = np.cos(a), np.sin(a)
        return np.array([[1, 0, 0], [0, c, si], [0, -si, c]])

    def r3(a: float) -> np.ndarray:
        c, si = np.cos(a), np.sin(a)
        return np.array([[c, si, 0], [-si, c, 0], [0, 0, 1]])

    m = e.pa_to_me @ r3(w) @ r1(dlt) @ r3(phi)
    return m[2] / np.linalg.norm(m[2])
