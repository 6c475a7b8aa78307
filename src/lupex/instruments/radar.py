"""Ground-penetrating radar (ISRO): depth of the dry-lag / icy-regolith interface.

Each layer's permittivity comes from :mod:`lupex.instruments.dielectric` (dry regolith
1.919**rho, ice in the pores by CRIM). At the first interface with a permittivity contrast the
normal-incidence amplitude reflection coefficient is ([1], ch. 4)::

    R = (sqrt(eps_1) - sqrt(eps_2)) / (sqrt(eps_1) + sqrt(eps_2))

The echo's loss relative to the transmitted pulse, for a planar reflector at depth z, is the
reflection loss, the two-way spreading of the radar equation for a specular interface
(image source at 2z, [1] ch. 4) and the two-way attenuation::

    L(z) = -20 log10|R| + 20 log10(2 z / 1 m) + 2 z alpha_dB,
    alpha_dB = 8.686 pi f sqrt(eps) tan_delta / c                    [dB m-1, low-loss, [1]]

with the loss tangent of Carrier et al. (dielectric module). The echo is detected when
``SNR = dynamic_range_db - L(z) >= detection_snr_db`` (13 dB: probability of detection ~0.9 at
a false-alarm rate ~1e-6, Albersheim's relation in [2]), when the interface lies deeper than
the range resolution ``dz = c / (2 B sqrt(eps_1))`` (shallower, it merges with the surface
echo) and within the recording window ``max_depth_m``.

Depth: the two-way time ``t = 2 sum_i h_i sqrt(eps_i) / c`` over the layers above the
interface is converted back with an assumed upper-layer permittivity, ``z = c t / (2
sqrt(eps_assumed))``. The timing precision is ``sigma_t = 1 / (B sqrt(2 SNR))`` ([2], range
accuracy), so ``sigma_z = c sigma_t / (2 sqrt(eps_assumed))``. With the true permittivity and
no noise the depth is exact.

ISRO has not published the GPR's band; the defaults are the high-frequency channel of the
Chang'e-3/4 Lunar Penetrating Radar (centre 500 MHz, 250-750 MHz, [3]) as an analogue.

Limits: one interface (the first contrast), no clutter from rocks, no dispersion, specular
interface, no antenna pattern.

References
----------
.. [1] Annan, A. P. (2009). Electromagnetic principles of ground penetrating radar. In Jol, H.
   M. (ed.), Ground Penetrating Radar: Theory and Applications, Elsevier, ch. 1 and 4.
.. [2] Skolnik, M. I. (2001). Introduction to Radar Systems, 3rd ed., McGraw-Hill (sec. 2.5,
   detection threshold; sec. 6.3, range accuracy dt = 1 / (B sqrt(2 E/N0))).
.. [3] Fang, G.-Y. et al. (2014). Lunar Penetrating Radar onboard the Chang'e-3 mission. Res.
   Astron. Astrophys. 14, 1607-1622.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from pydantic import Field

from lupex.constants import SPEED_OF_LIGHT_M_S
from lupex.instruments.base import InstrumentSpec, Measurement, costs, normal
from lupex.instruments.column import Column
from lupex.instruments.dielectric import icy_permittivity, loss_tangent


class RadarSpec(InstrumentSpec):
    """Ground-penetrating radar (ISRO): interface depth from two-way time."""

    name: str = Field("GPR", description="instrument name", json_schema_extra={"unit": ""})
    power_w: float = Field(15.0, ge=0, le=5000, description="power while sounding",
                           json_schema_extra={"unit": "W", "source": "estimate"})
    duration_s: float = Field(60.0, gt=0, le=1e7, description="duration of one sounding (stacked traces)",
                              json_schema_extra={"unit": "s", "source": "estimate"})
    data_mb: float = Field(0.5, ge=0, le=1e5, description="data of one sounding",
                           json_schema_extra={"unit": "MB", "source": "estimate"})
    footprint_m: float = Field(1.0, ge=0, le=1e4, description="footprint (first Fresnel zone, ~1 m at 1-2 m depth)",
                               json_schema_extra={"unit": "m", "source": "estimate"})
    source: str = Field("band of the Chang'e-3 LPR channel 2 (Fang et al. 2014) as analogue; "
                        "power/data estimates", description="public sources of these numbers",
                        json_schema_extra={"unit": ""})
    center_frequency_hz: float = Field(
        500e6, gt=0, le=1e10, description="centre frequency",
        json_schema_extra={"unit": "Hz", "source": "Chang'e-3 LPR channel 2 analogue (Fang et al. 2014)"})
    bandwidth_hz: float = Field(
        500e6, gt=0, le=1e10, description="bandwidth (sets the range resolution)",
        json_schema_extra={"unit": "Hz", "source": "Chang'e-3 LPR channel 2 analogue (Fang et al. 2014)"})
    dynamic_range_db: float = Field(
        60.0, gt=0, le=200, description="system dynamic range (stacked)",
        json_schema_extra={"unit": "dB", "source": "estimate"})
    detection_snr_db: float = Field(
        13.0, ge=0, le=100, description="SNR needed to detect an echo",
        json_schema_extra={"unit": "dB", "source": "Pd 0.9, Pfa 1e-6 (Skolnik 2001, sec. 2.5)"})
    max_depth_m: float = Field(
        5.0, gt=0, le=1000, description="deepest interface the recording window holds",
        json_schema_extra={"unit": "m", "source": "estimate ('several metres')"})
    tio2_feo_wt_pct: float = Field(
        6.0, ge=0, le=50, description="TiO2 + FeO of the regolith (loss tangent)",
        json_schema_extra={"unit": "wt%", "source": "estimate (south-polar highlands, ~5-6 wt% FeO)"})


@dataclass(frozen=True, kw_only=True)
class RadarMeasurement(Measurement):
    """One radar sounding.

    Attributes
    ----------
    detected : bool
        Whether an interface echo was detected.
    depth_m, depth_sigma_m : float
        Measured interface depth and its 1-sigma [m] (NaN when not detected).
    depth_true_m : float
        Depth of the first permittivity contrast in the truth [m] (NaN if none).
    reflection_coefficient : float
        Amplitude reflection coefficient at that interface [1] (0 if none).
    snr_db : float
        Echo signal-to-noise ratio [dB] (-inf if no interface).
    resolution_m : float
        Range resolution in the upper layer [m].
    eps_upper, eps_lower : float
        True permittivities above and below the interface [1].
    """

    detected: bool
    depth_m: float
    depth_sigma_m: float
    depth_true_m: float
    reflection_coefficient: float
    snr_db: float
    resolution_m: float
    eps_upper: float
    eps_lower: float


def reflection_coefficient(eps_1, eps_2):
    """Normal-incidence amplitude reflection coefficient from medium 1 into medium 2 [1]."""
    a, b = np.sqrt(eps_1), np.sqrt(eps_2)
    return (a - b) / (a + b)


def attenuation_db_per_m(eps, tan_delta, frequency_hz):
    """One-way attenuation of a low-loss medium, ``8.686 pi f sqrt(eps) tan_delta / c`` [dB m-1]."""
    return 8.686 * math.pi * np.asarray(frequency_hz) * np.sqrt(eps) * tan_delta / SPEED_OF_LIGHT_M_S


def echo_loss_db(depth_m, reflection: float, alpha_db_per_m: float):
    """Echo loss of a planar interface at ``depth_m`` [dB] (module docstring)."""
    z = np.asarray(depth_m, dtype=float)
    return -20.0 * np.log10(abs(reflection)) + 20.0 * np.log10(2.0 * z) + 2.0 * z * alpha_db_per_m


def range_resolution_m(eps, bandwidth_hz):
    """Range resolution ``c / (2 B sqrt(eps))`` [m]."""
    return SPEED_OF_LIGHT_M_S / (2.0 * np.asarray(bandwidth_hz) * np.sqrt(eps))


def layer_permittivities(column: Column) -> np.ndarray:
    """Real permittivity of each layer of ``column`` [1]."""
    return np.asarray(icy_permittivity(column.h2o_layer_wt_pct, column.dry_density_kg_m3))


def measure(column: Column, *, rng: np.random.Generator | None = None,
            spec: RadarSpec | None = None, eps_assumed: float | None = None) -> RadarMeasurement:
    """Sound ``column`` and report the depth of its first permittivity interface.

    Parameters
    ----------
    column : Column
        The column under the antenna.
    rng : numpy.random.Generator, optional
        Timing noise; None is the noiseless radar.
    spec : RadarSpec, optional
        Radar parameters (default :class:`RadarSpec()`).
    eps_assumed : float, optional
        Upper-layer permittivity used to turn time into depth (default: the true one, e.g.
        known from the permittivity probe); a wrong value biases the depth by
        ``sqrt(eps_true / eps_assumed)``.
    """
    spec = spec or RadarSpec()
    eps = layer_permittivities(column)
    tan_d = float(loss_tangent(column.dry_density_kg_m3, spec.tio2_feo_wt_pct))
    jump = np.flatnonzero(np.abs(np.diff(eps)) > 0)
    res = float(range_resolution_m(eps[0], spec.bandwidth_hz))
    base = costs(spec)
    if jump.size == 0:
        return RadarMeasurement(detected=False, depth_m=math.nan, depth_sigma_m=math.nan,
                                depth_true_m=math.nan, reflection_coefficient=0.0,
                                snr_db=-math.inf, resolution_m=res, eps_upper=float(eps[0]),
                                eps_lower=float(eps[0]), **base)
    k = int(jump[0]) + 1  # first layer below the interface
    z_true = float(column.depth_m[k])
    thick = np.diff(column.depth_m[: k + 1])
    t_true = 2.0 * float(np.sum(thick * np.sqrt(eps[:k]))) / SPEED_OF_LIGHT_M_S
    eps_up = float((np.sum(thick * np.sqrt(eps[:k])) / z_true) ** 2)  # time-average above
    r = float(reflection_coefficient(eps[k - 1], eps[k]))
    alpha = float(attenuation_db_per_m(eps_up, tan_d, spec.center_frequency_hz))
    snr_db = float(spec.dynamic_range_db - echo_loss_db(z_true, r, alpha))
    res = float(range_resolution_m(eps_up, spec.bandwidth_hz))
    detected = snr_db >= spec.detection_snr_db and z_true >= res and z_true <= spec.max_depth_m
    e_ass = eps_up if eps_assumed is None else float(eps_assumed)
    if detected:
        sigma_t = 1.0 / (spec.bandwidth_hz * math.sqrt(2.0 * 10.0 ** (snr_db / 10.0)))
        t = t_true + normal(rng, sigma_t)
        depth = SPEED_OF_LIGHT_M_S * t / (2.0 * math.sqrt(e_ass))
        sigma_z = SPEED_OF_LIGHT_M_S * sigma_t / (2.0 * math.sqrt(e_ass))
    else:
        depth = sigma_z = math.nan
    return RadarMeasurement(detected=bool(detected), depth_m=depth, depth_sigma_m=sigma_z,
                            depth_true_m=z_true, reflection_coefficient=r, snr_db=snr_db,
                            resolution_m=res, eps_upper=float(eps[k - 1]), eps_lower=float(eps[k]),
                            **base)


def max_detectable_depth_m(reflection: float, *, eps: float, density_kg_m3: float,
                           spec: RadarSpec | None = None) -> float:
    """Deepest interface of amplitude ``reflection`` the radar detects [m] (0 if none).

    Solves ``dynamic_range_db - L(z) = detection_snr_db`` for z (L increases with z), then caps
    it at ``spec.max_depth_m``.
    """
    from scipy.optimize import brentq

    spec = spec or RadarSpec()
    if reflection == 0:
        return 0.0
    alpha = float(attenuation_db_per_m(eps, loss_tangent(density_kg_m3, spec.tio2_feo_wt_pct),
                                       spec.center_frequency_hz))
    margin = spec.dynamic_range_db - spec.detection_snr_db

    def f(z: float) -> float:
        return margin - float(echo_loss_db(z, reflection, alpha))

    lo, hi = 1e-6, 1e5
    if f(lo) < 0:
        return 0.0
    if f(hi) > 0:
        return spec.max_depth_m
    return min(float(brentq(f, lo, hi, xtol=1e-6)), spec.max_depth_m)
