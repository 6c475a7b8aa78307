"""Compare lupex PSR areas of Shackleton, Haworth and Shoemaker with published PSR areas.

Published figures: the LROC polar PSR product (PDS, ``NAC_POLE_PSR_SOUTH``, shapefile
``LOLA_PSR_75S_120M_82S_060M_5KM2_FINAL``): one polygon per permanently shadowed region of
at least 5 km2, mapped from LOLA illumination at 60 m per pixel poleward of 82 S (120 m from
75 S to 82 S), each with an id built from its centroid (``SP_<lat*1e4>_<lon*1e4>``) and an
``area`` attribute [km2]. The four values below are that attribute as read from the product by
the public repository arsiwalamoiz24/SIH-26-internal-round
(``PRISM/outputs/objective1/candidate_table_overview.csv``, commit 01f8631a). Faustini's
663.959 km2 is the 664 km2 that Williams et al. (2024, PSJ 5, "The Faustini permanently
shadowed region on the Moon") quote for that PSR, an independent check that the attribute is
the figure the literature uses.

"The PSR of crater X" in lupex is measured two ways (both printed):

* ``rim``: every PSR pixel inside the crater's rim circle, centre and diameter from the IAU
  Gazetteer of Planetary Nomenclature (``CRATERS``);
* ``component``: the 8-connected PSR region containing the published polygon's centroid
  (the closest definition to one published polygon; it may reach outside the rim circle and
  leaves out separate small PSRs inside it).

The published maps are at 60 m, finer than our crops (200 m, 300 m); a DEM cannot be refined,
so instead each crop is also run coarsened by ``--factors`` (block mean) to measure how the
area moves with pixel size. Horizons: 720 azimuths with the regional LOLA ring (300 km) as far
field; PSR: whole solar disc hidden over one 18.61-yr nodal cycle from 2028-01-01 at 2 h
(as tests/illumination/test_psr_real.py). Run from the repository root::

    .venv/bin/python scripts/validation/psr_published.py [--factors 1 2] [--picture PATH]
        [--cache DIR] [--json FILE]

Measured on 2 shared cores: 6-7 min for ``--factors 1`` (horizons dominate), +2.5 min for
factor 2; with ``--cache`` a rerun (e.g. to redraw the picture) takes seconds.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data" / "lola"


@dataclass(frozen=True)
class Crater:
    """A crater outline: IAU Gazetteer centre [deg] and rim diameter [km]."""

    lat_deg: float
    lon_deg: float
    diameter_km: float


# IAU Gazetteer of Planetary Nomenclature (planetarynames.wr.usgs.gov), centre and diameter;
# the same circles as tests/illumination/test_psr_real.py::CRATERS.
CRATERS = {
    "Shackleton": Crater(-89.67, 129.78, 20.9),
    "Haworth": Crater(-87.45, -5.03, 51.4),
    "Shoemaker": Crater(-88.14, 44.91, 50.9),
    "Faustini": Crater(-87.18, 77.0, 42.5),
}


@dataclass(frozen=True)
class PublishedPSR:
    """One polygon of the LROC polar PSR product (LOLA, 60 m poleward of 82 S)."""

    psr_id: str
    lat_deg: float  # polygon centroid
    lon_deg: float
    area_km2: float
    note: str = ""


PUBLISHED = {
    "Shackleton": PublishedPSR("SP_896450_1282030", -89.645, 128.203, 233.698),
    "Haworth": PublishedPSR("SP_874930_3578760", -87.493, 357.877, 1017.976),
    "Shoemaker": PublishedPSR("SP_880260_0452790", -88.026, 45.279, 1075.518),
    "Faustini": PublishedPSR("SP_871460_0840750", -87.146, 84.075, 663.959,
                             "= 664 km2 of Williams et al. 2024 (PSJ)"),
}

CROPS = {  # crop file -> craters wholly inside it
    "shackleton_200m.tif": ("Shackleton",),
    "haworth_shoemaker_300m.tif": ("Haworth", "Shoemaker"),
}


def coarsen_dem(dem: xr.DataArray, factor: int) -> xr.DataArray:
    """Block-mean a DEM by an integer ``factor`` (trailing rows/columns trimmed), CRS kept."""
    if factor == 1:
        return dem
    out = dem.coarsen(x=factor, y=factor, boundary="trim").mean()
    out.attrs = dict(dem.attrs)
    return out.rio.write_crs(dem.rio.crs)


def rim_mask(dem: xr.DataArray, crater: Crater) -> np.ndarray:
    """Pixels whose centre lies inside the crater's rim circle (map distance <= radius)."""
    from lupex.terrain import latlon_to_xy_m

    cx, cy = latlon_to_xy_m(np.array([crater.lat_deg]), np.array([crater.lon_deg]), dem.rio.crs)
    x, y = np.meshgrid(dem.x.values, dem.y.values)
    return np.hypot(x - cx[0], y - cy[0]) <= crater.diameter_km * 500.0


