"""The ``[mission]`` table: preset, timeline, strategy, power, comms and uncertainties.

Fields left out (``None``) take the value of ``preset`` (:mod:`lupex.scenario.presets`, every
value with its source); :meth:`MissionTable.resolved` returns the values the simulation uses and
:meth:`MissionTable.rover_for` the rover (the preset's rover values where ``[rover]`` keeps its
defaults). Values with no public source say "estimate".
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from lupex.scenario import presets as P
from lupex.times import to_utc
from lupex.vehicles.rover import Rover

_CFG = ConfigDict(extra="forbid", validate_assignment=True)
_E = "estimate"


def _pf(desc: str, unit: str, *, gt: float | None = None, le: float | None = None,
        ge: float | None = None, field: str) -> Any:
    """An optional field filled from the preset: its description lists both presets' values."""
    kw = {k: v for k, v in (("gt", gt), ("le", le), ("ge", ge)) if v is not None}
    return Field(None, **kw, description=f"{desc}; omitted = from the preset",
                 json_schema_extra={"unit": unit, "source": P.preset_note(field)})


class MissionTable(BaseModel):
    """The mission from touchdown to its end: preset, operations, power, comms, uncertainty."""

    model_config = _CFG

    preset: Literal["lupex", "viper"] = Field(
        "lupex", description="mission preset filling every field left out (and [rover] defaults)",
        json_schema_extra={"unit": ""})
    touchdown_utc: str | None = Field(None, description="touchdown time (UTC); omitted = the launch stage's landing epoch (start of the best landing window), else window.start",
                                      json_schema_extra={"unit": "UTC"})
    landing_x_m: float | None = Field(None, description="touchdown x in the DEM CRS; omitted = "
                                      "the best-ranked landing site", json_schema_extra={"unit": "m"})
    landing_y_m: float | None = Field(None, description="touchdown y in the DEM CRS; omitted = "
                                      "the best-ranked landing site", json_schema_extra={"unit": "m"})
    extended: bool = Field(False, description="simulate the extended mission instead of the nominal",
                           json_schema_extra={"unit": ""})
    duration_days: float | None = _pf("nominal surface mission", "d", gt=0, le=3650,
                                      field="duration_days")
    extended_duration_days: float | None = _pf("extended surface mission", "d", gt=0, le=3650,
                                               field="extended_duration_days")
    step_h: float = Field(1.0, gt=0, le=24, description="time step of the mission's visibility "
                          "and ground-station tables", json_schema_extra={"unit": "h"})
    area_m: float | None = _pf("side of the square exploration area around the landing site",
                               "m", gt=0, le=1e5, field="area_m")
    traverse_goal_m: float | None = _pf("survey distance planned (sets the survey line spacing)",
                                        "m", gt=0, le=1e6, field="traverse_goal_m")
    landing_accuracy_m: float | None = _pf("touchdown dispersion radius drawn by the Monte Carlo",
                                           "m", ge=0, le=1e5, field="landing_accuracy_m")
    egress_h: float | None = _pf("rover egress from the lander", "h", ge=0, le=1e4, field="egress_h")
    commissioning_h: float | None = _pf("rover commissioning before prospecting", "h", ge=0,
                                        le=1e4, field="commissioning_h")
    drill_sites: int | None = _pf("drilling campaigns planned", "1", ge=0, le=1000,
                                  field="drill_sites")
    drill_depth_m: float | None = _pf("deepest sample the drill takes", "m", gt=0, le=10,
                                      field="drill_depth_m")
    drill_w: float | None = _pf("rover load while drilling", "W", ge=0, le=1e4, field="drill_w")
    active_in_shadow_h: float | None = _pf(
        "longest active period planned away from sunlight (operations rule)", "h", gt=0, le=1e4,
        field="active_in_shadow_h")
    strategy: Literal["guided", "grid"] = Field(
        "guided", description="drill-site selection: 'guided' = the highest measured neutron "
        "hydrogen so far, 'grid' = a fixed grid over the exploration area",
        json_schema_extra={"unit": ""})
    drill_separation_m: float = Field(50.0, ge=0, le=1e5, description=f"least distance between "
                                      f"drill sites; {_E}", json_schema_extra={"unit": "m"})
    soc_resume_fraction: float = Field(0.6, gt=0, le=1, description="state of charge the rover "
                                       f"recharges to before resuming work; {_E}",
                                       json_schema_extra={"unit": "1"})
    havens: bool = Field(True, description="safe-haven rule: work only while the charge can "
                         "still reach a place that lives to the end of the mission (VIPER's "
                         "safe-haven operations, Colaprete et al. 2021)",
                         json_schema_extra={"unit": ""})
    haven_margin_fraction: float = Field(0.1, ge=0, lt=0.5, description="charge kept above the "
                                         f"survival need, as a fraction of the battery; {_E}",
                                         json_schema_extra={"unit": "1"})
    haven_range_m: float = Field(3000.0, ge=0, le=1e5, description="how far beyond the "
                                 "exploration area the mission grid reaches for safe havens "
                                 "(larger: more havens, a slower first run)",
                                 json_schema_extra={"unit": "m"})
    site_screen: int = Field(6, ge=0, le=100, description="ranked landing candidates the "
                             "mission screens, best first, for one whose touchdown survives "
                             "(a safe-haven sequence to the end); 0 = the best-ranked site",
                             json_schema_extra={"unit": "1"})
    nested_pixel_m: float | None = Field(
        None, gt=0, le=1000, description="run the mission on a nested grid this fine around the "
        "landing site, with its own horizons (the regional DEM as far field); the regional "
        "pixel must be a whole multiple of it; omitted = the regional grid",
        json_schema_extra={"unit": "m", "example": 10.0})
    nested_half_width_m: float | None = Field(
        None, gt=0, le=1e5, description="half side of the nested square; omitted = the "
        "exploration area and landing dispersion with a quarter more (safe havens only inside)",
        json_schema_extra={"unit": "m", "example": 1000.0})
    nested_dem: str | None = Field(
        None, description="a finer site DEM (GeoTIFF in the regional CRS) for the nested grid; "
        "omitted = the regional DEM refined by bicubic spline (plus nested_detail)",
        json_schema_extra={"unit": "", "example": "site_5m.tif"})
    nested_detail: bool = Field(
        True, description="add to a refined DEM the sub-pixel relief the regional grid cannot "
        "carry: craters and fractal roughness with lunar RMS slopes (Rosenburg et al. 2011), a "
        "statistical realisation seeded by nested_seed", json_schema_extra={"unit": ""})
    nested_seed: int = Field(0, ge=0, le=2**31 - 1, description="seed of the nested sub-pixel "
                             "relief", json_schema_extra={"unit": "1"})
    charge_efficiency: float = Field(0.95, gt=0, le=1, description="battery charge efficiency "
                                     "(Li-ion, Patel 2004 ch. 3)", json_schema_extra={"unit": "1"})
    discharge_efficiency: float = Field(0.95, gt=0, le=1, description="battery discharge "
                                        "efficiency (Li-ion, Patel 2004 ch. 3)",
                                        json_schema_extra={"unit": "1"})
    survival_t_internal_k: float = Field(253.0, gt=0, le=400, description="survival temperature "
                                         f"of battery and electronics; {_E}",
                                         json_schema_extra={"unit": "K"})
    survival_t_sink_k: float = Field(60.0, ge=0, le=400, description="sink temperature in polar "
                                     "darkness (Paige et al. 2010: 40-100 K)",
                                     json_schema_extra={"unit": "K"})
    survival_radiator_m2: float = Field(0.1, ge=0, le=100, description="radiating area left open "
                                        f"in hibernation; {_E}", json_schema_extra={"unit": "m2"})
    survival_emissivity: float = Field(0.8, ge=0, le=1, description=f"its emissivity; {_E}",
                                       json_schema_extra={"unit": "1"})
    survival_conductance_w_k: float = Field(0.1, ge=0, le=100, description="conductive heat "
                                            f"leak; {_E}", json_schema_extra={"unit": "W/K"})
    stations: list[str] = Field(["IDSN-32", "UDSC-64", "MDSS-54", "DSS-14", "DSS-43", "DSS-63"],
                                description="ground stations (lupex.ephemeris.stations)",
                                json_schema_extra={"unit": ""})
    station_min_elevation_deg: float = Field(10.0, ge=0, le=90, description="station elevation "
                                             "mask", json_schema_extra={"unit": "deg"})
    dte_rate_kbps: float = Field(64.0, gt=0, le=1e6, description="rover direct-to-Earth rate at a "
                                 f"32 m dish; {_E}", json_schema_extra={"unit": "kbit/s"})
    max_rate_kbps: float = Field(2048.0, gt=0, le=1e6, description=f"rover transmitter cap; {_E}",
                                 json_schema_extra={"unit": "kbit/s"})
    storage_mb: float = Field(8192.0, gt=0, le=1e7, description=f"rover on-board storage; {_E}",
                              json_schema_extra={"unit": "MB"})
    radio_w: float = Field(30.0, ge=0, le=1e4, description=f"transmitter load; {_E}",
                           json_schema_extra={"unit": "W"})
    relay: bool = Field(False, description="relay through the lander when within range",
                        json_schema_extra={"unit": ""})
    relay_rate_kbps: float = Field(256.0, gt=0, le=1e6, description=f"rover-lander link; {_E}",
                                   json_schema_extra={"unit": "kbit/s"})
    relay_range_m: float = Field(500.0, gt=0, le=1e5, description=f"rover-lander link range; {_E}",
                                 json_schema_extra={"unit": "m"})
    lander_array_w: float = Field(700.0, ge=0, le=1e5, description=f"lander array output; {_E}",
                                  json_schema_extra={"unit": "W"})
    lander_battery_wh: float = Field(3000.0, gt=0, le=1e6, description=f"lander battery; {_E}",
                                     json_schema_extra={"unit": "Wh"})
    lander_idle_w: float = Field(150.0, ge=0, le=1e4, description=f"lander awake load; {_E}",
                                 json_schema_extra={"unit": "W"})
    lander_hibernate_w: float = Field(40.0, ge=0, le=1e4, description="lander hibernation load "
                                      f"with heaters; {_E}", json_schema_extra={"unit": "W"})
    lander_dte_rate_kbps: float = Field(128.0, gt=0, le=1e6, description="lander direct-to-Earth "
                                        f"rate at a 32 m dish; {_E}",
                                        json_schema_extra={"unit": "kbit/s"})
    speed_sigma: float = Field(0.2, ge=0, le=3, description="log-normal sigma of the achieved / "
                               f"planned drive speed (slip, navigation stops); {_E}",
                               json_schema_extra={"unit": "1"})
    ops_sigma: float = Field(0.3, ge=0, le=3, description="log-normal sigma of the achieved / "
                             f"planned duration of science and drilling; {_E}",
                             json_schema_extra={"unit": "1"})
    hazard_per_km: float = Field(0.5, ge=0, le=1000, description="unmapped obstacles met per km "
                                 f"that block the route ahead (re-planned); {_E}",
                                 json_schema_extra={"unit": "1/km"})
    replan_window_h: float = Field(72.0, gt=0, le=1e4, description="planning window of a re-plan "
                                   "with lupex.traverse", json_schema_extra={"unit": "h"})
    ice_threshold_wt_pct: float = Field(0.5, ge=0, le=100, description="water content counted as "
                                        f"'ice sampled' in the Monte Carlo; {_E}",
                                        json_schema_extra={"unit": "wt%"})
    seed: int = Field(0, ge=0, le=2**31 - 1, description="seed of the ground truth and of the "
                      "operations uncertainty", json_schema_extra={"unit": "1"})
    monte_carlo: int = Field(0, ge=0, le=100000, description="Monte Carlo runs (also "
                             "`lupex run --monte-carlo N`)", json_schema_extra={"unit": "1"})

    @field_validator("touchdown_utc")
    @classmethod
    def _iso(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                to_utc(v)
            except Exception:
                raise ValueError(f"{v!r} is not an ISO 8601 UTC time such as 2028-09-01T00:00") \
                    from None
        return v

    def resolved(self) -> dict[str, Any]:
        """Every field with the preset filled in where it was left out."""
        out = self.model_dump()
        for name in P.MISSION:
            if out.get(name) is None:
                out[name] = P.value(name, self.preset)
        return out

    def rover_for(self, rover: Rover) -> Rover:
        """``rover`` with the preset's values where it keeps the [rover] defaults."""
        default = Rover()
        upd = {k: P.value(k, self.preset, P.ROVER) for k in P.ROVER
               if getattr(rover, k) == getattr(default, k)}
        return rover.model_copy(update=upd) if upd else rover

    def sources(self) -> dict[str, str]:
        """Field -> source of the resolved preset values (for docs and the summary)."""
        out = {k: P.source(k, self.preset) for k in P.MISSION if getattr(self, k) is None}
        out.update({f"rover.{k}": P.source(k, self.preset, P.ROVER) for k in P.ROVER})
        return out
