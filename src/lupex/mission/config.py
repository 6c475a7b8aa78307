"""From the scenario's ``[mission]`` and ``[rover]`` tables to one resolved :class:`MissionConfig`."""

from __future__ import annotations

from typing import Any

from lupex.mission.model import LanderPower, MissionConfig
from lupex.mission.science import Science
from lupex.vehicles.comms import Comms
from lupex.vehicles.power import Battery, PowerLoads
from lupex.vehicles.survival import max_darkness_h, survival_heater_power_w


def config_from_scenario(scenario: Any, landing_xy: tuple[float, float], **overrides: Any
                         ) -> tuple[MissionConfig, Science]:
    """The simulation's parameters: the preset filled in, the survival heaters computed.

    ``overrides`` replace fields of the :class:`MissionConfig` (the Monte Carlo's landing point
    and strategy).
    """
    mt = scenario.mission
    m = mt.resolved()
    rover = mt.rover_for(scenario.rover)
    heater = float(survival_heater_power_w(
        m["survival_t_internal_k"], m["survival_t_sink_k"],
        radiator_area_m2=m["survival_radiator_m2"], emissivity=m["survival_emissivity"],
        conductance_w_k=m["survival_conductance_w_k"]))
    loads = PowerLoads(drive_base_w=rover.power_drive_base_w, science_w=rover.power_science_w,
                       drill_w=m["drill_w"], idle_w=rover.power_idle_w,
                       hibernate_w=rover.power_hibernate_w, survival_heater_w=heater,
                       radio_w=m["radio_w"])
    battery = Battery(capacity_wh=rover.battery_wh, charge_efficiency=m["charge_efficiency"],
                      discharge_efficiency=m["discharge_efficiency"],
                      soc_min_fraction=rover.soc_min_fraction)
    comms = Comms(ref_rate_kbps=m["dte_rate_kbps"], ref_diameter_m=32.0,
                  max_rate_kbps=m["max_rate_kbps"], storage_mb=m["storage_mb"],
                  radio_w=m["radio_w"], relay=m["relay"], relay_rate_kbps=m["relay_rate_kbps"],
                  relay_range_m=m["relay_range_m"])
    days = m["extended_duration_days"] if m["extended"] else m["duration_days"]
    kw = dict(rover=rover, loads=loads, battery=battery, comms=comms,
              landing_xy=(float(landing_xy[0]), float(landing_xy[1])), duration_s=days * 86400.0,
              area_m=m["area_m"], traverse_goal_m=m["traverse_goal_m"],
              egress_s=m["egress_h"] * 3600.0, commissioning_s=m["commissioning_h"] * 3600.0,
              drill_sites=int(m["drill_sites"]), drill_depth_m=m["drill_depth_m"],
              strategy=m["strategy"], drill_separation_m=m["drill_separation_m"],
              soc_resume_fraction=m["soc_resume_fraction"],
              active_in_shadow_s=m["active_in_shadow_h"] * 3600.0, speed_sigma=m["speed_sigma"],
              ops_sigma=m["ops_sigma"], hazard_per_km=m["hazard_per_km"],
              replan_window_s=m["replan_window_h"] * 3600.0, havens=m["havens"],
              haven_margin_fraction=m["haven_margin_fraction"],
              lander=LanderPower(array_w=m["lander_array_w"], battery_wh=m["lander_battery_wh"],
                                 idle_w=m["lander_idle_w"], hibernate_w=m["lander_hibernate_w"],
                                 dte_rate_kbps=m["lander_dte_rate_kbps"]))
    kw.update(overrides)
    ins = getattr(scenario, "instruments", None)
    specs = {} if ins is None else {k: getattr(ins, k) for k in
                                    ("neutron", "drill", "ltga", "triton", "adore", "gpr", "isap",
                                     "alis", "prathima", "ems_l", "mir")}
    return MissionConfig(**kw), Science(drill_depth_m=m["drill_depth_m"], **specs)


def survival_summary(cfg: MissionConfig) -> dict[str, float]:
    """Survival heaters and the longest darkness a full battery carries in hibernation."""
    b, ld = cfg.battery, cfg.loads
    return {"survival_heater_w": ld.survival_heater_w,
            "hibernation_load_w": ld.mode_w("hibernate"),
            "max_darkness_full_battery_h": float(max_darkness_h(
                b.capacity_wh, ld.hibernate_w, ld.survival_heater_w,
                discharge_efficiency=b.discharge_efficiency))}
