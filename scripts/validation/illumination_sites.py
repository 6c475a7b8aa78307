"""Sun visibility and longest darkness at published south-pole sites, site by site.

Every published point figure that lies inside one of the LOLA crops of ``../shared/data/lola``
is recomputed at the published coordinates with the paper's observer height, time window and
illumination rule, and reported twice: at the pixel that contains the published point, and as
the best value within ``RADIUS_M`` of it (with its distance). Points outside every crop are
listed as such. A second part measures how the longest continuous darkness (and the lit
fractions) move with the DEM's pixel size (block means 2x, 4x), the time step, the far field
and the 200 m crop's seam.

Published values (``PUBLISHED``) are Table 1 of Gläser et al. (2014, Icarus 243, 78-90,
doi:10.1016/j.icarus.2014.08.013) and its text (spots 1-4 with their longest darkness), as read
from a public technical summary of that paper (search index file id 60413741149, which
transcribes Table 1 from the page image and flags a text-extraction slip in rows 2-3); the
abstract's 92.27 % / 95.65 % and "3-5 days" were checked against the publisher's abstract.
Table 1 itself collects the figures of Noda et al. (2008), Bussey et al. (2010, Icarus 208),
Speyerer & Robinson (2013, Icarus 222), De Rosa et al. (2012, PSS 74) and Mazarico et al.
(2011, Icarus 211); those papers' own tables were not reachable here, so their rows are taken
as Gläser et al. quote them. Bussey et al.'s 86 % at 88.74 S, 124.5 E matches their abstract.

Rules (Gläser et al. 2014, their metric definitions as summarised): "accumulated
illumination" is the time mean of the visible solar-disc fraction (lupex
``sun_fraction_mean``, rule ``mean``);
"accumulated light" is the share of time with the Sun not wholly hidden (lupex
``sun_any_fraction``, rule ``any``; the summary does not say how a partial disc is counted,
and any-part is the reading consistent with a visible-fraction map); darkness = no part of
the disc visible. Mazarico et al. (2011) also average the visible disc fraction. Speyerer &
Robinson (2013) count lit pixels in LROC WAC images (rule ``image``: not a geometric rule;
compared with both ``mean`` and ``any``). The centre-of-disc rule is printed too.

Windows: "lpc" (one lunar precession cycle) = Gläser et al.'s 19-year run, 2015-12-24 to
2034-12-24 at 1 h (also used for Mazarico et al.'s "lpc" rows, whose own span is not stated
in what was read); "6mo" = 2010-03-31 to 2010-09-24 (Table 1 note a); "wac" = Speyerer &
Robinson's image span, 2010-02-15 to 2011-02-05. Step 1 h (Gläser et al.). Horizons: 720
azimuths (as Gläser et al.), computed only on the pixels within reach of the sites, with the
regional LOLA far field (3.8 km pixels) to 300 km.

Crops (../shared/data/README.md): the 40 m crop holds SR1, SR2 and the Speyerer & Robinson
point; the Connecting Ridge points (CR1, ~89.44 S, 222.8 E) lie only in the 200 m crop, 2.4 km
west of a seam where the 200 m crop's 40 m footprint reads ~140 m too low (measured here
against the 40 m crop and the global LOLA grid). The ridge points are therefore computed on
the crop as shipped and on a levelled copy (the footprint raised by the median difference to
the block-meaned 40 m crop); the levelled one is the comparison.

Run from the repository root (about 4 min on the shared 2 cores; ``--cache`` keeps the
horizons for a rerun)::

    .venv/bin/python scripts/validation/illumination_sites.py [--cache DIR] [--json FILE]
        [--quick]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import xarray as xr

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data" / "lola"
CROP_40M = "connecting_ridge_40m.tif"
CROP_200M = "shackleton_200m.tif"

# search radius for the best value near a published point [m]. Published maxima are single
# 20-40 m pixels picked on other DTMs; studies place the "same" maximum 50-200 m apart
# (Gläser et al. 2014: 52 m from Mazarico et al.'s at 10 m; SR2 of De Rosa et al. vs Gläser et
# al. ~190 m), and our crops are median-smoothed over 3 pixels. 200 m = 5 px of the 40 m crop;
# 600 m = 3 px of the 200 m crop, the least that spans a ridge one or two pixels wide.
RADIUS_M = {CROP_40M: 200.0, CROP_200M: 600.0}

WINDOWS = {"lpc": ("2015-12-24", "2034-12-24"),
           "6mo": ("2010-03-31", "2010-09-24"),
           "wac": ("2010-02-15", "2011-02-05"),
           "2020": ("2020-01-01", "2021-01-01")}
STEP = "1h"
N_AZ = 720


@dataclass(frozen=True)
class Published:
    """One published point figure (Gläser et al. 2014, Table 1 and text)."""

    key: str
    source: str
    site: str
    lat_deg: float
    lon_deg: float
    height_m: float
    window: str
    rule: str            # "mean", "any" or "image" (see module docstring)
    value_pct: float     # the published illumination figure
    dem_m: float         # the paper's DEM pixel [m]
    any_pct: float | None = None    # "accumulated light" where also given
    dark_d: float | None = None     # longest continuous darkness [days] where given
    note: str = ""


G14 = "Gläser et al. 2014, Icarus 243, Table 1"
PUBLISHED = [
    Published("T1-1", "Noda et al. 2008 (via " + G14 + " pt 1)", "-", -88.8, 124.1, 0, "lpc",
              "mean", 86.0, 474, note="rule as quoted in Table 1"),
    Published("T1-2", "Bussey et al. 2010, Icarus 208 (abstract; " + G14 + " pt 2)", "-",
              -88.74, 124.5, 0, "2020", "any", 86.0, 474,
              note="86 % of 2020; the abstract does not state the disc rule"),
    Published("T1-3", "Speyerer & Robinson 2013, Icarus 222 (via " + G14 + " pt 3)", "SR",
              -89.74, 201.20, 0, "wac", "image", 71.7, 100,
              note="lit in LROC WAC images, 2010-02-15..2011-02-05"),
    Published("T1-4", "De Rosa et al. 2012, PSS 74 (via " + G14 + " pt 4)", "SR2",
              -89.687, 196.144, 0, "6mo", "mean", 84.13, 40),
    Published("T1-5", G14 + " pt 5", "SR2", -89.6871, 197.2887, 0, "6mo", "mean", 81.30, 40),
    Published("T1-6", G14 + " pt 6", "SR1", -89.7846, 203.9358, 0, "6mo", "mean", 73.84, 20),
    Published("T1-7", "Mazarico et al. 2011, Icarus 211 (via " + G14 + " pt 7)", "CR1",
              -89.45, 222.69, 0, "lpc", "mean", 89.01, 240),
    Published("T1-8", G14 + " pt 8", "CR1", -89.44, 222.52, 0, "lpc", "mean", 86.84, 240),
    Published("T1-9", G14 + " pt 9", "SR2", -89.6856, 196.7626, 0, "lpc", "mean", 76.23, 20),
    Published("T1-10", G14 + " pt 10, spot 1", "CR1", -89.4395, 222.8066, 2, "lpc", "mean",
              88.12, 20, any_pct=92.00, dark_d=4.58),
    Published("T1-11", G14 + " pt 11, spot 2", "CR1", -89.4399, 222.8524, 2, "lpc", "mean",
              87.93, 20, any_pct=92.27, dark_d=4.62),
    Published("T1-12", "Mazarico et al. 2011 (via " + G14 + " pt 12)", "CR1", -89.45, 222.69,
              10, "lpc", "mean", 93.10, 240),
    Published("T1-13", G14 + " pt 13, spot 3", "CR1", -89.4516, 222.7581, 10, "lpc", "mean",
              92.55, 20, any_pct=95.61, dark_d=3.08),
    Published("T1-14", G14 + " pt 14, spot 4", "CR1", -89.4544, 222.8445, 10, "lpc", "mean",
              91.94, 20, any_pct=95.65, dark_d=3.17),
]


# ----------------------------------------------------------------------------------------------
# terrain


def read_crop(name: str) -> xr.DataArray:
    """One of the shared LOLA crops (``../shared/data/lola``)."""
    from lupex.terrain import read_dem

    return read_dem(DATA / name)


def coarsen_dem(dem: xr.DataArray, factor: int) -> xr.DataArray:
    """Block-mean a DEM by an integer ``factor`` (trailing rows/columns trimmed), CRS kept."""
    if factor == 1:
        return dem
    out = dem.coarsen(x=factor, y=factor, boundary="trim").mean()
    out.attrs = dict(dem.attrs)
    return out.rio.write_crs(dem.rio.crs)


def level_seam(dem200: xr.DataArray, dem40: xr.DataArray) -> tuple[xr.DataArray, float]:
    """Raise the 40 m crop's footprint inside the 200 m crop to meet the 40 m crop.

    Offset = median over the footprint of (40 m crop block-meaned 5x and interpolated at the
    200 m pixel centres) minus (200 m crop) [m]; returns the levelled copy and the offset.
    """
    fine = coarsen_dem(dem40, 5)
    x0, x1 = sorted((float(dem40.x[0]), float(dem40.x[-1])))
    y0, y1 = sorted((float(dem40.y[0]), float(dem40.y[-1])))
    sx = (dem200.x >= x0) & (dem200.x <= x1)
    sy = (dem200.y >= y0) & (dem200.y <= y1)
    inner = dem200.isel(x=np.flatnonzero(sx.values), y=np.flatnonzero(sy.values))
    ref = fine.interp(x=inner.x, y=inner.y, method="linear")
    diff = (ref - inner).values
    off = float(np.nanmedian(diff))
    out = dem200.copy()
    mask = (sy.values[:, None] & sx.values[None, :])
    out.values = np.where(mask, out.values + off, out.values).astype(out.dtype)
    return out, off


def seam_steps(dem200: xr.DataArray, dem40: xr.DataArray) -> dict:
    """Median difference of each crop to the global LOLA grid inside/outside the footprint [m]."""
    from lupex.terrain import latlon_deg
    from lupex.terrain.regional import sample_lola_m

    lat, lon = latlon_deg(dem200)
    d200 = dem200.values - sample_lola_m(lat, lon)
    x, y = np.meshgrid(dem200.x.values, dem200.y.values)
    x0, x1 = sorted((float(dem40.x[0]), float(dem40.x[-1])))
    y0, y1 = sorted((float(dem40.y[0]), float(dem40.y[-1])))
    inside = (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
    ring = ~inside & (x >= x0 - 4e3) & (x <= x1 + 4e3) & (y >= y0 - 4e3) & (y <= y1 + 4e3)
    lat4, lon4 = latlon_deg(dem40)
    return {"crop200_minus_lola_inside_m": round(float(np.median(d200[inside])), 1),
            "crop200_minus_lola_ring_m": round(float(np.median(d200[ring])), 1),
            "crop40_minus_lola_m": round(float(np.median(dem40.values - sample_lola_m(lat4, lon4))),
                                         1)}


# ----------------------------------------------------------------------------------------------
# horizons and statistics on a box of pixels


@dataclass
class Box:
    """A rectangle of DEM pixels (row/column slices) and its horizons ``(azimuth, y, x)``."""

    rows: slice
    cols: slice
    sub: xr.DataArray
    horizons: xr.DataArray
    horizon_s: float = 0.0
    stats: dict = field(default_factory=dict)


def site_pixel(dem: xr.DataArray, lat: float, lon: float) -> tuple[int, int] | None:
    """Row/column of the pixel containing (lat, lon), or None outside the map."""
    from lupex.errors import ParameterError
    from lupex.terrain.geometry import nearest_pixel

    try:
        i, j = nearest_pixel(dem, lat, lon)
    except ParameterError:
        return None
    x, y = dem.x.values, dem.y.values
    dx = abs(float(x[1] - x[0]))
    from lupex.terrain import latlon_to_xy_m

    px, py = latlon_to_xy_m(np.array([lat]), np.array([lon]), dem.rio.crs)
    if abs(x[j] - px[0]) > dx / 2 or abs(y[i] - py[0]) > dx / 2:
        return None  # beyond the outer pixels' edges
    return i, j


def make_box(dem: xr.DataArray, prep, sites: list[Published], radius_m: float,
             height_m: float, cache: Path | None, tag: str) -> Box:
    """Horizons on the pixels within ``radius_m`` (+1 px) of any of ``sites``."""
    from lupex.horizon import azimuths_deg, compute_horizon_tile

    dx = abs(float(dem.x[1] - dem.x[0]))
    r = int(np.ceil(radius_m / dx)) + 1
    ij = np.array([site_pixel(dem, s.lat_deg, s.lon_deg) for s in sites])
    ny, nx = dem.shape
    rows = slice(max(ij[:, 0].min() - r, 0), min(ij[:, 0].max() + r + 1, ny))
    cols = slice(max(ij[:, 1].min() - r, 0), min(ij[:, 1].max() + r + 1, nx))
    sub = dem.isel(y=rows, x=cols)
    az = azimuths_deg(N_AZ)
    path = None if cache is None else cache / f"hor_{tag}_h{height_m:g}_{rows.start}_{rows.stop}_" \
        f"{cols.start}_{cols.stop}.npy"
    t0 = time.time()
    if path is not None and path.exists():
        h = np.load(path)
    else:
        h = compute_horizon_tile(prep, az, rows=rows, cols=cols, observer_height_m=height_m)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            np.save(path, h)
    hor = xr.DataArray(h, dims=("azimuth", "y", "x"),
                       coords={"azimuth": az, "y": sub.y.values, "x": sub.x.values})
    return Box(rows, cols, sub, hor, round(time.time() - t0, 1))


def box_statistics(box: Box, window: str, height_m: float, step: str = STEP) -> dict:
    """Per-pixel maps over ``window`` (mean, any, centre fractions; longest darkness [h])."""
    from lupex import ephemeris
    from lupex.illumination import body_track, pixel_geometry, stream_statistics
    from lupex.illumination.maps import horizons_pixel_major

    key = (window, step)
    if key in box.stats:
        return box.stats[key]
    start, stop = WINDOWS[window]
    times = ephemeris.time_grid(start, stop, step)
    step_h = float((times[1] - times[0]) / np.timedelta64(1, "h"))
    geom = pixel_geometry(box.sub, observer_height_m=height_m)
    track = body_track(times, geom, earth=False)
    hor = horizons_pixel_major(box.horizons)
    shape = box.sub.shape
    disc = stream_statistics(hor, geom.rot, geom.offset_m, track.sun_ref,
                             track.sun_radius_deg).results(step_h)
    # the centre-of-disc rule: a disc of negligible radius (1e-6 deg) is "some part visible"
    # exactly when its centre is above the horizon
    centre = stream_statistics(hor, geom.rot, geom.offset_m, track.sun_ref,
                               np.full(len(track), 1e-6)).results(step_h)
    out = {"mean": disc["sun_fraction_mean"].reshape(shape),
           "any": disc["sun_any_fraction"].reshape(shape),
           "centre": centre["sun_any_fraction"].reshape(shape),
           "dark_h": disc["longest_darkness_h"].reshape(shape),
           "dark_centre_h": centre["longest_darkness_h"].reshape(shape),
           "n_epochs": len(times), "step_h": step_h}
    box.stats[key] = out
    return out


def site_row(dem: xr.DataArray, box: Box, site: Published, stats: dict, radius_m: float,
             rule: str | None = None) -> dict:
    """Values at the published pixel and the best within ``radius_m`` (rule ``rule``)."""
    from lupex.terrain import latlon_deg, latlon_to_xy_m

    rule = rule or ("mean" if site.rule == "image" else site.rule)
    px, py = latlon_to_xy_m(np.array([site.lat_deg]), np.array([site.lon_deg]), dem.rio.crs)
    x, y = np.meshgrid(box.sub.x.values, box.sub.y.values)
    dist = np.hypot(x - px[0], y - py[0])
    i0, j0 = np.unravel_index(np.argmin(dist), dist.shape)
    near = dist <= radius_m
    metric = np.where(near, stats[rule], -np.inf)
    ib, jb = np.unravel_index(np.argmax(metric), metric.shape)
    lat, lon = latlon_deg(box.sub)

    def pct(a, i, j):
        return round(100.0 * float(a[i, j]), 2)

    dark = np.where(near, stats["dark_h"], np.inf)
    return {
        "key": site.key, "site": site.site, "source": site.source,
        "pixel_m": round(abs(float(dem.x[1] - dem.x[0])), 1), "height_m": site.height_m,
        "window": site.window, "epochs": stats["n_epochs"], "rule": site.rule,
        "published_pct": site.value_pct, "published_any_pct": site.any_pct,
        "published_dark_d": site.dark_d,
        "at_point": {"mean": pct(stats["mean"], i0, j0), "any": pct(stats["any"], i0, j0),
                     "centre": pct(stats["centre"], i0, j0),
                     "dark_d": round(float(stats["dark_h"][i0, j0]) / 24, 2),
                     "dark_centre_d": round(float(stats["dark_centre_h"][i0, j0]) / 24, 2),
                     "offset_m": round(float(dist[i0, j0]), 0)},
        "best": {"by": rule, "mean": pct(stats["mean"], ib, jb), "any": pct(stats["any"], ib, jb),
                 "centre": pct(stats["centre"], ib, jb),
                 "dark_d": round(float(stats["dark_h"][ib, jb]) / 24, 2),
                 "distance_m": round(float(dist[ib, jb]), 0),
                 "lat": round(float(lat[ib, jb]), 4), "lon": round(float(lon[ib, jb]) % 360, 3)},
        "min_dark_within_d": round(float(dark.min()) / 24, 2),
        "radius_m": radius_m,
    }


# ----------------------------------------------------------------------------------------------
# the runs


def run_group(dem, prep, sites, height_m, radius_m, cache, tag, step=STEP, rule=None):
    """Horizons once per cluster of ``sites`` at ``height_m``, then each site's window."""
    rows = []
    for cluster in clusters(dem, sites, 3.0 * radius_m):
        rows += _run_cluster(dem, prep, cluster, height_m, radius_m, cache, tag, step, rule)
    return rows


