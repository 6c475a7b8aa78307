"""Rover model: small pure functions over arrays plus one object holding the parameters.

The pvlib pattern: each physical relation is a function of plain numbers/arrays with units in
its name; :class:`Rover` only holds parameters (validated with pydantic) and passes them on.

Geometry of the solar array (stated once, used everywhere): a flat array whose normal points at
``array_normal_elevation_deg`` above the local horizontal (0 = a vertical panel, the natural
choice at the pole where the Sun is within ~1.6 deg of the horizon) and, by default, turned
toward the Sun's azimuth (``array_azimuth_deg = None``: the rover yaws or the mast gimbals to
face the Sun). With a fixed ``array_azimuth_deg`` the panel keeps that grid azimuth. The tilt of
the rover on sloping ground is neglected (it is below the planning slope limit; document your
own tilt with ``array_normal_elevation_deg``).

References
----------
.. [1] Bekker, M. G. (1969). Introduction to Terrain-Vehicle Systems. University of Michigan
   Press. (Motion resistance = compaction/rolling resistance + grade resistance W sin(theta).)
.. [2] Wong, J. Y. (2008). Theory of Ground Vehicles, 4th ed., Wiley, ch. 2-3 (the same
   resistance terms written as a rolling-resistance coefficient).
.. [3] Heiken, G., Vaniman, D., French, B. (1991). Lunar Sourcebook, ch. 9 (regolith
   trafficability; Apollo LRV energy use ~ 35-56 Wh/km on the 210 kg-class vehicle).
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

MOON_G_M_S2: float = 1.625
"""Surface gravity of the Moon [m s-2] (GM / R^2 with GM = 4902.8 km^3 s^-2, R = 1737.4 km)."""


def speed_on_slope_m_s(slope_deg, *, speed_flat_m_s: float, slope_limit_deg: float,
                       min_speed_fraction: float = 0.25):
    """Driving speed on a slope [m s-1]: linear from ``speed_flat_m_s`` at 0 deg down to
    ``min_speed_fraction * speed_flat_m_s`` at ``slope_limit_deg``; zero (impassable) above.

    A simple, monotone model of the slowing that wheel slip causes on steeper regolith slopes
    (slip grows with slope, e.g. Bekker 1969 [1]); replace it with a measured curve when one is
    published for the LUPEX rover.

    Parameters
    ----------
    slope_deg : array_like
        Terrain slope [deg].
    speed_flat_m_s : float
        Speed on level ground [m s-1].
    slope_limit_deg : float
        Largest slope the rover is planned to drive on [deg].
    min_speed_fraction : float
        Speed at the limit as a fraction of the flat speed [1].
    """
    s = np.asarray(slope_deg, dtype=float)
    frac = 1.0 - (1.0 - min_speed_fraction) * np.clip(s / slope_limit_deg, 0.0, 1.0)
    v = speed_flat_m_s * frac
    return np.where((s <= slope_limit_deg) & np.isfinite(s), v, 0.0)


def traction_power_w(grade_sin, speed_m_s, *, mass_kg: float, rolling_coeff: float,
                     drivetrain_efficiency: float, gravity_m_s2: float = MOON_G_M_S2):
    """Electrical power the drive motors need to move at ``speed_m_s`` up a grade [W].

    ``P = m g v (c_rr cos(theta) + sin(theta)) / eta``, clipped at 0 going downhill (no
    regenerative braking) — rolling + grade resistance after Bekker [1] / Wong [2].

    Parameters
    ----------
    grade_sin : array_like
        Sine of the grade along the direction of travel [1] (positive uphill).
    speed_m_s : array_like
        Speed [m s-1].
    mass_kg : float
        Rover mass [kg].
    rolling_coeff : float
        Rolling-resistance coefficient on regolith [1].
    drivetrain_efficiency : float
        Battery-to-wheel efficiency [1].
    gravity_m_s2 : float
        Surface gravity [m s-2].
    """
    s = np.asarray(grade_sin, dtype=float)
    c = np.sqrt(np.clip(1.0 - s * s, 0.0, 1.0))
    force = mass_kg * gravity_m_s2 * (rolling_coeff * c + s)
    return np.maximum(force, 0.0) * np.asarray(speed_m_s, float) / drivetrain_efficiency


def array_incidence_cos(sun_elevation_deg, sun_azimuth_deg=None, *,
                        normal_elevation_deg: float = 0.0, normal_azimuth_deg: float | None = None):
    """Cosine of the Sun's incidence angle on the array [1] (0 when the Sun is behind it).

    ``cos i = sin(e) sin(b) + cos(e) cos(b) cos(A_sun - A_panel)`` with ``e`` the Sun's
    elevation, ``b`` the panel normal's elevation; a Sun-tracking panel has ``A_panel = A_sun``.

    Parameters
    ----------
    sun_elevation_deg, sun_azimuth_deg : array_like
        The Sun's local elevation and grid azimuth [deg].
    normal_elevation_deg : float
        Elevation of the panel normal above the horizontal [deg] (0 = vertical panel).
    normal_azimuth_deg : float or None
        Fixed grid azimuth of the panel normal [deg]; ``None`` tracks the Sun's azimuth.
    """
    e = np.radians(np.asarray(sun_elevation_deg, dtype=float))
    b = np.radians(normal_elevation_deg)
    if normal_azimuth_deg is None or sun_azimuth_deg is None:
        daz = 0.0
    else:
        daz = np.radians(np.asarray(sun_azimuth_deg, float) - normal_azimuth_deg)
    return np.maximum(np.sin(e) * np.sin(b) + np.cos(e) * np.cos(b) * np.cos(daz), 0.0)


def array_power_w(sun_fraction, incidence_cos, *, rated_power_w: float):
    """Array output [W] = rated output at normal incidence x visible Sun-disc fraction x cos(i).

    The 1 AU rated output already includes the cell efficiency and area; the +-3.4 % annual
    variation of the Sun's distance is neglected.
    """
    return rated_power_w * np.asarray(sun_fraction, float) * np.asarray(incidence_cos, float)


_EST = "estimate (no public source)"


class Rover(BaseModel):
    """Parameters of the rover the planner drives (LUPEX defaults).

    Values marked *estimate* have no public source; the rover's mass (~350 kg) is JAXA's
    published class figure. Every field carries its unit in its name.
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    mass_kg: float = Field(350.0, gt=0, le=5000, description="rover mass (JAXA: ~350 kg class)",
                           json_schema_extra={"unit": "kg"})
    speed_flat_m_s: float = Field(0.05, gt=0, le=5, description=f"driving speed on level ground; {_EST}",
                                  json_schema_extra={"unit": "m/s"})
    min_speed_fraction: float = Field(0.25, gt=0, le=1,
                                      description="speed at the slope limit as a fraction of the flat speed; estimate",
                                      json_schema_extra={"unit": "1"})
    slope_planning_deg: float = Field(15.0, gt=0, lt=90, description="largest slope the planner drives on",
                                      json_schema_extra={"unit": "deg"})
    slope_absolute_deg: float = Field(20.0, gt=0, lt=90,
                                      description="absolute slope limit (never exceeded; planning limit must be <= it)",
                                      json_schema_extra={"unit": "deg"})
    rolling_coeff: float = Field(0.15, ge=0, le=1,
                                 description="rolling-resistance coefficient on regolith (Bekker-type); estimate",
                                 json_schema_extra={"unit": "1"})
    drivetrain_efficiency: float = Field(0.5, gt=0, le=1, description=f"battery-to-wheel efficiency; {_EST}",
                                         json_schema_extra={"unit": "1"})
    power_drive_base_w: float = Field(120.0, ge=0, le=1e4,
                                      description=f"avionics + heaters + motor controllers while driving; {_EST}",
                                      json_schema_extra={"unit": "W"})
    power_idle_w: float = Field(80.0, ge=0, le=1e4, description=f"draw while awake and parked; {_EST}",
                                json_schema_extra={"unit": "W"})
    power_science_w: float = Field(150.0, ge=0, le=1e4, description=f"draw during science at a target; {_EST}",
                                   json_schema_extra={"unit": "W"})
    power_hibernate_w: float = Field(30.0, ge=0, le=1e4,
                                     description=f"survival heaters while parked in darkness; {_EST}",
                                     json_schema_extra={"unit": "W"})
    array_rated_power_w: float = Field(400.0, ge=0, le=1e5,
                                       description=f"array output at normal incidence, 1 AU, full Sun disc; {_EST}",
                                       json_schema_extra={"unit": "W"})
    array_normal_elevation_deg: float = Field(0.0, ge=-90, le=90,
                                              description="elevation of the array normal (0 = vertical panel)",
                                              json_schema_extra={"unit": "deg"})
    array_azimuth_deg: float | None = Field(None, ge=0, lt=360,
                                            description="fixed grid azimuth of the array normal; omit to track the Sun",
                                            json_schema_extra={"unit": "deg"})
    battery_wh: float = Field(2000.0, gt=0, le=1e6, description=f"usable Li-ion capacity; {_EST}",
                              json_schema_extra={"unit": "Wh"})
    soc_min_fraction: float = Field(0.2, ge=0, lt=1, description="lowest allowed state of charge",
                                    json_schema_extra={"unit": "1"})
    soc_start_fraction: float = Field(1.0, gt=0, le=1, description="state of charge at the start",
                                      json_schema_extra={"unit": "1"})
    max_darkness_h: float = Field(50.0, gt=0, le=1e5,
                                  description=f"longest continuous time in darkness the rover survives; {_EST}",
                                  json_schema_extra={"unit": "h"})
    max_no_earth_h: float = Field(72.0, gt=0, le=1e5,
                                  description=f"longest allowed time without direct-to-Earth contact; {_EST}",
                                  json_schema_extra={"unit": "h"})

    @model_validator(mode="after")
    def _limits_ordered(self) -> Rover:
        if self.slope_planning_deg > self.slope_absolute_deg:
            raise ValueError(
                f"slope_planning_deg = {self.slope_planning_deg:g} deg is outside the allowed range "
                f"(0, slope_absolute_deg = {self.slope_absolute_deg:g}] deg.")
        return self

    # --- thin wrappers passing the parameters on -------------------------------------------
    def speed_m_s(self, slope_deg):
        """Speed on terrain of the given slope [m s-1] (0 = impassable)."""
        return speed_on_slope_m_s(slope_deg, speed_flat_m_s=self.speed_flat_m_s,
                                  slope_limit_deg=self.slope_planning_deg,
                                  min_speed_fraction=self.min_speed_fraction)

    def traction_power_w(self, grade_sin, speed_m_s):
        """Drive-motor power [W] on a grade."""
        return traction_power_w(grade_sin, speed_m_s, mass_kg=self.mass_kg,
                                rolling_coeff=self.rolling_coeff,
                                drivetrain_efficiency=self.drivetrain_efficiency)

    def incidence_cos(self, sun_elevation_deg, sun_azimuth_deg=None):
        """Cosine of the incidence angle on the array [1]."""
        return array_incidence_cos(sun_elevation_deg, sun_azimuth_deg,
                                   normal_elevation_deg=self.array_normal_elevation_deg,
                                   normal_azimuth_deg=self.array_azimuth_deg)

    def array_power_w(self, sun_fraction, sun_elevation_deg, sun_azimuth_deg=None):
        """Array output [W] for a visible Sun fraction and Sun direction."""
        return array_power_w(sun_fraction, self.incidence_cos(sun_elevation_deg, sun_azimuth_deg),
                             rated_power_w=self.array_rated_power_w)

    @property
    def soc_min_wh(self) -> float:
        """Lowest allowed charge [Wh]."""
        return self.battery_wh * self.soc_min_fraction
