"""The ``[sites]`` table: hard constraints, scales and weights of landing-site selection.

Values marked *estimate* have no public source for the LUPEX lander.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

CRITERIA = ("sun", "earth", "darkness", "psr_distance", "ice_distance", "slope", "roughness")
"""Scoring criteria, in output order (see :mod:`lupex.sites.scoring`)."""


class SiteWeights(BaseModel):
    """Relative weights of the scoring criteria (normalised to sum 1 over those available)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    sun: float = Field(0.30, ge=0, le=1e3, description="mean visible Sun fraction (higher better)",
                       json_schema_extra={"unit": "1"})
    earth: float = Field(0.15, ge=0, le=1e3, description="fraction of time Earth is visible (higher better)",
                         json_schema_extra={"unit": "1"})
    darkness: float = Field(0.20, ge=0, le=1e3, description="longest darkness (shorter better)",
                            json_schema_extra={"unit": "1"})
    psr_distance: float = Field(0.15, ge=0, le=1e3, description="distance to permanent shadow (nearer better)",
                                json_schema_extra={"unit": "1"})
    ice_distance: float = Field(0.10, ge=0, le=1e3, description="distance to ice-stable ground (nearer better)",
                                json_schema_extra={"unit": "1"})
    slope: float = Field(0.05, ge=0, le=1e3, description="lander-scale slope (gentler better)",
                         json_schema_extra={"unit": "1"})
    roughness: float = Field(0.05, ge=0, le=1e3, description="roughness (smoother better)",
                             json_schema_extra={"unit": "1"})


class SiteCriteria(BaseModel):
    """Hard constraints, normalisation scales and weights of the site score."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    min_sun_fraction: float = Field(0.3, ge=0, le=1, description="smallest mean visible Sun fraction",
                                    json_schema_extra={"unit": "1"})
    min_earth_fraction: float = Field(0.0, ge=0, le=1, description="smallest fraction of time with Earth visible",
                                      json_schema_extra={"unit": "1"})
    psr_distance_scale_m: float = Field(5000.0, gt=0, le=1e6,
                                        description="distance to a PSR at which its criterion scores 0",
                                        json_schema_extra={"unit": "m"})
    ice_distance_scale_m: float = Field(5000.0, gt=0, le=1e6,
                                        description="distance to ice-stable ground at which its criterion scores 0",
                                        json_schema_extra={"unit": "m"})
    max_ice_depth_m: float = Field(1.0, gt=0, le=100,
                                   description="ice stable at most this deep counts as ice-stable ground",
                                   json_schema_extra={"unit": "m"})
    min_separation_m: float = Field(1000.0, ge=0, le=1e6,
                                    description="candidates at least this far apart (non-maximum suppression)",
                                    json_schema_extra={"unit": "m"})
    top: int = Field(10, ge=1, le=1000, description="number of candidates listed", json_schema_extra={"unit": "1"})
    weights: SiteWeights = Field(default_factory=SiteWeights)