def clusters(dem: xr.DataArray, sites: list[Published], link_m: float) -> list[list[Published]]:
    """Group sites closer than ``link_m`` (single linkage) so that one box serves each group."""
    from lupex.terrain import latlon_to_xy_m

    xy = [latlon_to_xy_m(np.array([s.lat_deg]), np.array([s.lon_deg]), dem.rio.crs)
          for s in sites]
    groups: list[list[int]] = []
    for k in range(len(sites)):
        hit = [g for g in groups if any(np.hypot(xy[k][0][0] - xy[m][0][0],
                                                 xy[k][1][0] - xy[m][1][0]) < link_m for m in g)]
        merged = [k] + [m for g in hit for m in g]
        groups = [g for g in groups if g not in hit] + [merged]
    return [[sites[m] for m in sorted(g)] for g in groups]


def _run_cluster(dem, prep, sites, height_m, radius_m, cache, tag, step, rule):
    box = make_box(dem, prep, sites, radius_m, height_m, cache, tag)
    rows = []
    for s in sites:
        t0 = time.time()
        st = box_statistics(box, s.window, height_m, step)
        row = site_row(dem, box, s, st, radius_m, rule)
        row.update({"dem": tag, "horizon_s": box.horizon_s, "box_px": int(box.sub.size),
                    "stream_s": round(time.time() - t0, 1)})
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", type=Path, default=None, help="folder for horizon boxes (npy)")
    ap.add_argument("--json", type=Path, default=None, help="write every row here")
    ap.add_argument("--quick", action="store_true",
                    help="the comparison table only (no pixel-size, step and far-field runs)")
    args = ap.parse_args(argv)

    from lupex.horizon import prepare_horizon
    from lupex.terrain.regional import far_field_dem

    dem40, dem200 = read_crop(CROP_40M), read_crop(CROP_200M)
    lev200, offset = level_seam(dem200, dem40)
    seam = {**seam_steps(dem200, dem40), "levelling_offset_m": round(offset, 1)}
    print(json.dumps({"seam": seam}), flush=True)

    # which crop holds which point (the 40 m crop first: finer)
    where, outside = {}, []
    for s in PUBLISHED:
        if site_pixel(dem40, s.lat_deg, s.lon_deg) is not None:
            where.setdefault(CROP_40M, []).append(s)
        elif site_pixel(dem200, s.lat_deg, s.lon_deg) is not None:
            where.setdefault(CROP_200M, []).append(s)
        else:
            outside.append(s)
    for s in outside:
        print(json.dumps({"outside_every_crop": s.key, "source": s.source,
                          "lat": s.lat_deg, "lon": s.lon_deg}), flush=True)

    out = {"seam": seam, "outside": [asdict(s) for s in outside], "table": [],
           "pixel_size": [], "step": [], "far_field": []}
    preps = {}

    def prep_of(tag, dem, far="auto"):
        if tag not in preps:
            preps[tag] = prepare_horizon(dem, far_field=far)
        return preps[tag]

    # 1. the comparison table
    for crop, sites in where.items():
        variants = ([("40m", dem40)] if crop == CROP_40M
                    else [("200m_levelled", lev200), ("200m_as_shipped", dem200)])
        for tag, dem in variants:
            for h in sorted({s.height_m for s in sites}):
                grp = [s for s in sites if s.height_m == h]
                out["table"] += run_group(dem, prep_of(tag, dem), grp, h, RADIUS_M[crop],
                                          args.cache, tag)
    if not args.quick:
        # 2. pixel size: block means 2x, 4x of each crop, at the sites with published figures
        spots = [s for s in where.get(CROP_200M, []) if s.height_m == 2]
        srs = [s for s in where.get(CROP_40M, []) if s.window == "6mo"]
        for f in (2, 4):
            for tag0, dem0, grp, crop in (("200m_levelled", lev200, spots, CROP_200M),
                                          ("40m", dem40, srs, CROP_40M)):
                dem = coarsen_dem(dem0, f)
                tag = f"{tag0}_x{f}"
                radius = max(RADIUS_M[crop], 1.5 * f * abs(float(dem0.x[1] - dem0.x[0])))
                out["pixel_size"] += run_group(dem, prep_of(tag, dem), grp, grp[0].height_m,
                                               radius, args.cache, tag)
        # 3. time step: the ridge spots at 10 min against 1 h
        out["step"] += run_group(lev200, prep_of("200m_levelled", lev200), spots, 2.0,
                                 RADIUS_M[CROP_200M], args.cache, "200m_levelled", step="10min")
        # 4. far field: none at the ridge; the 200 m crop between the 40 m crop and LOLA at SR
        out["far_field"] += run_group(lev200, prep_of("200m_lev_noff", lev200, None), spots, 2.0,
                                      RADIUS_M[CROP_200M], args.cache, "200m_lev_noff")
        ring = far_field_dem(dem40, radius_km=300.0)
        out["far_field"] += run_group(dem40, prep_of("40m_ff200", dem40, [lev200, ring]), srs,
                                      0.0, RADIUS_M[CROP_40M], args.cache, "40m_ff200")
    print_table(out)
    if args.json:
        from lupex.io import write_json_atomic

        write_json_atomic(args.json, out)
    return 0


