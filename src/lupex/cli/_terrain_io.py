"""``lupex terrain info``: read a DEM the way every stage will, and say what it holds."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from lupex.cli._common import console


def register(app: typer.Typer) -> None:
    """Add ``lupex terrain info`` to the terrain sub-app."""

    @app.command("info")
    def info(
        dem: Path = typer.Argument(..., help="DEM raster (GeoTIFF or any GDAL format) in a "
                                   "projected lunar CRS, elevations above the 1737.4 km sphere."),
        units: str = typer.Option("m", "--units", help="Units of the stored elevations: m or km."),
        crs: str | None = typer.Option(None, "--crs", help="CRS to assume when the file has none, "
                                       "e.g. IAU_2015:30135 (Moon south polar stereographic)."),
        fill_max_hole_px: int | None = typer.Option(
            None, "--fill-max-hole-px",
            help="Largest nodata hole [pixels] filled by interpolation (default 100; 0: none)."),
        band: int = typer.Option(1, "--band", help="Band number (1-based)."),
        fmt: str = typer.Option("table", "--format", help="Output format: table or json."),
    ) -> None:
        """Check a DEM and print its size, pixel, extent, latitudes, elevations and slopes.

        The file is read exactly as the other stages read it, so any refusal (Earth CRS, no
        CRS, nodata holes, truncated file) shows here first, with the fix.

        Example: `lupex terrain info shackleton_200m.tif --format json`
        """
        from lupex.errors import ParameterError
        from lupex.terrain.dem import DEFAULT_FILL_MAX_HOLE_PX, read_dem
        from lupex.terrain.summary import dem_summary

        if fmt not in ("table", "json"):
            raise ParameterError(f"--format {fmt!r}: use 'table' or 'json'.")
        da = read_dem(dem, units=units, crs=crs, band=band,
                      fill_max_hole_px=DEFAULT_FILL_MAX_HOLE_PX if fill_max_hole_px is None
                      else fill_max_hole_px)
        s = dem_summary(da)
        if fmt == "json":
            typer.echo(json.dumps(s, indent=2))  # plain JSON for pipes (jq), never wrapped
            return
        _print_table(console(), dem.name, s)


def _print_table(c, title: str, s: dict) -> None:
    from rich.table import Table

    e, lat, el = s["extent_km"], s["latitude_deg"], s["elevation_m"]
    t = Table(title=f"DEM {title}", show_header=False)
    t.add_column("item", style="bold")
    t.add_column("value")
    t.add_row("file", s["file"])
    t.add_row("CRS", s["crs"] if s["crs"] == s["crs_name"] else f"{s['crs']} ({s['crs_name']})")
    t.add_row("size", f"{s['size_px'][0]} rows x {s['size_px'][1]} columns")
    t.add_row("pixel", f"{s['pixel_m'][0]:g} m x {s['pixel_m'][1]:g} m")
    t.add_row("extent x", f"{e['x_min']:+.3f} .. {e['x_max']:+.3f} km")
    t.add_row("extent y", f"{e['y_min']:+.3f} .. {e['y_max']:+.3f} km")
    t.add_row("latitude", f"{lat['min']:.4f} .. {lat['max']:.4f} deg (centre {lat['centre']:.4f}, "
              f"lon {s['longitude_deg_centre']:.3f})")
    t.add_row("scale factor k", f"{s['scale_factor']['min']:.6f} .. {s['scale_factor']['max']:.6f}")
    if el["min"] is not None:
        t.add_row("elevation", f"{el['min']:.1f} .. {el['max']:.1f} m (mean {el['mean']:.1f} m)")
    sl = s.get("slope_deg")
    if sl:
        t.add_row(f"slope ({sl['baseline_m']:g} m baseline)",
                  f"mean {sl['mean']:.2f}, median {sl['median']:.2f}, p95 {sl['p95']:.2f}, "
                  f"max {sl['max']:.2f} deg")
    t.add_row("nodata", f"{s['nodata_pixels']} pixels in the file; {s['filled_pixels']} filled "
              f"in {s['filled_holes']} holes")
    c.print(t)
