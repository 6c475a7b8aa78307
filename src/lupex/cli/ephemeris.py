"""``lupex ephemeris`` (Sun and Earth seen from a lunar surface point) and ``lupex stations``
(the Moon seen from Earth ground stations, visibility windows)."""

from __future__ import annotations

import enum
import io
import json
from pathlib import Path
from typing import Any

import typer

from lupex.cli._common import console

COLUMNS = ["time_utc", "sun_azimuth_deg", "sun_elevation_deg", "sun_radius_deg",
           "earth_azimuth_deg", "earth_elevation_deg", "earth_radius_deg", "subsolar_lat_deg",
           "subsolar_lon_deg", "subearth_lat_deg", "subearth_lon_deg"]
WINDOW_COLUMNS = ["station", "start_utc", "stop_utc", "duration_h", "max_elevation_deg"]


class Format(enum.StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def _emit(rows: list[dict[str, Any]], columns: list[str], fmt: Format, out: Path | None,
          title: str, prov: dict[str, Any]) -> None:
    """Print or write ``rows`` as a rich table, CSV or JSON (atomic write with ``--out``)."""
    from lupex.io.atomic import write_text_atomic

    if fmt is Format.table and out is None:
        if not rows:
            console().print(f"{title}: none")
            return
        from rich import box
        from rich.table import Table

        t = Table(title=title, box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False)
        cells = [[r[c] if isinstance(r[c], str) else f"{r[c]:.4f}" for c in columns]
                 for r in rows]
        heads = [c.removesuffix("_deg").replace("_", " ") for c in columns]
        widths = [max(len(h), *(len(row[i]) for row in cells)) for i, h in enumerate(heads)]
        for i, h in enumerate(heads):
            t.add_column(h, no_wrap=True, min_width=widths[i],
                         justify="left" if isinstance(rows[0][columns[i]], str) else "right")
        for row in cells:
            t.add_row(*row)
        need = sum(w + 3 for w in widths) + 2
        c = console()
        c.width = max(c.width, need)  # never truncate numbers; a narrow terminal wraps lines
        c.print(t)
        return
    if fmt is Format.json:
        text = json.dumps({"provenance": prov, "columns": columns, "rows": rows}, indent=1) + "\n"
    else:  # csv (also for --format table with --out)
        import csv

        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(columns)
        for r in rows:
            w.writerow([r[c] if isinstance(r[c], str) else f"{r[c]:.6f}" for c in columns])
        text = buf.getvalue()
    if out is None:
        typer.echo(text, nl=False)
    else:
        write_text_atomic(out, text)
        console().print(f"wrote {out} ({len(rows)} rows)")


def register(app: typer.Typer) -> None:
    """Add ``lupex ephemeris`` and ``lupex stations`` to the app."""

    @app.command("ephemeris")
    def ephemeris(
        lat: float = typer.Option(..., "--lat", help="Planetocentric latitude [deg], -90..90."),
        lon: float = typer.Option(..., "--lon", help="East longitude [deg]."),
        start: str = typer.Option(..., "--start", help="First time, ISO UTC (2028-01-01T00:00)."),
        stop: str = typer.Option(..., "--stop", help="Last time, ISO UTC."),
        step: str = typer.Option("1h", "--step", help="Time step: 10s, 30min, 1h, 1d ..."),
        height_m: float = typer.Option(0.0, "--height-m",
                                       help="Height above the 1737.4 km sphere [m]."),
        fmt: Format = typer.Option(Format.table, "--format", help="table, csv or json."),
        out: Path | None = typer.Option(None, "--out", "-o",
                                        help="Write to this file (CSV unless --format json)."),
    ) -> None:
        """Sun and Earth seen from a lunar surface point: azimuth (clockwise from north),
        elevation, apparent radius, sub-solar and sub-Earth points; apparent (LT+S) positions
        from DE421 in the Moon mean-Earth frame.

        Example: `lupex ephemeris --lat -89.45 --lon 222.7 --start 2028-01-01T00:00
        --stop 2028-02-01T00:00 --step 1h --format csv --out sun_earth.csv`
        """
        from lupex.ephemeris import time_grid, topocentric
        from lupex.errors import check_range
        from lupex.io.provenance import provenance

        check_range("--lat", lat, -90, 90, unit="deg")
        check_range("--lon", lon, -360, 360, unit="deg")
        check_range("--height-m", height_m, -20_000, 1_000_000, unit="m")
        times = time_grid(start, stop, step)
        ds = topocentric(lat, lon, times, height_m=height_m)
        cols = {c: ds[c].values for c in COLUMNS[1:]}
        iso = times.astype("datetime64[s]").astype(str)
        rows = [{"time_utc": iso[i], **{c: float(v[i]) for c, v in cols.items()}}
                for i in range(times.size)]
        prov = provenance("lupex ephemeris", lat=lat, lon=lon, start=start, stop=stop,
                          step=step, height_m=height_m)
        prov.update(frame=ds.attrs["frame"], aberration_correction=ds.attrs[
            "aberration_correction"], source=ds.attrs["source"])
        _emit(rows, COLUMNS, fmt, out,
              f"Sun and Earth from lat {lat:g}, lon {lon:g}, h {height_m:g} m (UTC; angles in deg)", prov)

    @app.command("stations")
    def stations(
        start: str = typer.Option(None, "--start", help="First time, ISO UTC."),
        stop: str = typer.Option(None, "--stop", help="Last time, ISO UTC."),
        step: str = typer.Option("10min", "--step", help="Time step: 1min, 10min, 1h ..."),
        station: list[str] = typer.Option(
            None, "--station", "-s",
            help="Station name (repeatable), or NAME,LAT,LON[,HEIGHT_M] for your own; "
                 "default: all named stations."),
        min_elevation: float = typer.Option(10.0, "--min-elevation",
                                            help="Elevation mask [deg]."),
        lunar_point: str = typer.Option(
            None, "--lunar-point",
            help="LAT,LON[,HEIGHT_M] of a lunar surface point to track instead of the Moon "
                 "centre."),
        list_only: bool = typer.Option(False, "--list", help="List the named stations and exit."),
        fmt: Format = typer.Option(Format.table, "--format", help="table, csv or json."),
        out: Path | None = typer.Option(None, "--out", "-o", help="Write to this file."),
    ) -> None:
        """Windows when the Moon (or a lunar surface point) is above an elevation mask at
        Earth ground stations (ISRO IDSN, JAXA Usuda/Misasa, NASA DSN).

        Example: `lupex stations --start 2028-01-01 --stop 2028-01-08 --step 10min
        --station DSS-43 --station IDSN-32 --lunar-point -89.45,222.7`
        """
        from lupex.ephemeris import STATIONS, ground_station_visibility, time_grid
        from lupex.ephemeris.stations import visibility_windows
        from lupex.errors import ParameterError
        from lupex.io.provenance import provenance

        if list_only:
            rows = [{"station": s.name, "lat_deg": s.lat_deg, "lon_deg": s.lon_deg,
                     "height_m": s.height_m, "source": s.source} for s in STATIONS.values()]
            _emit(rows, ["station", "lat_deg", "lon_deg", "height_m", "source"], fmt, out,
                  "named ground stations (geodetic WGS84)", provenance("lupex stations --list"))
            return
        if start is None or stop is None:
            raise ParameterError("lupex stations needs --start and --stop (or --list).")
        chosen: list[Any] | None = None
        if station:
            chosen = []
            for s in station:
                parts = [p.strip() for p in s.split(",")]
                if len(parts) == 1:
                    chosen.append(parts[0])
                elif len(parts) in (3, 4):
                    try:
                        chosen.append((parts[0], *(float(p) for p in parts[1:])))
                    except ValueError:
                        raise ParameterError(f"--station {s!r}: LAT, LON, HEIGHT_M must be "
                                             "numbers (NAME,LAT,LON[,HEIGHT_M]).") from None
                else:
                    raise ParameterError(f"--station {s!r}: give a name or "
                                         "NAME,LAT,LON[,HEIGHT_M].")
        point = None
        if lunar_point:
            try:
                point = tuple(float(p) for p in lunar_point.split(","))
            except ValueError:
                raise ParameterError(f"--lunar-point {lunar_point!r}: give LAT,LON[,HEIGHT_M] "
                                     "in degrees and metres.") from None
        times = time_grid(start, stop, step)
        from lupex.cli._common import callback, progress

        with progress() as p:
            ds = ground_station_visibility(times, chosen, min_elevation_deg=min_elevation,
                                           lunar_point=point,
                                           progress=callback(p, "station geometry"))
        rows = visibility_windows(ds)
        prov = provenance("lupex stations", start=start, stop=stop, step=step,
                          stations=list(ds["station"].values), min_elevation_deg=min_elevation,
                          lunar_point=lunar_point)
        target = f"lunar point {lunar_point}" if lunar_point else "Moon centre"
        _emit(rows, WINDOW_COLUMNS, fmt, out,
              f"{target} above {min_elevation:g} deg (windows at {step} resolution, UTC)", prov)
        if fmt is Format.table and out is None:
            frac = float(ds["any_visible"].mean()) * 100
            console().print(f"at least one station sees the {target} {frac:.1f}% of the time")
