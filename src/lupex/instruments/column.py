"""What the instruments look at: a layered regolith column and a drilled sample.

These are the data contract between the ground truth (:mod:`lupex.mission.truth`, which builds
them) and the instrument models (which measure them). They hold no model code.

A :class:`Column` is a stack of horizontal layers, each with a uniform composition, the last
one extending to infinite depth. The usual truth column has two layers: a dry lag from the
surface to ``ice_top_m`` and ice-bearing regolith below it::

    depth_m          = [0.0, ice_top_m]
    h2o_layer_wt_pct = [0.0, ice_wt_pct]

Abundances are mass fractions of the bulk (regolith + ice) in percent (wt%).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from lupex.errors import ParameterError

REGOLITH_DENSITY_KG_M3: float = 1500.0
"""Bulk density of the upper lunar regolith [kg m-3]: 1.50 +/- 0.05 g cm-3 for the top 15 cm
(Carrier, Olhoeft & Mendell 1991, Lunar Sourcebook ch. 9, Table 9.5)."""

GRAIN_DENSITY_KG_M3: float = 3100.0
"""Specific gravity of lunar regolith grains, 3.1 (Carrier et al. 1991, Lunar Sourcebook 9.1.3)."""


@dataclass(frozen=True, eq=False)
class Column:
    """A layered regolith column at one place.

    Attributes
    ----------
    depth_m : ndarray, shape (n,)
        Depth of the top of each layer [m], strictly increasing, the first 0.
    h2o_layer_wt_pct : ndarray, shape (n,)
        Water-ice abundance of each layer [wt%].
    species_layer_wt_pct : mapping str -> ndarray (n,)
        Abundance of each other cold-trapped species per layer [wt%] (keys are formulas,
        e.g. ``"CO2"``; water is not in it).
    lag_thickness_m : float
        Thickness of the dry lag [m] (the truth's value; the ice may start deeper).
    ice_top_m : float
        Depth of the top of the ice-bearing layer [m] = max(lag, stability depth); NaN where
        ice is not stable.
    x_m, y_m : float
        Position in the DEM's projected CRS [m] (NaN for a synthetic column).
    dry_density_kg_m3, grain_density_kg_m3 : float
        Bulk density of the ice-free regolith and density of its grains [kg m-3].
    dh_vsmow_permil : float
        Deuterium excess of the water, delta-D relative to VSMOW [per mil].
    """

    depth_m: np.ndarray
    h2o_layer_wt_pct: np.ndarray
    species_layer_wt_pct: Mapping[str, np.ndarray] = field(default_factory=dict)
    lag_thickness_m: float = 0.0
    ice_top_m: float = math.nan
    x_m: float = math.nan
    y_m: float = math.nan
    dry_density_kg_m3: float = REGOLITH_DENSITY_KG_M3
    grain_density_kg_m3: float = GRAIN_DENSITY_KG_M3
    dh_vsmow_permil: float = 0.0

    def __post_init__(self) -> None:
        z = np.asarray(self.depth_m, dtype=float)
        w = np.asarray(self.h2o_layer_wt_pct, dtype=float)
        if z.ndim != 1 or z.size == 0 or z[0] != 0.0 or np.any(np.diff(z) <= 0):
            raise ParameterError(f"Column.depth_m = {z!r}: layer tops must start at 0 and increase "
                                 "strictly.")
        if w.shape != z.shape or np.any(~np.isfinite(w)) or np.any(w < 0) or np.any(w > 100):
            raise ParameterError(f"Column.h2o_layer_wt_pct = {w!r}: need one value in [0, 100] wt% "
                                 "per layer.")
        sp = {}
        for k, v in self.species_layer_wt_pct.items():
            a = np.asarray(v, dtype=float)
            if a.shape != z.shape or np.any(a < 0):
                raise ParameterError(f"Column.species_layer_wt_pct[{k!r}]: need one value >= 0 wt% "
                                     "per layer.")
            sp[str(k)] = a
        if not 0 < self.dry_density_kg_m3 < self.grain_density_kg_m3:
            raise ParameterError("Column: need 0 < dry_density_kg_m3 < grain_density_kg_m3.")
        object.__setattr__(self, "depth_m", z)
        object.__setattr__(self, "h2o_layer_wt_pct", w)
        object.__setattr__(self, "species_layer_wt_pct", sp)

    # -- constructors ----------------------------------------------------------------------
    @classmethod
    def two_layer(cls, ice_wt_pct: float, ice_top_m: float, *, lag_thickness_m: float | None = None,
                  species_wt_pct: Mapping[str, float] | None = None, **kw) -> Column:
        """A dry layer over an ice-bearing half-space (the truth's column).

        ``ice_top_m`` NaN (ice not stable) or ``ice_wt_pct`` 0 gives a dry column. ``ice_top_m``
        0 puts the ice at the surface.
        """
        species_wt_pct = dict(species_wt_pct or {})
        lag = float(ice_top_m if lag_thickness_m is None else lag_thickness_m)
        if not math.isfinite(ice_top_m):
            return cls(np.array([0.0]), np.array([0.0]), {},
                       lag_thickness_m=0.0 if not math.isfinite(lag) else lag,
                       ice_top_m=math.nan, **kw)
        if ice_top_m <= 0.0:
            return cls(np.array([0.0]), np.array([float(ice_wt_pct)]),
                       {k: np.array([v]) for k, v in species_wt_pct.items()},
                       lag_thickness_m=lag, ice_top_m=0.0, **kw)
        return cls(np.array([0.0, float(ice_top_m)]), np.array([0.0, float(ice_wt_pct)]),
                   {k: np.array([0.0, v]) for k, v in species_wt_pct.items()},
                   lag_thickness_m=lag, ice_top_m=float(ice_top_m), **kw)

    # -- queries ---------------------------------------------------------------------------
    def layer_index(self, depth_m) -> np.ndarray:
        """Index of the layer holding each depth [m] (depths < 0 are refused)."""
        d = np.asarray(depth_m, dtype=float)
        if np.any(d < 0) or np.any(~np.isfinite(d)):
            raise ParameterError(f"Column: depth_m must be finite and >= 0 (got {depth_m!r}).")
        return np.searchsorted(self.depth_m, d, side="right") - 1

    def h2o_wt_pct_at(self, depth_m):
        """Water-ice abundance at ``depth_m`` [m] -> [wt%] (array in, array out)."""
        out = self.h2o_layer_wt_pct[self.layer_index(depth_m)]
        return float(out) if np.ndim(out) == 0 else out

    def species_wt_pct_at(self, name: str, depth_m):
        """Abundance of ``name`` (``"H2O"`` or another formula) at ``depth_m`` [m] -> [wt%]."""
        if name == "H2O":
            return self.h2o_wt_pct_at(depth_m)
        layer = self.species_layer_wt_pct.get(name)
        idx = self.layer_index(depth_m)
        out = np.zeros(np.shape(idx)) if layer is None else layer[idx]
        return float(out) if np.ndim(out) == 0 else out

    def mean_wt_pct(self, top_m: float, bottom_m: float, name: str = "H2O") -> float:
        """Thickness-weighted mean abundance of ``name`` between two depths [m] -> [wt%]."""
        if not 0 <= top_m < bottom_m:
            raise ParameterError(f"Column.mean_wt_pct: need 0 <= top_m < bottom_m (got {top_m}, "
                                 f"{bottom_m}).")
        edges = np.concatenate([[top_m], self.depth_m[(self.depth_m > top_m)
                                                      & (self.depth_m < bottom_m)], [bottom_m]])
        mids = 0.5 * (edges[:-1] + edges[1:])
        vals = np.asarray(self.species_wt_pct_at(name, mids), dtype=float).reshape(-1)
        return float(np.sum(vals * np.diff(edges)) / (bottom_m - top_m))

    @property
    def ice_wt_pct(self) -> float:
        """Water-ice abundance of the deepest (ice-bearing) layer [wt%]."""
        return float(self.h2o_layer_wt_pct[-1])

    @property
    def species(self) -> dict[str, float]:
        """Abundance of each other species in the deepest (ice-bearing) layer [wt%]."""
        return {k: float(v[-1]) for k, v in self.species_layer_wt_pct.items()}


@dataclass(frozen=True)
class Sample:
    """A drilled sample handed to the analysers: a depth interval and its true composition.

    Attributes
    ----------
    top_m, bottom_m : float
        Depth interval the sample comes from [m].
    h2o_wt_pct : float
        True water-ice abundance (thickness mean over the interval) [wt%].
    species_wt_pct : dict
        True abundance of each other species [wt%].
    mass_g : float
        Sample mass [g].
    dh_vsmow_permil : float
        True delta-D of the water [per mil VSMOW].
    x_m, y_m : float
        Where it was drilled [m].
    """

    top_m: float
    bottom_m: float
    h2o_wt_pct: float
    species_wt_pct: dict[str, float] = field(default_factory=dict)
    mass_g: float = 0.0
    dh_vsmow_permil: float = 0.0
    x_m: float = math.nan
    y_m: float = math.nan

    @classmethod
    def from_column(cls, column: Column, top_m: float, bottom_m: float, *, mass_g: float = 0.0
                    ) -> Sample:
        """The sample a perfect tool would take from ``column`` between two depths [m]."""
        return cls(top_m=float(top_m), bottom_m=float(bottom_m),
                   h2o_wt_pct=column.mean_wt_pct(top_m, bottom_m),
                   species_wt_pct={k: column.mean_wt_pct(top_m, bottom_m, k)
                                   for k in column.species_layer_wt_pct},
                   mass_g=float(mass_g), dh_vsmow_permil=column.dh_vsmow_permil,
                   x_m=column.x_m, y_m=column.y_m)
