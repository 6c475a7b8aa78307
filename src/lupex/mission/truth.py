"""The ground truth the instruments measure: a seeded, patchy ice field under a dry lag.

:func:`make_truth` draws it from the volatiles stage's maps and the ``[truth]`` table
(:class:`lupex.scenario.truth.TruthTable`):

* Ice is stable only where the stability depth ``D_s`` is finite (Siegler et al. 2016, see
  :mod:`lupex.volatiles.stability`); elsewhere the abundance is 0.
* A dry lag of thickness ``lag`` covers everything; ``lag = lag_min + u2 (lag_max - lag_min)``
  with ``u2 = Phi(g2)``, ``g2`` a Gaussian random field (:mod:`lupex.mission.random_field`).
* The ice starts at ``ice_top = max(lag, D_s)``.
* Abundance: ``u = Phi(g)`` for a second, independent field ``g`` with correlation length
  ``correlation_length_m``. Where ``u < 1 - f`` (``f = ice_area_fraction``) there is no ice
  (the gaps between patches); elsewhere ``w = F^-1((u - (1 - f)) / f)`` with ``F`` the chosen
  distribution (lognormal with the table's mean and standard deviation, normal, or uniform),
  clipped to ``[0, max_wt_pct]``. The nonzero abundances therefore follow ``F`` exactly (up to
  the clip) and are spatially correlated with the field's correlation length.
* Other species: ``w_s = w * ratio_s * M_s / M_H2O`` (mole ratio to water, LCROSS defaults)
  only where ``cold_traps[s]`` is true and water ice is present.

The truth lives on the volatiles grid, or on a finer ``grid`` (x_m, y_m) around the landing
site (the maps are then sampled at the nearest pixel: the rover works at the metre scale).
Same seed, same inputs -> the same truth, bit for bit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import xarray as xr
from scipy import stats

from lupex.errors import ParameterError
from lupex.instruments.column import Column
from lupex.mission.random_field import gaussian_random_field
from lupex.scenario.truth import TruthTable
from lupex.volatiles.vapor_pressure import get_species

__all__ = ["Column", "GroundTruth", "make_truth"]


@dataclass(frozen=True, eq=False)
class GroundTruth:
    """A seeded ground-truth field on a regular grid (arrays are (y, x)).

    Attributes
    ----------
    x_m, y_m : ndarray
        1-D pixel-centre coordinates in the DEM's projected CRS [m].
    lag_thickness_m : ndarray
        Dry lag thickness [m].
    ice_wt_pct : ndarray
        Water-ice abundance below ``ice_top_m`` [wt%] (0 where ice is not stable or in a gap).
    ice_top_m : ndarray
        Top of the ice-bearing regolith, max(lag, stability depth) [m]; NaN where not stable.
    species_wt_pct : dict of ndarray
        Other cold-trapped species below ``ice_top_m`` [wt%].
    seed : int
        Seed the fields were drawn with.
    stability_depth_m : ndarray
        The ice stability depth used [m] (NaN where none).
    table : TruthTable
        Parameters used.
    crs : str or None
        CRS of the coordinates (from the input map).
    """

    x_m: np.ndarray
    y_m: np.ndarray
    lag_thickness_m: np.ndarray
    ice_wt_pct: np.ndarray
    ice_top_m: np.ndarray
    species_wt_pct: dict[str, np.ndarray]
    seed: int
    stability_depth_m: np.ndarray
    table: TruthTable = field(default_factory=TruthTable)
    crs: str | None = None

    def index(self, x_m: float, y_m: float) -> tuple[int, int]:
        """(row, column) of the pixel holding (x_m, y_m); error if outside the grid."""
        i = int(np.argmin(np.abs(self.y_m - y_m)))
        j = int(np.argmin(np.abs(self.x_m - x_m)))
        dx = abs(self.x_m[1] - self.x_m[0]) if self.x_m.size > 1 else math.inf
        dy = abs(self.y_m[1] - self.y_m[0]) if self.y_m.size > 1 else math.inf
        if abs(self.x_m[j] - x_m) > 0.5 * dx + 1e-9 or abs(self.y_m[i] - y_m) > 0.5 * dy + 1e-9:
            raise ParameterError(
                f"truth: point ({x_m:.1f}, {y_m:.1f}) m lies outside the truth grid x "
                f"[{self.x_m.min():.1f}, {self.x_m.max():.1f}], y [{self.y_m.min():.1f}, "
                f"{self.y_m.max():.1f}] m; make the truth grid cover the traverse.")
        return i, j

    def column(self, x_m: float, y_m: float) -> Column:
        """The regolith column at (x_m, y_m) (nearest pixel)."""
        i, j = self.index(x_m, y_m)
        t = self.table
        return Column.two_layer(
            float(self.ice_wt_pct[i, j]), float(self.ice_top_m[i, j]),
            lag_thickness_m=float(self.lag_thickness_m[i, j]),
            species_wt_pct={k: float(v[i, j]) for k, v in self.species_wt_pct.items()},
            x_m=float(self.x_m[j]), y_m=float(self.y_m[i]),
            dry_density_kg_m3=t.regolith_density_kg_m3, grain_density_kg_m3=t.grain_density_kg_m3,
            dh_vsmow_permil=t.dh_vsmow_permil)

    def columns(self, x_m, y_m) -> list[Column]:
        """Columns at each point of two equal-length sequences (e.g. along a drive)."""
        xs, ys = np.atleast_1d(x_m), np.atleast_1d(y_m)
        if xs.shape != ys.shape:
            raise ParameterError("truth.columns: x_m and y_m must have the same length.")
        return [self.column(float(a), float(b)) for a, b in zip(xs, ys, strict=True)]

    def footprint(self, x_m: float, y_m: float, diameter_m: float) -> list[Column]:
        """Columns of every pixel centre within ``diameter_m / 2`` of (x_m, y_m); at least the
        nearest one (an instrument footprint smaller than a pixel sees that pixel)."""
        i0, j0 = self.index(x_m, y_m)
        r = 0.5 * diameter_m
        jj = np.flatnonzero(np.abs(self.x_m - x_m) <= r)
        ii = np.flatnonzero(np.abs(self.y_m - y_m) <= r)
        pts = [(i, j) for i in ii for j in jj
               if math.hypot(self.x_m[j] - x_m, self.y_m[i] - y_m) <= r]
        pts = pts or [(i0, j0)]
        return [self.column(float(self.x_m[j]), float(self.y_m[i])) for i, j in pts]

    def to_dataset(self) -> xr.Dataset:
        """The truth as maps (y, x) with units and sources in attrs."""
        coords = {"y": self.y_m, "x": self.x_m}
        data = {
            "lag_thickness_m": (self.lag_thickness_m, "m", "dry lag thickness"),
            "ice_wt_pct": (self.ice_wt_pct, "wt%", "water-ice abundance below ice_top_m"),
            "ice_top_m": (self.ice_top_m, "m", "top of ice-bearing regolith (NaN: not stable)"),
            **{f"{k}_wt_pct": (v, "wt%", f"{k} abundance below ice_top_m")
               for k, v in self.species_wt_pct.items()},
        }
        ds = xr.Dataset({k: xr.DataArray(a, dims=("y", "x"), coords=coords,
                                         attrs={"units": u, "long_name": n})
                         for k, (a, u, n) in data.items()})
        ds.attrs.update(seed=self.seed, crs=str(self.crs), **{
            f"truth_{k}": str(v) for k, v in self.table.model_dump().items()})
        return ds


def _grid_of(da: xr.DataArray, grid) -> tuple[np.ndarray, np.ndarray]:
    if grid is None:
        return np.asarray(da["x"].values, float), np.asarray(da["y"].values, float)
    if isinstance(grid, (xr.DataArray, xr.Dataset)):
        return np.asarray(grid["x"].values, float), np.asarray(grid["y"].values, float)
    try:
        gx, gy = grid
    except (TypeError, ValueError):
        raise ParameterError("make_truth: grid must be (x_m, y_m) 1-D arrays or an xarray object "
                             "with x and y coordinates.") from None
    return np.asarray(gx, float).ravel(), np.asarray(gy, float).ravel()


def _nearest(da: xr.DataArray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Sample a (y, x) map at the nearest pixel of each grid point."""
    sx, sy = np.asarray(da["x"].values, float), np.asarray(da["y"].values, float)
    if sx.size > 1:
        half = 0.5 * abs(sx[1] - sx[0]) * (1 + 1e-9)
        if x.min() < sx.min() - half or x.max() > sx.max() + half:
            raise ParameterError("make_truth: the truth grid reaches beyond the volatiles map in x; "
                                 "choose a grid inside it.")
    if sy.size > 1:
        half = 0.5 * abs(sy[1] - sy[0]) * (1 + 1e-9)
        if y.min() < sy.min() - half or y.max() > sy.max() + half:
            raise ParameterError("make_truth: the truth grid reaches beyond the volatiles map in y; "
                                 "choose a grid inside it.")
    jx = np.abs(sx[None, :] - x[:, None]).argmin(axis=1)
    iy = np.abs(sy[None, :] - y[:, None]).argmin(axis=1)
    return np.asarray(da.transpose("y", "x").values)[np.ix_(iy, jx)]


