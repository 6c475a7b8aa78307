"""The environment tables of the scenario file: terrain, horizon, window, ephemeris,
illumination, thermal, volatiles.

Each table is a pydantic model; every field carries its unit (``json_schema_extra["unit"]``),
its allowed range, and where the value comes from. Times are UTC ISO 8601 strings, time steps
are durations (``"30min"``, ``"2h"``, ``"1d"``), both checked with :mod:`lupex.times`.
"""

from __future__ import annotations

from typing import ClassVar, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from lupex.errors import ParameterError
from lupex.times import parse_duration, to_utc

_CFG = ConfigDict(extra="forbid", validate_assignment=True)


def _duration(v: str) -> str:
    try:
        parse_duration(v)
    except ParameterError as exc:
        raise ValueError(str(exc).replace("step ", "", 1)) from None
    return v


def _instant(v: str) -> str:
    try:
        to_utc(v)
    except ParameterError:
        raise ValueError(f"{v!r} is not an ISO 8601 UTC time such as 2028-09-01T00:00") from None
    return v


def _latlon_pairs(v: list[list[float]]) -> list[list[float]]:
    for p in v:
        if len(p) != 2 or not -90.0 <= p[0] <= 90.0:
            raise ValueError(f"point {p!r}: expected [lat, lon] with lat in [-90, 90] deg")
    return v


class SyntheticTerrain(BaseModel):
    """The embedded synthetic south-pole terrain (:func:`lupex.terrain.synthetic_south_pole`)."""

    model_config = _CFG

    size_km: float = Field(20.0, gt=0.2, le=400.0, description="side of the square map",
                           json_schema_extra={"unit": "km"})
    pixel_m: float = Field(80.0, ge=1.0, le=5000.0, description="pixel size",
                           json_schema_extra={"unit": "m"})
    seed: int = Field(7, ge=0, le=2**31 - 1, description="random seed of craters and roughness",
                      json_schema_extra={"unit": "1"})


class LolaTerrain(BaseModel):
    """A regional crop of the global LOLA grid (needs ``pip install 'lupex[lola]'``)."""

    model_config = _CFG

    lat_max_deg: float = Field(-88.0, ge=-90.0, le=-60.0,
                               description="equatorward limit of the polar map (south pole)",
                               json_schema_extra={"unit": "deg"})
    pixel_m: float = Field(500.0, ge=20.0, le=20000.0,
                           description="pixel size (the source grid is ~3.8 km in latitude)",
                           json_schema_extra={"unit": "m"})


class TerrainTable(BaseModel):
    """Where the elevations come from: a DEM file, the synthetic terrain or a LOLA crop."""

    model_config = _CFG

    source: Literal["synthetic", "file", "lola"] = Field(
        "synthetic", description="synthetic (embedded), file (the GeoTIFF in dem) or lola "
        "(regional LOLA crop)", json_schema_extra={"unit": ""})
    dem: str = Field("", description="DEM GeoTIFF in a projected lunar CRS when source = file "
                     "(relative to this file's folder)", json_schema_extra={"unit": "path"})
    units: Literal["m", "km"] = Field("m", description="units of the DEM's elevations",
                                      json_schema_extra={"unit": ""})
    crs: str = Field("", description="CRS to assume when the DEM has none (e.g. IAU_2015:30135)",
                     json_schema_extra={"unit": ""})
    synthetic: SyntheticTerrain = Field(default_factory=SyntheticTerrain)
    lola: LolaTerrain = Field(default_factory=LolaTerrain)

    @model_validator(mode="after")
    def _dem_given(self) -> TerrainTable:
        if self.source == "file" and not self.dem:
            raise ValueError("source = 'file' needs dem = \"path/to/dem.tif\"")
        return self


class HorizonTable(BaseModel):
    """Horizon maps: azimuth sampling, observer height and the terrain beyond the DEM."""

    model_config = _CFG

    n_azimuths: int = Field(360, ge=4, le=1440, description="azimuths (bin centres k*360/N "
                            "clockwise from grid north)", json_schema_extra={"unit": "1"})
    observer_height_m: float = Field(0.0, ge=0.0, le=1000.0,
                                     description="observer height above the surface",
                                     json_schema_extra={"unit": "m"})
    far_field: str = Field("auto", description="terrain beyond the DEM: auto (LOLA ring to "
                           "far_field_radius_km when lupex[lola] is installed), none, or a DEM "
                           "path", json_schema_extra={"unit": ""})
    far_field_radius_km: float = Field(300.0, gt=0.0, le=2000.0,
                                       description="far-field radius around the DEM centre",
                                       json_schema_extra={"unit": "km"})


class WindowTable(BaseModel):
    """The mission window: the span the illumination maps and the sites are judged on."""

    model_config = _CFG
    DERIVED_FROM: ClassVar[dict[str, str]] = {"start_utc": "start", "stop_utc": "stop",
                                              "step_td": "step"}
    """Properties and the field each is computed from (a stage reading one reads the other)."""

    start: str = Field("2028-09-01T00:00:00", description="start (UTC, ISO 8601); Sep-Oct is "
                       "southern summer at the pole", json_schema_extra={"unit": "UTC"})
    stop: str = Field("2028-11-01T00:00:00", description="end (UTC, ISO 8601)",
                      json_schema_extra={"unit": "UTC"})
    step: str = Field("2h", description="time step of the illumination and planning frames "
                      "(e.g. 30min, 1h, 2h)", json_schema_extra={"unit": "duration"})

    _iso = field_validator("start", "stop")(classmethod(lambda cls, v: _instant(v)))
    _dur = field_validator("step")(classmethod(lambda cls, v: _duration(v)))

    @model_validator(mode="after")
    def _ordered(self) -> WindowTable:
        if to_utc(self.stop) <= to_utc(self.start):
            raise ValueError(f"stop = {self.stop!r} must be after start = {self.start!r}")
        if parse_duration(self.step) > (to_utc(self.stop) - to_utc(self.start)):
            raise ValueError(f"step = {self.step!r} is longer than the window")
        return self

    @property
    def start_utc(self) -> np.datetime64:
        """Start as ``datetime64[s]`` (UTC)."""
        return to_utc(self.start)

    @property
    def stop_utc(self) -> np.datetime64:
        """Stop as ``datetime64[s]`` (UTC)."""
        return to_utc(self.stop)

    @property
    def step_td(self) -> np.timedelta64:
        """Step as ``timedelta64[s]``."""
        return parse_duration(self.step).astype("timedelta64[s]")


