"""Mission presets: LUPEX and, for comparison, NASA's VIPER, every value with its public source.

``[mission] preset = "lupex"`` (or ``"viper"``) fills every ``[mission]`` field left out of the
file, and every ``[rover]`` field still at its default, from the tables below. A value the
user writes wins. Values with no public source say "estimate".

Sources (short keys used in the tables):

- ``JAXA-LUPEX``: JAXA, "Lunar Polar Exploration (LUPEX)", humans-in-space.jaxa.jp/en/biz-lab/
  tech/lupex (rover subsystems: 1.5 m earth auger, unfolding flat solar array, X/S-band with a
  high-gain antenna, crawler mobility; instrument list).
- ``ISRO-SAC-2023``: N. Desai (director, ISRO Space Applications Centre), as reported by WION,
  2023-11-23: ~100-day surface mission, ~350 kg rover, 1 km x 1 km exploration area.
- ``Hoshino-2020``: Hoshino, T. et al. (2020). Lunar polar exploration mission for water
  prospection - JAXA's current status of joint study with ISRO. Acta Astronautica 176, 52-58
  (as cited by issue 14: ~3.5-month nominal surface mission extendable, >= 10 km traverse,
  drilling at several points, SLIM-derived pinpoint landing; the paper was not retrieved here,
  so these figures rest on that citation).
- ``JAXA-SLIM``: JAXA SLIM landed within ~100 m of its target (19 Jan 2024), the pinpoint
  landing LUPEX inherits.
- ``NASA-VIPER``: NASA VIPER mission pages and press (mass 430 kg, top speed 0.8 km/h = 0.2 m/s,
  maximum power 450 W, 1 m TRIDENT drill, ~100-day mission, ~50 h in darkness on a full
  battery).
- ``Colaprete-2021``: Colaprete, A. et al. (2021). Volatiles Investigating Polar Exploration
  Rover (VIPER). NTRS 20210015009 (up to four lunar days; active only while Sun and
  direct-to-Earth overlap, "safe haven" survival otherwise).
- ``issue-14``: a figure stated in the project's issue 14 that we could not confirm in a
  retrieved public document (VIPER ~10.5 h of active operation in shadow).
"""

from __future__ import annotations

from typing import Any

PRESET_NAMES = ("lupex", "viper")

_E = "estimate"

MISSION: dict[str, dict[str, tuple[Any, str]]] = {
    "duration_days": {"lupex": (105.0, "Hoshino-2020 (~3.5 months)"),
                      "viper": (100.0, "NASA-VIPER")},
    "extended_duration_days": {"lupex": (365.0, "Hoshino-2020 (extension to about a year)"),
                               "viper": (118.0, "Colaprete-2021 (up to four lunar days)")},
    "drill_depth_m": {"lupex": (1.5, "JAXA-LUPEX (1.5 m earth auger)"),
                      "viper": (1.0, "NASA-VIPER (TRIDENT 1 m)")},
    "area_m": {"lupex": (1000.0, "ISRO-SAC-2023 (1 km x 1 km)"),
               "viper": (2000.0, f"{_E} (Colaprete-2021: ice stability regions over 100s of m "
                                 "to km)")},
    "traverse_goal_m": {"lupex": (10000.0, "Hoshino-2020 (>= 10 km)"),
                        "viper": (20000.0, f"{_E} (NASA-VIPER: 'several kilometres' up to ~20 km "
                                           "in planning studies)")},
    "landing_accuracy_m": {"lupex": (100.0, "JAXA-SLIM (pinpoint landing within ~100 m)"),
                           "viper": (100.0, _E)},
    "egress_h": {"lupex": (48.0, _E), "viper": (24.0, _E)},
    "commissioning_h": {"lupex": (120.0, _E), "viper": (72.0, _E)},
    "drill_sites": {"lupex": (8, f"{_E} (Hoshino-2020: drilling at several points)"),
                    "viper": (6, _E)},
    "drill_w": {"lupex": (150.0, _E), "viper": (150.0, _E)},
    "active_in_shadow_h": {"lupex": (8.0, _E),
                           "viper": (10.5, "issue-14 (unconfirmed)")},
}
"""Preset values of ``[mission]`` fields: field -> preset -> (value, source)."""

ROVER: dict[str, dict[str, tuple[Any, str]]] = {
    "mass_kg": {"lupex": (350.0, "ISRO-SAC-2023 / JAXA-LUPEX (~350 kg class)"),
                "viper": (430.0, "NASA-VIPER")},
    "speed_flat_m_s": {"lupex": (0.05, _E), "viper": (0.2, "NASA-VIPER (top speed 0.8 km/h)")},
    "array_rated_power_w": {"lupex": (400.0, _E),
                            "viper": (450.0, "NASA-VIPER (maximum power 450 W)")},
    "battery_wh": {"lupex": (2000.0, _E), "viper": (4000.0, _E)},
    # VIPER's loads follow from its published endurance with the estimated battery above:
    # usable 0.8 x 4000 Wh over 10.5 h active (~305 W) and over 50 h hibernating (~64 W
    # with the discharge efficiency: 26 W electronics + ~38 W survival heaters).
    "power_drive_base_w": {"lupex": (120.0, _E),
                           "viper": (305.0, "derived: usable battery / 10.5 h active in "
                                            "shadow (issue-14)")},
    "power_hibernate_w": {"lupex": (30.0, _E),
                          "viper": (26.0, "derived: usable battery / 50 h in darkness "
                                          "(NASA-VIPER) minus the ~38 W survival heaters "
                                          "of the [mission] survival model")},
    "max_darkness_h": {"lupex": (50.0, _E), "viper": (50.0, "NASA-VIPER (~50 h)")},
}
"""Preset values of ``[rover]`` fields (applied where the file leaves the default)."""


def preset_note(field: str, table: dict[str, dict[str, tuple[Any, str]]] = MISSION) -> str:
    """'preset lupex = v (source); viper = v (source)' for a field's description."""
    vals = table[field]
    return "; ".join(f"{p} = {vals[p][0]} ({vals[p][1]})" for p in PRESET_NAMES)


def value(field: str, preset: str, table: dict[str, dict[str, tuple[Any, str]]] = MISSION) -> Any:
    """The preset's value of ``field``."""
    return table[field][preset][0]


def source(field: str, preset: str, table: dict[str, dict[str, tuple[Any, str]]] = MISSION) -> str:
    """The public source (or 'estimate') of the preset's value of ``field``."""
    return table[field][preset][1]