def print_table(out: dict) -> None:
    """A plain-text summary of every part."""
    print("\nkey    site dem              px_m   h  window rule  published | at point: mean  any"
          "  centre dark_d | best (dist m): mean  any dark_d | min dark in radius")
    for part in ("table", "pixel_size", "step", "far_field"):
        if out[part]:
            print(f"-- {part}")
        for r in out[part]:
            a, b = r["at_point"], r["best"]
            pub = f"{r['published_pct']:.2f}" + (f"/{r['published_any_pct']:.2f}"
                                                 if r["published_any_pct"] else "")
            pd = f" ({r['published_dark_d']} d)" if r["published_dark_d"] else ""
            print(f"{r['key']:<6} {r['site']:<4} {r['dem']:<16} {r['pixel_m']:5.0f} "
                  f"{r['height_m']:3g} {r['window']:<6} {r['rule']:<5} {pub}{pd} | "
                  f"{a['mean']:6.2f} {a['any']:6.2f} {a['centre']:6.2f} {a['dark_d']:6.2f} | "
                  f"({b['distance_m']:4.0f}) {b['mean']:6.2f} {b['any']:6.2f} {b['dark_d']:6.2f} | "
                  f"{r['min_dark_within_d']:6.2f}  [{r['epochs']} epochs]")


if __name__ == "__main__":
    sys.exit(main())
