"""Vehicles as power systems: loads per operating mode and a battery with conversion losses.

The array output itself is :func:`lupex.vehicles.rover.array_power_w` (rated output x visible
Sun fraction x cos(incidence)); this module adds what a mission timeline needs on top of it:

- :class:`PowerLoads`: the electrical load of each operating mode (drive, science, drill, idle,
  hibernate, survival heating, radio) [W];
- :func:`battery_step`: one constant-power interval of a battery with a charge efficiency and a
  discharge efficiency (a "bucket" or energy-counting model, the usual first model of mission
  energy balance, e.g. Patel 2004, ch. 3; Larson & Wertz 1999, SMAD sec. 11.4): with
  ``P_net = P_array - P_load``,

  ``dE/dt = eta_c P_net`` while charging (``P_net > 0``), ``dE/dt = P_net / eta_d`` while
  discharging, clipped to ``[0, capacity]`` (surplus array power is shed, a deficit at empty is
  reported as unmet energy).

Limits: no voltage, temperature or rate dependence of the capacity, no ageing; the array is
assumed to supply the load first and only the net flows through the battery.

References
----------
.. [1] Patel, M. R. (2004). Spacecraft Power Systems. CRC Press, ch. 3 and 7 (battery energy
   balance, charge/discharge efficiencies of Li-ion cells ~ 0.9-0.97).
.. [2] Larson, W. J., Wertz, J. R. (1999). Space Mission Analysis and Design, 3rd ed., sec. 11.4
   (power subsystem sizing: battery energy through the eclipse divided by the transfer efficiency).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lupex.errors import ParameterError

MODES = ("drive", "science", "drill", "idle", "hibernate")
"""Operating modes of a vehicle; ``hibernate`` also draws the survival heaters."""


@dataclass(frozen=True)
class PowerLoads:
    """Electrical load per operating mode [W].

    Attributes
    ----------
    drive_base_w : float
        Avionics, heaters and motor controllers while driving; traction is added per move
        (:func:`lupex.vehicles.rover.traction_power_w`).
    science_w : float
        Awake and parked with the science instruments on (the instrument's own power is added
        by the instrument model where it gives one).
    drill_w : float
        Awake with the drill turning (drill motor and avionics).
    idle_w : float
        Awake and parked.
    hibernate_w : float
        Hibernation electronics (receiver, battery management).
    survival_heater_w : float
        Survival heaters during hibernation (see :mod:`lupex.vehicles.survival`).
    radio_w : float
        Extra draw of the transmitter while downlinking.
    """

    drive_base_w: float
    science_w: float
    drill_w: float
    idle_w: float
    hibernate_w: float
    survival_heater_w: float = 0.0
    radio_w: float = 0.0

    def __post_init__(self) -> None:
        for name, v in self.__dict__.items():
            if not np.isfinite(v) or v < 0:
                raise ParameterError(f"power load {name} = {v!r} W must be finite and >= 0.")

    def mode_w(self, mode: str) -> float:
        """Load of ``mode`` [W] (``hibernate`` includes the survival heaters)."""
        if mode == "drive":
            return self.drive_base_w
        if mode == "science":
            return self.science_w
        if mode == "drill":
            return self.drill_w
        if mode == "idle":
            return self.idle_w
        if mode == "hibernate":
            return self.hibernate_w + self.survival_heater_w
        raise ParameterError(f"operating mode {mode!r} is unknown; modes: {', '.join(MODES)}.")


@dataclass(frozen=True)
class Battery:
    """A battery as an energy store with conversion losses.

    Attributes
    ----------
    capacity_wh : float
        Usable capacity at full charge [Wh].
    charge_efficiency, discharge_efficiency : float
        Fraction of the energy offered that is stored, and of the stored energy that reaches
        the load [1] (Li-ion round trip ~ 0.9, Patel [1]).
    soc_min_fraction : float
        Lowest state of charge operations allow [1] (the rover stops and charges below it).
    """

    capacity_wh: float
    charge_efficiency: float = 0.95
    discharge_efficiency: float = 0.95
    soc_min_fraction: float = 0.2

    def __post_init__(self) -> None:
        if not self.capacity_wh > 0:
            raise ParameterError(f"battery capacity_wh = {self.capacity_wh!r} must be > 0.")
        for name in ("charge_efficiency", "discharge_efficiency"):
            v = getattr(self, name)
            if not 0 < v <= 1:
                raise ParameterError(f"battery {name} = {v!r} is outside the allowed range (0, 1].")
        if not 0 <= self.soc_min_fraction < 1:
            raise ParameterError(f"battery soc_min_fraction = {self.soc_min_fraction!r} is outside "
                                 "the allowed range [0, 1).")

    @property
    def soc_min_wh(self) -> float:
        return self.capacity_wh * self.soc_min_fraction

    def step(self, soc_wh, power_in_w, power_out_w, dt_s):
        """One interval at constant power: see :func:`battery_step`."""
        return battery_step(soc_wh, power_in_w, power_out_w, dt_s, capacity_wh=self.capacity_wh,
                            charge_efficiency=self.charge_efficiency,
                            discharge_efficiency=self.discharge_efficiency)

    def hours_to_empty(self, soc_wh: float, load_w: float, *, floor_wh: float = 0.0) -> float:
        """Hours a charge lasts at a constant load with no input [h]: ``(E - floor) eta_d / P``."""
        if load_w <= 0:
            return float("inf")
        return max(soc_wh - floor_wh, 0.0) * self.discharge_efficiency / load_w


def battery_step(soc_wh, power_in_w, power_out_w, dt_s, *, capacity_wh: float,
                 charge_efficiency: float = 1.0, discharge_efficiency: float = 1.0):
    """State of charge after ``dt_s`` at constant input and load power (module docstring).

    Parameters
    ----------
    soc_wh : array_like
        Stored energy at the start [Wh].
    power_in_w, power_out_w : array_like
        Array output and load [W] over the interval.
    dt_s : array_like
        Interval [s].
    capacity_wh : float
        Capacity [Wh].
    charge_efficiency, discharge_efficiency : float
        Conversion efficiencies [1].

    Returns
    -------
    soc_wh, shed_wh, unmet_wh : ndarray
        Stored energy at the end [Wh], array energy shed because the battery was full [Wh]
        (at the array), load energy the empty battery could not supply [Wh].
    """
    soc = np.asarray(soc_wh, float)
    net_wh = (np.asarray(power_in_w, float) - np.asarray(power_out_w, float)) \
        * np.asarray(dt_s, float) / 3600.0
    delta = np.where(net_wh >= 0, net_wh * charge_efficiency, net_wh / discharge_efficiency)
    raw = soc + delta
    new = np.clip(raw, 0.0, capacity_wh)
    shed = np.maximum(raw - capacity_wh, 0.0) / charge_efficiency
    unmet = np.maximum(-raw, 0.0) * discharge_efficiency
    return new, shed, unmet
