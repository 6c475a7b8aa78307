"""The ``[truth]`` table: how the seeded ground-truth ice field is drawn.

Ice lies only where the volatiles stage says it is stable, below the stability depth and below
a dry lag; its abundance is patchy (a Gaussian random field with an exponential correlation of
``correlation_length_m``) and drawn from a distribution whose default mean and spread are the
LCROSS result at Cabeus, 5.6 +/- 2.9 wt% water (Colaprete et al. 2010, Science 330, 463-468).
For scale, orbital neutron data give lower, footprint-averaged values: Lunar Prospector
1.5 +/- 0.8 wt% WEH if the hydrogen sits in the polar cold traps (Feldman et al. 2001, JGR
106, 23231) and LEND ~0.5-4 wt% WEH in Cabeus (Mitrofanov et al. 2010, Science 330, 483).
Patch scale, covered fraction and lag thickness have no measured values at the rover's scale:
they are estimates.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from lupex.instruments.column import GRAIN_DENSITY_KG_M3, REGOLITH_DENSITY_KG_M3
from lupex.instruments.dielectric import saturation_wt_pct

LCROSS = "Colaprete et al. 2010, Science 330, 463 (LCROSS, Cabeus)"

LCROSS_MOLAR_RATIO: dict[str, float] = {
    "H2S": 0.1675, "NH3": 0.0603, "SO2": 0.0319, "CO2": 0.0217, "CH3OH": 0.0155, "CH4": 0.0065,
}
"""Abundance of other volatiles relative to water (by number) in the LCROSS plume, from the
relative-abundance table of Colaprete et al. 2010 (as read here; check the paper before relying
on a digit)."""


class TruthTable(BaseModel):
    """The seeded ground-truth ice field (patchy abundance, dry lag, other species)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    seed: int = Field(0, ge=0, le=2**63 - 1, description="seed of the random fields (Monte Carlo adds to it)",
                      json_schema_extra={"unit": ""})
    correlation_length_m: float = Field(
        20.0, gt=0, le=1e5, description="e-folding length of the abundance patches (exponential covariance)",
        json_schema_extra={"unit": "m", "source": "estimate"})
    distribution: Literal["lognormal", "normal", "uniform"] = Field(
        "lognormal", description="distribution of the abundance where ice is present",
        json_schema_extra={"unit": ""})
    mean_wt_pct: float = Field(5.6, gt=0, le=100, description="mean water-ice abundance where present",
                               json_schema_extra={"unit": "wt%", "source": LCROSS})
    sd_wt_pct: float = Field(2.9, ge=0, le=100, description="standard deviation of the abundance (uniform: half-width / sqrt(3))",
                             json_schema_extra={"unit": "wt%", "source": LCROSS})
    max_wt_pct: float = Field(20.0, gt=0, le=100, description="abundances are clipped to [0, max] (pores fill at ~24 wt%)",
                              json_schema_extra={"unit": "wt%", "source": "estimate"})
    ice_area_fraction: float = Field(0.6, gt=0, le=1, description="fraction of the ice-stable area that holds ice (patchiness)",
                                     json_schema_extra={"unit": "1", "source": "estimate"})
    lag_min_m: float = Field(0.02, ge=0, le=10, description="thinnest dry lag",
                             json_schema_extra={"unit": "m", "source": "estimate"})
    lag_max_m: float = Field(0.3, ge=0, le=10, description="thickest dry lag",
                             json_schema_extra={"unit": "m", "source": "estimate"})
    lag_correlation_length_m: float = Field(
        20.0, gt=0, le=1e5, description="e-folding length of the lag-thickness field",
        json_schema_extra={"unit": "m", "source": "estimate"})
    regolith_density_kg_m3: float = Field(
        REGOLITH_DENSITY_KG_M3, gt=500, le=3000, description="bulk density of the dry regolith",
        json_schema_extra={"unit": "kg/m3", "source": "Carrier et al. 1991, Lunar Sourcebook Table 9.5 (top 15 cm)"})
    grain_density_kg_m3: float = Field(
        GRAIN_DENSITY_KG_M3, gt=1000, le=6000, description="density of the regolith grains",
        json_schema_extra={"unit": "kg/m3", "source": "Carrier et al. 1991 (specific gravity 3.1)"})
    species_molar_ratio: dict[str, float] = Field(
        default_factory=lambda: dict(LCROSS_MOLAR_RATIO),
        description="other species per water molecule where their cold trap is",
        json_schema_extra={"unit": "mol/mol", "source": LCROSS + " (relative abundances; check)"})
    dh_vsmow_permil: float = Field(
        0.0, ge=-1000, le=1e5, description="delta-D of the ice (unmeasured at the poles: ADORE's question)",
        json_schema_extra={"unit": "permil", "source": "estimate"})

    @model_validator(mode="after")
    def _check(self) -> TruthTable:
        if self.lag_min_m > self.lag_max_m:
            raise ValueError(f"lag_min_m = {self.lag_min_m} exceeds lag_max_m = {self.lag_max_m}; "
                             "make lag_min_m <= lag_max_m.")
        if self.regolith_density_kg_m3 >= self.grain_density_kg_m3:
            raise ValueError("regolith_density_kg_m3 must be below grain_density_kg_m3 (porosity > 0).")
        sat = float(saturation_wt_pct(self.regolith_density_kg_m3, self.grain_density_kg_m3))
        if self.max_wt_pct > sat:
            raise ValueError(f"max_wt_pct = {self.max_wt_pct} exceeds the {sat:.1f} wt% that fills "
                             "the pores at these densities; lower it.")
        for k, v in self.species_molar_ratio.items():
            if k == "H2O" or not v >= 0:
                raise ValueError(f"species_molar_ratio[{k!r}] = {v}: give other species than H2O, "
                                 "each with a ratio >= 0.")
        return self
