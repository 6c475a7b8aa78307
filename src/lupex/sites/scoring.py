"""Landing hazards and multi-criteria site scoring over the mission window.

Every criterion is a map; each site is judged by the criterion's WORST value inside its landing
ellipse (:func:`lupex.sites.dispersion.disc_worst`), normalised to 0 (bad) .. 1 (good); the score
is the weighted mean of the normalised criteria, NaN where a hard constraint fails anywhere in
the ellipse. Candidates are the score's maxima taken greedily with non-maximum suppression
(each pick blanks a disc of ``min_separation_m``), so they are distinct places.

Criterion          map (DIR/maps/...)                  worst  normalised score
-----------------  ----------------------------------  -----  ----------------------------------
sun                sun_fraction_mean.tif [1]           min    value
earth              earth_visible_fraction.tif [1]      min    value
darkness           longest_darkness_h.tif [h]          max    1 - value / max_darkness_h
psr_distance       distance to psr.tif == 1 [m]        max    1 - value / psr_distance_scale_m
ice_distance       distance to ice_stability_depth_m   max    1 - value / ice_distance_scale_m
                   <= max_ice_depth_m [m]
slope              slope at the lander footprint [deg]  max    1 - value / max_slope_deg
roughness          RMS height at the footprint [m]     max    1 - value / roughness limit

Hard constraints: sun >= min_sun_fraction, earth >= min_earth_fraction, darkness <= the
shorter of the lander's and the rover's survivable darkness, slope <= lander.max_slope_deg,
roughness <= lander.max_roughness_m (carried to the DEM's shortest roughness window
with the self-affine law rms ~ L^H, H = 0.85, when the DEM cannot resolve the footprint).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr
from scipy import ndimage

from lupex.errors import InputFileError, ParameterError
from lupex.io.maps import make_map, pixel_size_m
from lupex.scenario.sites import CRITERIA, SiteCriteria
from lupex.sites.dispersion import disc_worst
from lupex.vehicles.lander import Lander

UNITS = {"sun": "1", "earth": "1", "darkness": "h", "psr_distance": "m", "ice_distance": "m",
         "slope": "deg", "roughness": "m"}
HURST = 0.85
"""Hurst exponent carrying the roughness limit from the footprint to the DEM's shortest window:
lunar surfaces are self-affine with H ~ 0.7-0.95 at 10-100 m baselines (Rosenburg et al. 2011,
JGR 116 E02001)."""

MAP_FILES = {"sun": "sun_fraction_mean", "earth": "earth_visible_fraction",
             "darkness": "longest_darkness_h", "psr": "psr", "ice": "ice_stability_depth_m"}


@dataclass
class SiteResult:
    """Outputs of :func:`score_sites`."""

    score: xr.DataArray
    candidates: Any                       # pandas.DataFrame, best first
    worst: dict[str, xr.DataArray]        # worst value in the ellipse, per criterion
    used: list[str]                       # criteria that entered the score
    notes: list[str] = field(default_factory=list)


def load_site_maps(run_dir: str | os.PathLike[str]) -> dict[str, xr.DataArray]:
    """Read the illumination (and, if present, volatiles) maps of a run folder.

    Returns a dict with keys ``sun``, ``earth``, ``darkness``, ``psr`` and optionally ``ice``.
    Raises :class:`InputFileError` naming a missing required file and the step that writes it.
    """
    import rioxarray

    maps_dir = Path(run_dir) / "maps"
    out: dict[str, xr.DataArray] = {}
    for key, stem in MAP_FILES.items():
        p = maps_dir / f"{stem}.tif"
        if not p.exists():
            if key == "ice":
                continue
            raise InputFileError(f"{p}: missing. `lupex sites` reads the illumination maps of the "
                                 "mission window; run `lupex illumination DEM --out "
                                 f"{run_dir} --start ... --stop ...` first.")
        try:
            da = rioxarray.open_rasterio(p, masked=True).squeeze("band", drop=True)
        except Exception as exc:
            raise InputFileError(f"{p}: cannot be read as a raster ({exc}); rerun the step that "
                                 "wrote it.") from exc
        out[key] = da.astype(np.float64).load()
    return out


def hazard_maps(dem: xr.DataArray, lander: Lander) -> dict[str, xr.DataArray]:
    """Slope [deg] and roughness [m] at the lander's footprint scale (or the nearest baseline
    the DEM supports: two pixels for slope, three for the RMS height)."""
    from lupex.terrain import roughness, slope_aspect

    slope, _ = slope_aspect(dem, baseline_m=lander.footprint_m)
    rough = roughness(dem, baseline_m=lander.footprint_m, kind="rms_height")
    return {"slope": slope, "roughness": rough}


def _check_grid(name: str, da: xr.DataArray, dem: xr.DataArray) -> np.ndarray:
    a = np.asarray(getattr(da, "values", da), dtype=np.float64)
    if a.shape != dem.shape:
        raise ParameterError(f"map `{name}` has shape {a.shape} but the DEM is {dem.shape}; maps "
                             "must share the DEM's grid (rerun the illumination step on this DEM).")
    return a


def _why_none(worst: dict[str, np.ndarray], hard: dict[str, tuple[str, float]],
              dark_limit: float, lander: Lander, criteria: SiteCriteria) -> str:
    """The constraints no pixel meets on its own, with the best value any pixel reaches and
    the fields to change."""
    fields = {"sun": "sites.min_sun_fraction", "earth": "sites.min_earth_fraction",
              "darkness": "lander.max_darkness_h (and rover.max_darkness_h)",
              "slope": "lander.max_slope_deg", "roughness": "lander.max_roughness_m"}
    units = {"sun": "", "earth": "", "darkness": " h", "slope": " deg", "roughness": " m"}
    out = []
    with np.errstate(invalid="ignore"):
        for k, (kind, lim) in hard.items():
            w = worst.get(k)
            if w is None or not np.isfinite(w).any():
                continue
            best = float(np.nanmax(w) if kind == "min" else np.nanmin(w))
            if (kind == "min" and best < lim) or (kind == "max" and best > lim):
                out.append(f"{k}: the best site reaches {best:.3g}{units[k]} against the limit "
                           f"{lim:.3g}{units[k]} ({fields[k]})")
    if not out:
        return " (each constraint is met somewhere, never all together)"
    return (": " + "; ".join(out) + f"; the landing ellipse (lander.ellipse_radius_m = "
            f"{lander.ellipse_radius_m:g} m) judges each site by its worst pixel, and a shorter "
            "window judges darkness over less time")


def score_sites(dem: xr.DataArray, maps: dict[str, Any], *, lander: Lander | None = None,
                criteria: SiteCriteria | None = None, rover_max_darkness_h: float | None = None,
                hazards: dict[str, Any] | None = None, top: int | None = None) -> SiteResult:
    """Score every pixel as a landing site and list the best distinct candidates.

    Parameters
    ----------
    dem : DataArray (y, x)
        Elevation [m] (map contract).
    maps : dict
        ``sun``, ``earth``, ``darkness``, ``psr`` [and ``ice``] maps on the DEM grid
        (:func:`load_site_maps`); a missing key skips its criterion (listed in ``notes``).
    lander : Lander, optional
        Footprint, slope/roughness limits, ellipse radius, survivable darkness.
    criteria : SiteCriteria, optional
        Hard constraints, scales, weights, suppression distance, ``top``.
    rover_max_darkness_h : float, optional
        The rover's survivable darkness [h]; the darkness limit is the shorter of the two.
    hazards : dict, optional
        Precomputed ``slope`` [deg] / ``roughness`` [m] maps (default :func:`hazard_maps`).
    top : int, optional
        Number of candidates (default ``criteria.top``).
    """
    import pandas as pd

    lander = lander or Lander()
    criteria = criteria or SiteCriteria()
    top = criteria.top if top is None else int(top)
    notes: list[str] = []
    dx, dy = pixel_size_m(dem)
    r_px = lander.ellipse_radius_m / dx
    if r_px < 0.5:
        notes.append(f"landing ellipse radius {lander.ellipse_radius_m:g} m is under half a pixel "
                     f"({dx:g} m): sites are judged by single pixels.")
    dark_limit = lander.max_darkness_h if rover_max_darkness_h is None else \
        min(lander.max_darkness_h, float(rover_max_darkness_h))
    hz = dict(hazards) if hazards is not None else hazard_maps(dem, lander)
    if hazards is None:
        notes.append(f"slope at a {float(hz['slope'].attrs.get('baseline_m', 2 * dx)):g} m baseline "
                     f"(lander footprint {lander.footprint_m:g} m; the DEM supports no shorter).")

    raw: dict[str, np.ndarray] = {}
    for key in ("sun", "earth", "darkness"):
        if key in maps:
            raw[key] = _check_grid(key, maps[key], dem)
        else:
            notes.append(f"no `{key}` map: criterion `{key}` skipped.")
    if "psr" in maps:
        psr = _check_grid("psr", maps["psr"], dem) >= 0.5
        if psr.any():
            raw["psr_distance"] = ndimage.distance_transform_edt(~psr, sampling=(dy, dx))
        else:
            notes.append("no permanently shadowed pixel in the map: criterion `psr_distance` skipped.")
    else:
        notes.append("no `psr` map: criterion `psr_distance` skipped.")
    if "ice" in maps and maps["ice"] is not None:
        ice = maps["ice"]
        if getattr(ice, "shape", dem.shape) != dem.shape and hasattr(ice, "x") and hasattr(ice, "y"):
            # temperatures (and so ice) may be modelled on a decimated grid of the DEM: nearest
            # neighbour back onto the DEM grid (outside the coarse grid: no ice)
            ice = ice.interp(x=dem["x"].values, y=dem["y"].values, method="nearest")
            notes.append("ice map on a coarser grid than the DEM: resampled (nearest) for "
                         "`ice_distance`.")
        depth = _check_grid("ice", ice, dem)
        stable = np.isfinite(depth) & (depth <= criteria.max_ice_depth_m)
        if stable.any():
            raw["ice_distance"] = ndimage.distance_transform_edt(~stable, sampling=(dy, dx))
        else:
            notes.append(f"no ice-stable ground within {criteria.max_ice_depth_m:g} m depth in the "
                         "map: criterion `ice_distance` skipped.")
    else:
        notes.append("no ice map (maps/ice_stability_depth_m.tif): criterion `ice_distance` skipped.")
    raw["slope"] = _check_grid("slope", hz["slope"], dem)
    raw["roughness"] = _check_grid("roughness", hz["roughness"], dem)
    # the roughness limit holds at the footprint; a coarser DEM measures RMS height over a wider
    # window L, so the limit is carried to L by the self-affine law rms(L) ~ L^H
    rough_base = float(getattr(hz["roughness"], "attrs", {}).get("baseline_m", lander.footprint_m))
    rough_limit = lander.max_roughness_m * max(rough_base / lander.footprint_m, 1.0) ** HURST
    if rough_base > lander.footprint_m:
        notes.append(f"roughness measured over {rough_base:g} m (the DEM supports no shorter); the "
                     f"{lander.max_roughness_m:g} m footprint limit scaled to {rough_limit:.2f} m "
                     f"there with Hurst exponent {HURST:g}.")

    worst_kind = {"sun": "min", "earth": "min", "darkness": "max", "psr_distance": "max",
                  "ice_distance": "max", "slope": "max", "roughness": "max"}
    worst = {k: disc_worst(v, r_px, worst=worst_kind[k]) if r_px >= 0.5 else v.copy()
             for k, v in raw.items()}
    scale = {"darkness": dark_limit, "psr_distance": criteria.psr_distance_scale_m,
             "ice_distance": criteria.ice_distance_scale_m, "slope": lander.max_slope_deg,
             "roughness": rough_limit}
    norm = {}
    for k, w in worst.items():
        norm[k] = np.clip(w, 0, 1) if k in ("sun", "earth") else np.clip(1.0 - w / scale[k], 0, 1)
    ok = np.ones(dem.shape, bool)
    for w in worst.values():
        ok &= np.isfinite(w)
    hard = {"sun": ("min", criteria.min_sun_fraction), "earth": ("min", criteria.min_earth_fraction),
            "darkness": ("max", dark_limit), "slope": ("max", lander.max_slope_deg),
            "roughness": ("max", rough_limit)}
    fails = {}
    with np.errstate(invalid="ignore"):
        for k, (kind, lim) in hard.items():
            if k in worst:
                passed = worst[k] >= lim if kind == "min" else worst[k] <= lim
                fails[k] = float(1.0 - np.mean(passed[np.isfinite(worst[k])])) \
                    if np.isfinite(worst[k]).any() else 1.0
                ok &= passed
    weights = criteria.weights.model_dump()
    used = [k for k in CRITERIA if k in norm and weights[k] > 0]
    wsum = sum(weights[k] for k in used)
    if wsum <= 0:
        raise ParameterError("site weights: every available criterion has weight 0; give at least "
                             "one positive weight in [sites.weights].")
    score = sum(weights[k] * norm[k] for k in used) / wsum
    score = np.where(ok, score, np.nan)
    score_da = make_map(score.astype(np.float32), like=dem, name="site_score", units="1",
                        long_name="landing-site score (weighted, worst in landing ellipse)",
                        ellipse_radius_m=lander.ellipse_radius_m, criteria=used,
                        weights={k: weights[k] / wsum for k in used})

    # greedy picks with non-maximum suppression
    picks = []
    s = score.copy()
    sep_px = criteria.min_separation_m / dx
    ii, jj = np.mgrid[: dem.shape[0], : dem.shape[1]]
    while len(picks) < top and np.isfinite(s).any():
        idx = int(np.nanargmax(s))
        i, j = divmod(idx, dem.shape[1])
        picks.append((i, j))
        s[(ii - i) ** 2 + (jj - j) ** 2 <= max(sep_px, 0.5) ** 2] = np.nan
    limit_text = {"sun": f"sun < min_sun_fraction {criteria.min_sun_fraction:g}",
                  "earth": f"earth < min_earth_fraction {criteria.min_earth_fraction:g}",
                  "darkness": f"longest darkness > {dark_limit:g} h",
                  "slope": f"slope > lander.max_slope_deg {lander.max_slope_deg:g}",
                  "roughness": f"roughness > {rough_limit:.3g} m"}
    fail_text = ", ".join(f"{limit_text[k]}: {100 * v:.0f} %" for k, v in fails.items())
    notes.append(f"share of sites failing each hard constraint in the ellipse: {fail_text}.")
    if not picks:
        notes.append("no pixel meets every hard constraint inside its landing ellipse"
                     + _why_none(worst, hard, dark_limit, lander, criteria) + ".")
    x = dem["x"].values
    y = dem["y"].values
    rows = []
    for rank, (i, j) in enumerate(picks, start=1):
        row: dict[str, Any] = {"rank": rank, "x_m": float(x[j]), "y_m": float(y[i]),
                               "score": float(score[i, j])}
        for k in CRITERIA:
            if k in worst:
                row[f"{k}_worst"] = float(worst[k][i, j])
                row[f"{k}_norm"] = float(norm[k][i, j])
                wk = weights[k] / wsum if k in used else 0.0
                row[f"{k}_weight"] = wk
                row[f"{k}_contribution"] = wk * float(norm[k][i, j])
        rows.append(row)
    cand = pd.DataFrame(rows, columns=["rank", "x_m", "y_m", "score"] if not rows else None)
    if rows and dem.rio.crs is not None:
        from lupex.terrain import xy_to_latlon_deg

        lat, lon = xy_to_latlon_deg(cand["x_m"].to_numpy(), cand["y_m"].to_numpy(), dem.rio.crs)
        cand.insert(3, "lat_deg", lat)
        cand.insert(4, "lon_deg", lon)
    worst_da = {k: make_map(v.astype(np.float32), like=dem, name=f"{k}_worst", units=UNITS[k],
                            long_name=f"worst {k} inside the landing ellipse") for k, v in worst.items()}
    return SiteResult(score=score_da, candidates=cand, worst=worst_da, used=used, notes=notes)