def component_at(mask: np.ndarray, dem: xr.DataArray, lat_deg: float, lon_deg: float,
                 *, search_px: int = 3) -> np.ndarray:
    """The 8-connected region of ``mask`` containing the pixel at (lat, lon).

    If that pixel is not in ``mask`` the largest region touching a ``search_px`` neighbourhood
    is taken (a centroid can fall a pixel outside a concave PSR); empty if there is none.
    """
    from scipy import ndimage

    from lupex.terrain import latlon_to_xy_m

    px, py = latlon_to_xy_m(np.array([lat_deg]), np.array([lon_deg]), dem.rio.crs)
    j = int(np.argmin(np.abs(dem.x.values - px[0])))
    i = int(np.argmin(np.abs(dem.y.values - py[0])))
    labels, _ = ndimage.label(mask, structure=np.ones((3, 3), bool))
    win = labels[max(i - search_px, 0):i + search_px + 1, max(j - search_px, 0):j + search_px + 1]
    ids = win[win > 0]
    if labels[i, j] > 0:
        return labels == labels[i, j]
    if ids.size == 0:
        return np.zeros_like(mask, bool)
    sizes = {k: int(np.sum(labels == k)) for k in np.unique(ids)}
    return labels == max(sizes, key=sizes.get)


def psr_map(dem: xr.DataArray) -> tuple[np.ndarray, dict]:
    """PSR mask over one 18.61-yr cycle with the regional far field, and timings [s]."""
    from lupex.horizon import horizon_map
    from lupex.illumination import illumination_maps

    t0 = time.time()
    hor = horizon_map(dem, n_azimuths=720, far_field="auto")
    t1 = time.time()
    ds = illumination_maps(dem, hor, "2028-01-01", "2028-02-01", "6h", psr_span="cycle",
                           ordered=False, earth=False)
    t2 = time.time()
    info = {"psr_span": ds.attrs.get("psr_span"), "psr_epochs": int(ds.attrs["psr_epochs"]),
            "far_field": hor.attrs.get("far_field"), "horizon_s": round(t1 - t0, 1),
            "illumination_s": round(t2 - t1, 1)}
    return ds["psr"].values == 1, info


def crater_rows(psr: np.ndarray, dem: xr.DataArray, names) -> list[dict]:
    """Per-crater areas [km2]: rim circle, PSR in it, the published-centroid component."""
    from lupex.illumination.maps import area_km2

    rows = []
    for name in names:
        crater, pub = CRATERS[name], PUBLISHED[name]
        rim = rim_mask(dem, crater)
        comp = component_at(psr, dem, pub.lat_deg, pub.lon_deg)
        a_rim, a_comp = area_km2(psr & rim, dem), area_km2(comp, dem)
        rows.append({"crater": name, "rim_circle_km2": round(area_km2(rim, dem), 1),
                     "psr_in_rim_km2": round(a_rim, 1), "psr_component_km2": round(a_comp, 1),
                     "component_inside_rim_frac": round(area_km2(comp & rim, dem) / a_comp, 3)
                     if a_comp else None,
                     "published_km2": pub.area_km2, "published_id": pub.psr_id,
                     "rim_vs_published_pct": round(100 * (a_rim / pub.area_km2 - 1), 1),
                     "component_vs_published_pct": round(100 * (a_comp / pub.area_km2 - 1), 1)})
    return rows


