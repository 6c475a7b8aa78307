"""The lander as the site scoring sees it: touchdown tolerances, landing ellipse, survival.

Values marked *estimate* have no public source for the ISRO LUPEX lander.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Lander(BaseModel):
    """What the lander tolerates at touchdown and survives afterwards."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    footprint_m: float = Field(4.0, gt=0, le=100, description="lander footprint across (slope baseline)",
                               json_schema_extra={"unit": "m"})
    max_slope_deg: float = Field(8.0, gt=0, lt=90, description="largest slope at the footprint scale",
                                 json_schema_extra={"unit": "deg"})
    max_roughness_m: float = Field(0.5, gt=0, le=100,
                                   description="largest RMS height deviation at the footprint scale; estimate",
                                   json_schema_extra={"unit": "m"})
    ellipse_radius_m: float = Field(500.0, gt=0, le=1e5,
                                    description="landing dispersion radius (3-sigma); estimate",
                                    json_schema_extra={"unit": "m"})
    max_darkness_h: float = Field(100.0, gt=0, le=1e5,
                                  description="longest continuous darkness the lander survives; estimate",
                                  json_schema_extra={"unit": "h"})
