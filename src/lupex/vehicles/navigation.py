"""Landing dispersion: the touchdown ellipse from navigation and descent errors.

The touchdown error is the sum of independent, zero-mean Gaussian errors in the downrange and
crossrange directions (root-sum-square of their standard deviations), taken at ``n_sigma``:

- navigation knowledge at the last position fix: ground orbit determination at powered-descent
  initiation (``mode = "conventional"``), or the terrain-relative (vision) fix of the
  ``"vision"`` mode (SLIM's crater matching);
- velocity knowledge error times the time from that fix to the hover gate;
- guidance/control dispersion of the powered descent (thrust and attitude errors), as a
  fraction of the ground distance flown after the fix.

The hazard-avoidance divert (retargeting within a few tens of metres) moves the lander on
purpose and is not a dispersion.

Published figures the defaults reproduce (tests/launch/test_navigation.py):

- conventional navigation, Chandrayaan-3: a landing area of 4 km x 2.4 km (ISRO, mission
  page and press briefings, 2023), i.e. 3-sigma semi-axes of 2.0 km x 1.2 km;
- vision-based precision landing, SLIM: a 100 m accuracy target (JAXA, 2023-24), met with a
  ~55 m miss at touchdown (JAXA press release, Jan 2024).

The individual error terms for LUPEX are not public: every default is an *estimate*, chosen to
be typical of the two navigation kinds and to reproduce the figures above.
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

_E = "estimate"


class LandingNavigation(BaseModel):
    """Navigation and descent error parameters of the landing (1-sigma values)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    mode: Literal["conventional", "vision"] = Field(
        "conventional", description="conventional (ground orbit determination + inertial + "
        "altimeter, Chandrayaan-3) or vision (terrain-relative fixes, SLIM)",
        json_schema_extra={"unit": ""})
    n_sigma: float = Field(3.0, gt=0, le=6, description="ellipse size in standard deviations",
                           json_schema_extra={"unit": "1"})
    od_downrange_m: float = Field(500.0, ge=0, le=1e5, description="orbit-determination position "
                                  "error at powered-descent start, downrange (1-sigma); estimate",
                                  json_schema_extra={"unit": "m", "source": _E})
    od_crossrange_m: float = Field(300.0, ge=0, le=1e5, description="orbit-determination position "
                                   "error at powered-descent start, crossrange (1-sigma); estimate",
                                   json_schema_extra={"unit": "m", "source": _E})
    od_velocity_m_s: float = Field(0.2, ge=0, le=100, description="velocity knowledge error at "
                                   "powered-descent start (1-sigma, per axis); estimate",
                                   json_schema_extra={"unit": "m/s", "source": _E})
    descent_time_s: float = Field(700.0, gt=0, le=1e4, description="powered descent time from the "
                                  "last fix to the hover gate (conventional); Chandrayaan-3 ~11 min",
                                  json_schema_extra={"unit": "s", "source": "ISRO 2023 (about "
                                                     "690 s rough + fine braking)"})
    vision_fix_m: float = Field(20.0, ge=0, le=1e4, description="position error of the last "
                                "terrain-relative fix (1-sigma); estimate",
                                json_schema_extra={"unit": "m", "source": _E})
    vision_velocity_m_s: float = Field(0.1, ge=0, le=100, description="velocity error after the "
                                       "last vision fix (1-sigma, per axis); estimate",
                                       json_schema_extra={"unit": "m/s", "source": _E})
    vision_time_s: float = Field(120.0, gt=0, le=1e4, description="time from the last vision fix "
                                 "to touchdown; estimate",
                                 json_schema_extra={"unit": "s", "source": _E})
    guidance_fraction: float = Field(1e-3, ge=0, le=0.1, description="guidance/control dispersion "
                                     "as a fraction of the ground distance flown after the fix "
                                     "(1-sigma); estimate", json_schema_extra={"unit": "1",
                                                                               "source": _E})
    ground_distance_m: float = Field(450e3, ge=0, le=3e6, description="ground distance flown in the "
                                     "powered descent (conventional): the braking's mean ground "
                                     "speed (~0.65 km/s) x 700 s; estimate",
                                     json_schema_extra={"unit": "m", "source": _E})

    def sigmas_m(self) -> tuple[float, float]:
        """Downrange and crossrange 1-sigma touchdown errors [m] (root-sum-square)."""
        if self.mode == "vision":
            # after the last fix the final approach is short and nearly vertical: the fix and
            # the velocity drift dominate, the same in both directions
            s = math.hypot(self.vision_fix_m, self.vision_velocity_m_s * self.vision_time_s)
            return s, s
        drift = self.od_velocity_m_s * self.descent_time_s
        g = self.guidance_fraction * self.ground_distance_m
        return (math.sqrt(self.od_downrange_m**2 + drift**2 + g**2),
                math.sqrt(self.od_crossrange_m**2 + drift**2 + (g / 2) ** 2))

    def ellipse_m(self) -> tuple[float, float]:
        """Semi-major (downrange) and semi-minor (crossrange) axes [m] at ``n_sigma``."""
        a, b = self.sigmas_m()
        return self.n_sigma * max(a, b), self.n_sigma * min(a, b)

    def site_radius_m(self) -> float:
        """The disc the site scoring uses: the ellipse's semi-major axis (the disc covers the
        ellipse in every orientation; conservative by the ratio of the axes)."""
        return self.ellipse_m()[0]
