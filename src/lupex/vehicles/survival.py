"""Survival limits: heater power in hibernation and the longest darkness a battery carries.

A hibernating vehicle keeps its battery and electronics above their survival temperature
``T_in`` with heaters that replace the heat it loses to a cold environment ``T_sink``: by
radiation from its radiators and by conduction through insulation, legs and cables,

``P_heater = eps sigma A (T_in^4 - T_sink^4) + G (T_in - T_sink)``  (clipped at 0)

(the steady-state heat balance of an isothermal box, Gilmore 2002 [1], ch. 2 and 7; lunar
polar night sinks ~ 40-100 K, Paige et al. 2010 [2]). The longest darkness survivable from a
charge is then the usable energy through the discharge efficiency over the hibernation load:

``t_max = (E - E_floor) eta_d / (P_hibernate + P_heater)``.

Limits: steady state (no thermal mass riding through short shadows), one lumped temperature, no
radiation from the terrain; values marked *estimate* in the presets have no public source.

References
----------
.. [1] Gilmore, D. G. (ed.) (2002). Spacecraft Thermal Control Handbook, Vol. I, 2nd ed.,
   The Aerospace Press, ch. 2 (radiative balance), ch. 7 (heaters).
.. [2] Paige, D. A. et al. (2010). Diviner Lunar Radiometer observations of cold traps in the
   Moon's south polar region. Science 330, 479-482.
"""

from __future__ import annotations

import numpy as np

from lupex.errors import ParameterError

STEFAN_BOLTZMANN_W_M2_K4: float = 5.670374419e-8
"""Stefan-Boltzmann constant [W m-2 K-4] (CODATA 2018, exact)."""


def survival_heater_power_w(t_internal_k, t_sink_k, *, radiator_area_m2: float,
                            emissivity: float, conductance_w_k: float):
    """Heater power that holds a hibernating box at ``t_internal_k`` [W] (module docstring).

    Parameters
    ----------
    t_internal_k : array_like
        Survival temperature of the battery/electronics [K].
    t_sink_k : array_like
        Effective radiative and conductive sink temperature [K].
    radiator_area_m2 : float
        Effective radiating area left open in hibernation [m2].
    emissivity : float
        Infrared emissivity of that area [1].
    conductance_w_k : float
        Conductive leak through insulation, legs, cables [W K-1].
    """
    if radiator_area_m2 < 0 or conductance_w_k < 0 or not 0 <= emissivity <= 1:
        raise ParameterError("survival heater: radiator_area_m2 and conductance_w_k must be >= 0 "
                             f"and emissivity in [0, 1] (got {radiator_area_m2!r}, "
                             f"{conductance_w_k!r}, {emissivity!r}).")
    ti = np.asarray(t_internal_k, float)
    ts = np.asarray(t_sink_k, float)
    p = emissivity * STEFAN_BOLTZMANN_W_M2_K4 * radiator_area_m2 * (ti ** 4 - ts ** 4) \
        + conductance_w_k * (ti - ts)
    return np.maximum(p, 0.0)


def max_darkness_h(usable_wh, hibernate_w, heater_w=0.0, *, discharge_efficiency: float = 1.0):
    """Longest darkness survivable in hibernation from a usable charge [h] (module docstring).

    Parameters
    ----------
    usable_wh : array_like
        Energy available above the floor the battery may not go below [Wh].
    hibernate_w, heater_w : array_like
        Hibernation electronics and survival heater power [W].
    discharge_efficiency : float
        Fraction of the stored energy that reaches the load [1].
    """
    load = np.asarray(hibernate_w, float) + np.asarray(heater_w, float)
    e = np.maximum(np.asarray(usable_wh, float), 0.0) * discharge_efficiency
    with np.errstate(divide="ignore"):
        return np.where(load > 0, e / np.where(load > 0, load, 1.0), np.inf)


def energy_for_darkness_wh(darkness_h, hibernate_w, heater_w=0.0, *,
                           discharge_efficiency: float = 1.0):
    """Stored energy a darkness of ``darkness_h`` takes in hibernation [Wh] (inverse of
    :func:`max_darkness_h`)."""
    load = np.asarray(hibernate_w, float) + np.asarray(heater_w, float)
    return np.asarray(darkness_h, float) * load / discharge_efficiency
