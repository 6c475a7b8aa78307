"""The ``[launch]`` table: launcher, stack, transfer, descent, landing windows, navigation.

Values with no public source for LUPEX say "estimate". Used by :mod:`lupex.launch` (windows,
transfer and descent budget) and, through ``navigation``, by the site scoring's landing ellipse
(``apply_to_sites``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from lupex.vehicles.navigation import LandingNavigation

_CFG = ConfigDict(extra="forbid", validate_assignment=True)
_E = "estimate"


def _f(default: float, desc: str, unit: str, source: str = _E, **kw: float):
    extra = {"unit": unit, "source": source} if source else {"unit": unit}
    return Field(default, description=desc, json_schema_extra=extra, **kw)


class LauncherTable(BaseModel):
    """The launcher and the orbit it delivers the stack to (the TLI starts there)."""

    model_config = _CFG

    name: str = Field("H3-24L", description="launcher", json_schema_extra={"unit": ""})
    payload_kg: float = _f(6500.0, "mass the launcher delivers to the parking orbit below",
                           "kg", "JAXA H3 design target: H3-24 >= 6.5 t to GTO (dV 1500 m/s "
                           "to GEO); 6-7 t per Yomiuri 2015-04-09", gt=0, le=1e5)
    perigee_altitude_km: float = _f(250.0, "parking-orbit perigee altitude", "km",
                                    "typical H-IIA/H3 GTO perigee; estimate", gt=150, le=2000)
    apogee_altitude_km: float = _f(35786.0, "parking-orbit apogee altitude (= perigee for a "
                                   "circular LEO)", "km", "GTO apogee at GEO altitude",
                                   gt=150, le=400000)
    inclination_deg: float = _f(30.4, "parking-orbit inclination (launch site latitude for a "
                                "due-east launch)", "deg", "Tanegashima Yoshinobu pad 30.4 N",
                                ge=0, le=180)
    coast_h: float = _f(0.5, "launch to TLI (ascent and parking coast)", "h", _E, ge=0, le=1000)


class StackTable(BaseModel):
    """The spacecraft stack: masses and its (single) propulsion system."""

    model_config = _CFG

    wet_mass_kg: float = _f(6000.0, "stack mass at separation (as planned)", "kg",
                            "about 6 t (issue 11; JAXA/ISRO LUPEX briefings); estimate",
                            gt=0, le=1e5)
    dry_mass_kg: float = _f(1900.0, "landed mass: lander dry, rover, payload and unusable "
                            "propellant", "kg", _E, gt=0, le=1e5)
    isp_s: float = _f(315.0, "specific impulse of the bipropellant engines", "s",
                      "MMH/MON class engines 300-320 s; estimate", gt=100, le=500)
    thrust_n: float = _f(12000.0, "main-engine thrust available for the descent", "N",
                         _E, gt=0, le=1e6)


class TransferTable(BaseModel):
    """The Earth-Moon transfer and the low lunar orbit."""

    model_config = _CFG

    mode: Literal["direct", "phasing"] = Field(
        "direct", description="direct TLI from the parking orbit, or via phasing loops",
        json_schema_extra={"unit": ""})
    time_of_flight_d: float = _f(4.5, "TLI to perilune", "d", "direct transfers 4-5 d", ge=2,
                                 le=8)
    phasing_loops: int = Field(2, ge=1, le=10, description="phasing-orbit revolutions before "
                               "the TLI (mode phasing)", json_schema_extra={"unit": "1"})
    phasing_apogee_km: float = _f(200000.0, "apogee altitude of the phasing orbit", "km", _E,
                                  gt=36000, le=350000)
    perilune_altitude_km: float = _f(100.0, "perilune altitude at arrival = low-orbit altitude",
                                     "km", "Chandrayaan-3 100 km circular polar orbit", gt=10,
                                     le=5000)
    midcourse_m_s: float = _f(30.0, "mid-course correction allowance", "m/s", _E, ge=0, le=500)
    orbit_days: float = _f(3.0, "days in low lunar orbit before the descent", "d", _E, ge=0,
                           le=60)
    orbit_maintenance_m_s: float = _f(20.0, "low-orbit maintenance and phasing allowance",
                                      "m/s", _E, ge=0, le=500)
    finite_burn_loss: float = _f(0.02, "finite-burn (gravity) loss of TLI and LOI as a fraction "
                                 "of their impulsive delta-v", "1",
                                 "1-3 % for thrust/weight 0.05-0.2 (Robbins 1966); estimate",
                                 ge=0, le=0.5)


class DescentTable(BaseModel):
    """From the low orbit to touchdown (:mod:`lupex.launch.descent`)."""

    model_config = _CFG

    pdi_altitude_km: float = _f(15.0, "powered-descent start (perilune after the deorbit)",
                                "km", "Apollo 15 km; Chandrayaan-3 30 km", gt=1, le=100)
    gate_altitude_m: float = _f(100.0, "hover gate altitude (end of braking)", "m",
                                "Chandrayaan-3 150-800 m; estimate", gt=10, le=5000)
    gate_speed_m_s: float = _f(2.0, "vertical descent speed below the gate", "m/s", _E,
                               gt=0.1, le=50)
    hover_s: float = _f(30.0, "hover allowance for hazard assessment", "s",
                        "Chandrayaan-3 hovered at 150 m for retargeting; estimate", ge=0,
                        le=600)
    divert_m_s: float = _f(30.0, "lateral divert allowance", "m/s",
                           "Chandrayaan-3 up to 60 m divert; estimate", ge=0, le=500)
    duration_h: float = _f(1.0, "descent span that must be lit and in view of the Earth "
                           "(deorbit half-orbit + braking)", "h", _E, gt=0, le=24)


class WindowsTable(BaseModel):
    """Landing-window criteria (:mod:`lupex.launch.windows`)."""

    model_config = _CFG

    start_utc: str | None = Field(None, description="first touchdown considered; omitted = "
                                  "window.start", json_schema_extra={"unit": "UTC"})
    stop_utc: str | None = Field(None, description="last touchdown considered; omitted = "
                                 "window.stop", json_schema_extra={"unit": "UTC"})
    step_h: float = _f(1.0, "time step of the window search", "h", "", gt=0, le=24)
    min_sun_fraction: float = _f(1.0, "visible fraction of the Sun's disc required during "
                                 "the descent and at touchdown", "1", "", ge=0, le=1)
    earth_days: float = _f(2.0, "days after touchdown with the Earth in view (N)", "d", _E,
                           ge=0, le=30)
    min_earth_fraction: float = _f(0.0, "visible fraction of the Earth's disc that counts as "
                                   "in view (0 = any part)", "1", "", ge=0, le=1)
    darkness_days: float = _f(14.0, "days after touchdown whose longest darkness must be "
                              "survivable (M)", "d", _E, gt=0, le=60)
    stations: list[str] = Field(["IDSN-32", "UDSC-64", "MDSS-54"],
                                description="ground stations, one of which must see the site at "
                                "touchdown (lupex.ephemeris.STATIONS)",
                                json_schema_extra={"unit": ""})
    station_min_elevation_deg: float = _f(10.0, "station elevation mask", "deg", "", ge=0,
                                          le=90)
    top: int = Field(10, ge=1, le=1000, description="windows listed",
                     json_schema_extra={"unit": "1"})


class LaunchTable(BaseModel):
    """Launcher, stack, transfer, descent, landing windows and landing navigation."""

    model_config = _CFG

    site_lat_deg: float | None = Field(None, ge=-90, le=90, description="landing site; omitted "
                                       "= the best-ranked site", json_schema_extra={"unit": "deg"})
    site_lon_deg: float | None = Field(None, ge=-360, le=360, description="landing site "
                                       "longitude; omitted = the best-ranked site",
                                       json_schema_extra={"unit": "deg"})
    landing_utc: str | None = Field(None, description="touchdown; omitted = the start of the "
                                    "best-ranked window", json_schema_extra={"unit": "UTC"})
    launcher: LauncherTable = Field(default_factory=LauncherTable)
    stack: StackTable = Field(default_factory=StackTable)
    transfer: TransferTable = Field(default_factory=TransferTable)
    descent: DescentTable = Field(default_factory=DescentTable)
    windows: WindowsTable = Field(default_factory=WindowsTable)
    navigation: LandingNavigation = Field(default_factory=LandingNavigation)
    apply_to_sites: bool = Field(False, description="site scoring uses the navigation model's "
                                 "ellipse (semi-major axis) instead of lander.ellipse_radius_m",
                                 json_schema_extra={"unit": ""})