def picture(results: dict, path: Path) -> None:
    """Hillshade with PSR (blue), rim circles (dashed) and published centroids, one panel each."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from lupex.io.atomic import atomic_path
    from lupex.io.quicklook import hillshade
    from lupex.terrain import latlon_to_xy_m

    panels = [(name, res) for res in results.values() for name in res["craters"]]
    fig, axes = plt.subplots(1, len(panels), figsize=(3.9 * len(panels), 4.9), dpi=72)
    for ax, (name, res) in zip(np.atleast_1d(axes), panels, strict=True):
        dem, psr = res["_dem"], res["_psr"]
        crater, pub = CRATERS[name], PUBLISHED[name]
        cx, cy = latlon_to_xy_m(np.array([crater.lat_deg]), np.array([crater.lon_deg]),
                                dem.rio.crs)
        half_m = crater.diameter_km * 500.0 * 1.35
        x, y = dem.x.values, dem.y.values
        sx = (x >= cx[0] - half_m) & (x <= cx[0] + half_m)
        sy = (y >= cy[0] - half_m) & (y <= cy[0] + half_m)
        xs, ys = x[sx] / 1e3, y[sy] / 1e3
        dx = float(abs(x[1] - x[0]))
        ext = (xs[0] - dx / 2e3, xs[-1] + dx / 2e3, ys[-1] - dx / 2e3, ys[0] + dx / 2e3)
        ax.imshow(hillshade(dem.values[np.ix_(sy, sx)].astype(float), dx), cmap="gray",
                  extent=ext)
        sub = psr[np.ix_(sy, sx)]
        ax.imshow(np.where(sub, 1.0, np.nan), cmap="Blues", vmin=0, vmax=1.4, alpha=0.55,
                  extent=ext)
        ax.contour(xs, ys, sub.astype(float), levels=[0.5], colors="tab:blue", linewidths=0.8)
        ax.add_patch(plt.Circle((cx[0] / 1e3, cy[0] / 1e3), crater.diameter_km / 2, fill=False,
                                ls="--", color="orange", lw=1.2))
        px, py = latlon_to_xy_m(np.array([pub.lat_deg]), np.array([pub.lon_deg]), dem.rio.crs)
        ax.plot(px[0] / 1e3, py[0] / 1e3, "r+", ms=9, mew=1.5)
        row = next(r for r in res["rows"] if r["crater"] == name)
        ax.set_title(f"{name} ({dx:.0f} m)\nlupex {row['psr_in_rim_km2']:.0f} km2 in rim, "
                     f"{row['psr_component_km2']:.0f} connected\nLROC/LOLA 60 m: "
                     f"{pub.area_km2:.0f} km2", fontsize=9)
        ax.set_xlabel("x [km]", fontsize=8)
        ax.set_ylabel("y [km]", fontsize=8)
        ax.tick_params(labelsize=7)
    fig.suptitle("lupex PSR (blue: whole Sun hidden 2028-2046, LOLA far field) on LOLA "
                 "hillshade; dashed: IAU rim circle; +: centroid of the published PSR", fontsize=9)
    fig.tight_layout(rect=(0, 0, 1, 0.94))
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png")
    plt.close(fig)
    _shrink_png(path)


def _shrink_png(path: Path, colors: int = 160) -> None:
    """Re-save a PNG with an adaptive palette (hillshade noise makes RGB PNGs large)."""
    from PIL import Image

    from lupex.io.atomic import atomic_path

    with Image.open(path) as im:
        pal = im.convert("RGB").quantize(colors=colors)
    with atomic_path(path) as tmp:
        pal.save(tmp, format="PNG", optimize=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--factors", type=int, nargs="+", default=[1],
                    help="coarsening factors of the crops (1 = native 200/300 m)")
    ap.add_argument("--picture", type=Path, default=ROOT / "docs" / "img" /
                    "psr_published_comparison.png", help="PNG written from the factor-1 runs")
    ap.add_argument("--json", type=Path, default=None, help="also write the results here")
    ap.add_argument("--cache", type=Path, default=None,
                    help="folder for the PSR masks (npz); a rerun reuses them (e.g. to redraw)")
    args = ap.parse_args(argv)

    from lupex.terrain import read_dem

    out = []
    native = {}
    for fname, names in CROPS.items():
        dem0 = read_dem(DATA / fname)
        for f in args.factors:
            dem = coarsen_dem(dem0, f)
            cached = args.cache / f"psr_{Path(fname).stem}_x{f}.npz" if args.cache else None
            if cached is not None and cached.exists():
                with np.load(cached) as z:
                    psr, info = z["psr"], json.loads(str(z["info"]))
            else:
                psr, info = psr_map(dem)
                if cached is not None:
                    from lupex.io import atomic_path

                    with atomic_path(cached) as tmp:  # tmp ends in .npz: savez keeps the name
                        np.savez_compressed(tmp, psr=psr, info=json.dumps(info))
            rows = crater_rows(psr, dem, names)
            dx = float(abs(dem.x.values[1] - dem.x.values[0]))
            rec = {"file": fname, "factor": f, "pixel_m": dx, "shape": list(dem.shape), **info,
                   "rows": rows}
            out.append(rec)
            print(json.dumps(rec), flush=True)
            if f == 1:
                native[fname] = {"craters": names, "rows": rows, "_dem": dem, "_psr": psr}
    if native and args.picture:
        picture(native, args.picture)
        print(f"picture: {args.picture}", flush=True)
    print("\ncrater      pixel_m  rim_circle  PSR_in_rim  PSR_component  published  "
          "rim_diff%  comp_diff%")
    for rec in out:
        for r in rec["rows"]:
            print(f"{r['crater']:<11} {rec['pixel_m']:7.0f} {r['rim_circle_km2']:11.1f} "
                  f"{r['psr_in_rim_km2']:11.1f} {r['psr_component_km2']:14.1f} "
                  f"{r['published_km2']:10.1f} {r['rim_vs_published_pct']:10.1f} "
                  f"{r['component_vs_published_pct']:11.1f}")
    if args.json:
        from lupex.io import write_json_atomic

        write_json_atomic(args.json, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