class EphemerisTable(BaseModel):
    """The site whose Sun and Earth the ephemeris stage tabulates (default: the DEM centre)."""

    model_config = _CFG

    site_lat_deg: float | None = Field(None, ge=-90.0, le=90.0,
                                       description="planetocentric latitude; omit for the DEM "
                                       "centre", json_schema_extra={"unit": "deg"})
    site_lon_deg: float | None = Field(None, ge=-360.0, le=360.0,
                                       description="east longitude; omit for the DEM centre",
                                       json_schema_extra={"unit": "deg"})

    @model_validator(mode="after")
    def _both(self) -> EphemerisTable:
        if (self.site_lat_deg is None) != (self.site_lon_deg is None):
            raise ValueError("give both site_lat_deg and site_lon_deg, or neither")
        return self


class IlluminationTable(BaseModel):
    """Sun and Earth visibility maps, permanent shadow, longest darkness."""

    model_config = _CFG

    psr_span: Literal["window", "cycle"] = Field(
        "window", description="span of the PSR map: the mission window or the 18.61-yr lunar "
        "precession cycle", json_schema_extra={"unit": ""})
    psr_step: str = Field("", description="time step over the PSR span (empty: the window's "
                          "step; 2h for the cycle)", json_schema_extra={"unit": "duration"})
    oversample: int = Field(1, ge=1, le=16, description="azimuth nodes per horizon azimuth in "
                            "the binned statistics", json_schema_extra={"unit": "1"})
    points: list[list[float]] = Field(default_factory=list,
                                      description="[[lat, lon], ...] pixels whose Sun/Earth "
                                      "time series go to tables/points.csv",
                                      json_schema_extra={"unit": "deg"})
    tile_px: int = Field(256, ge=4, le=8192, description="tile side (memory per tile)",
                         json_schema_extra={"unit": "px"})

    @field_validator("psr_step")
    @classmethod
    def _psr_step(cls, v: str) -> str:
        return _duration(v) if v else v

    _pts = field_validator("points")(classmethod(lambda cls, v: _latlon_pairs(v)))


class ThermalTable(BaseModel):
    """Regolith temperatures (Hayne et al. 2017 columns with terrain scattering and infrared)."""

    model_config = _CFG

    window: Literal["year", "window"] = Field(
        "year", description="year: one year from the window start (the annual maximum that "
        "cold traps are defined on); window: the mission window", json_schema_extra={"unit": ""})
    step: str = Field("6h", description="time step of the conduction model",
                      json_schema_extra={"unit": "duration"})
    decimate: int = Field(4, ge=0, le=1024, description="model blocks of n x n pixels (block-"
                          "mean DEM with its own horizons); 1 = every pixel; 0 = the smallest n "
                          "keeping <= 16384 columns", json_schema_extra={"unit": "px"})
    spinup_days: float = Field(365.25, ge=0.0, le=36525.0,
                               description="spin-up span before the thermal window",
                               json_schema_extra={"unit": "d"})
    radiosity: Literal["auto", "dense", "hierarchical", "none"] = Field(
        "auto", description="scattered sunlight and terrain infrared (auto: all facet pairs up "
        "to 2500 facets, hierarchical beyond)", json_schema_extra={"unit": ""})
    depths_m: list[float] = Field(default_factory=lambda: [0.1, 0.5, 1.0],
                                  description="depths of the extra maximum-temperature maps "
                                  "(the surface is always mapped)", json_schema_extra={"unit": "m"})
    points: list[list[float]] = Field(default_factory=list,
                                      description="[[lat, lon], ...] pixels whose temperature "
                                      "series go to tables/thermal_points.csv",
                                      json_schema_extra={"unit": "deg"})

    _dur = field_validator("step")(classmethod(lambda cls, v: _duration(v)))

    _pts = field_validator("points")(classmethod(lambda cls, v: _latlon_pairs(v)))

    @field_validator("depths_m")
    @classmethod
    def _depths(cls, v: list[float]) -> list[float]:
        for d in v:
            if not 0.0 < d <= 10.0:
                raise ValueError(f"depth {d!r} m is outside the allowed range (0, 10] m")
        return v


class VolatilesTable(BaseModel):
    """Cold traps per species and the water-ice stability depth."""

    model_config = _CFG

    species: list[str] = Field(default_factory=lambda: ["H2O", "CO2", "NH3", "SO2", "H2S",
                                                        "CH4", "CO"],
                               description="species of the cold-trap maps (lupex volatiles "
                               "table lists them)", json_schema_extra={"unit": ""})
    loss_mm_per_gyr: float = Field(1.0, gt=0.0, le=1e6,
                                   description="sublimation loss rate that defines stability",
                                   json_schema_extra={"unit": "mm/Gyr"})