def _quantile(q: np.ndarray, table: TruthTable) -> np.ndarray:
    """Abundance quantile function of the table's distribution [wt%]."""
    m, s = table.mean_wt_pct, table.sd_wt_pct
    if table.distribution == "lognormal":
        sig = math.sqrt(math.log1p((s / m) ** 2))
        return stats.lognorm.ppf(q, sig, scale=m / math.sqrt(1.0 + (s / m) ** 2))
    if table.distribution == "normal":
        return stats.norm.ppf(q, loc=m, scale=s)
    half = math.sqrt(3.0) * s
    return m - half + 2.0 * half * q


def make_truth(ice_depth_m: xr.DataArray, cold_traps: Mapping[str, xr.DataArray],
               table: TruthTable, seed: int, *, grid=None) -> GroundTruth:
    """Draw the ground-truth ice field (see the module docstring for the model).

    Parameters
    ----------
    ice_depth_m : DataArray (y, x)
        Water-ice stability depth [m], NaN where ice is not stable (the volatiles stage's
        ``ice_stability_depth_m``).
    cold_traps : mapping str -> DataArray (y, x)
        Cold-trap mask per species (bool, or the volatiles stage's uint8 with 1 = trap and 255
        = no data). A species of ``table.species_molar_ratio`` without a mask gets no ice.
    table : TruthTable
        Field parameters.
    seed : int
        Seed of the random fields (Monte Carlo passes ``table.seed + run``).
    grid : (x_m, y_m) or xarray object, optional
        A different (finer) grid for the truth; default the volatiles grid.
    """
    if not isinstance(ice_depth_m, xr.DataArray) or not {"x", "y"} <= set(ice_depth_m.dims):
        raise ParameterError("make_truth: ice_depth_m must be a (y, x) DataArray with x and y "
                             "coordinates (the volatiles stage's ice_stability_depth_m).")
    if int(seed) < 0:
        raise ParameterError(f"make_truth: seed = {seed!r} must be >= 0.")
    x, y = _grid_of(ice_depth_m, grid)
    if x.size < 1 or y.size < 1:
        raise ParameterError("make_truth: the truth grid is empty.")
    dx = abs(x[1] - x[0]) if x.size > 1 else 1.0
    dy = abs(y[1] - y[0]) if y.size > 1 else 1.0
    depth = _nearest(ice_depth_m, x, y).astype(float)
    stable = np.isfinite(depth)

    rng_lag, rng_ice = (np.random.default_rng(s) for s in
                        np.random.SeedSequence(int(seed)).spawn(2))
    shape = (y.size, x.size)
    g_lag = gaussian_random_field(shape, (dy, dx), table.lag_correlation_length_m, rng_lag)
    lag = table.lag_min_m + stats.norm.cdf(g_lag) * (table.lag_max_m - table.lag_min_m)
    u = stats.norm.cdf(gaussian_random_field(shape, (dy, dx), table.correlation_length_m, rng_ice))
    gap = 1.0 - table.ice_area_fraction
    with np.errstate(invalid="ignore"):
        q = np.clip((u - gap) / table.ice_area_fraction, 1e-12, 1 - 1e-12)
        w = np.where(u >= gap, np.clip(_quantile(q, table), 0.0, table.max_wt_pct), 0.0)
    w = np.where(stable, w, 0.0)
    ice_top = np.where(stable, np.maximum(lag, np.where(stable, depth, 0.0)), np.nan)

    species = {}
    h2o_m = get_species("H2O").molar_mass_g_mol
    for name, ratio in table.species_molar_ratio.items():
        trap = cold_traps.get(name)
        if trap is None or ratio == 0:
            continue
        mask = _nearest(trap, x, y)
        mask = (mask == 1) if mask.dtype != bool else mask
        factor = ratio * get_species(name).molar_mass_g_mol / h2o_m
        species[name] = np.where(mask & (w > 0), w * factor, 0.0)
    import rioxarray  # noqa: F401  (the .rio accessor)

    crs = None if ice_depth_m.rio.crs is None else str(ice_depth_m.rio.crs)
    return GroundTruth(x_m=x, y_m=y, lag_thickness_m=lag, ice_wt_pct=w, ice_top_m=ice_top,
                       species_wt_pct=species, seed=int(seed), stability_depth_m=depth,
                       table=table, crs=crs)
