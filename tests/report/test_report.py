"""report.html from the manifest: order, numbers with units, self-contained; exports readable."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from lupex.report import fmt, write_report


def test_numbers_carry_units_and_sensible_precision() -> None:
    assert fmt.value("psr_area_km2", 15.525) == "15.53 km²"
    assert fmt.value("traverse_distance_m", 724.3) == "724.3 m"
    assert fmt.value("traverse_distance_m", 12345.6) == "12.35 km"
    assert fmt.value("best_mean_sun_fraction", 0.9628) == "96.3%"
    assert fmt.value("duration_h", 7.73) == "7.7 h"
    assert fmt.value("cold_trap_km2", {"H2O": 109.98}) == "H2O: 109.98 km²"
    assert fmt.value("water_found_wt_pct", None) == "–"
    assert fmt.latlon(-89.92961, -108.43495) == "89.930°S, 108.43°W"
    # deliberately wrong: a dict must never come out as its Python repr
    assert "{" not in fmt.value("x", {"a": 1.0})


def test_report_tells_the_run_in_order_and_is_self_contained(handmade) -> None:
    out = write_report(handmade)
    text = out.read_text(encoding="utf-8")
    ids = re.findall(r"<section id='(\w+)'", text)
    assert ids[:2] == ["answers", "site"] and ids[-2:] == ["environment", "provenance"]
    assert "traverse" in ids
    assert "http://" not in text and "https://" not in text  # no CDN, no network
    imgs = re.findall(r"src='data:image/png;base64,", text)
    assert len(imgs) >= 4
    # the answers: landing site as lat/lon, its ellipse, the traverse in units
    assert "LANDING SITE" in text.upper() and "°S" in text
    assert "landing ellipse radius 400 m" in text
    body = re.sub(r"<[^>]+>", " ", text)
    assert not re.search(r"\{'|\bNone\b|\bnan\b|np\.float", body)


def test_report_of_a_folder_without_manifest_says_how_to_make_one(tmp_path) -> None:
    from lupex.errors import InputFileError

    with pytest.raises(InputFileError, match="lupex run"):
        write_report(tmp_path)


def test_map_crs_round_trips_through_gdal(handmade) -> None:
    import rasterio

    from lupex.io.runfolder import RunFolder
    from lupex.terrain.geometry import crs_label

    rf = RunFolder(handmade, create=False)
    maps = rf.products(kind="map")
    assert len(maps) == 4
    for p in maps:
        with rasterio.open(handmade / p["path"]) as src:
            # GDAL's WKT1 drops the IAU authority: the projection must still be 30135 exactly
            assert crs_label(src.crs.to_wkt()) == "IAU_2015:30135"
            assert src.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG"
            assert src.tags().get("units") == p["units"]


def test_plans_are_rfc7946_lonlat(handmade) -> None:
    import pandas as pd

    from lupex.report.geo import is_lonlat
    from lupex.terrain.geometry import latlon_to_xy_m

    fc = json.loads((handmade / "plans" / "traverse.geojson").read_text())
    assert "crs" not in fc  # RFC 7946 section 4: no crs member
    assert is_lonlat(fc)
    lon, lat = np.array(fc["features"][0]["geometry"]["coordinates"]).T
    assert np.all(np.abs(lat) <= 90) and np.all(lat < -89.0)
    track = pd.read_csv(handmade / "tables" / "traverse.csv")
    x, y = latlon_to_xy_m(lat, lon, "IAU_2015:30135")
    # lon/lat order: swapping would put these points ~1,000 km away; 1 mm round trip
    np.testing.assert_allclose(x, track["x_m"], atol=1e-3)
    np.testing.assert_allclose(y, track["y_m"], atol=1e-3)
    # deliberately wrong: metres in a FeatureCollection are recognised as not lon/lat
    fc_xy = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-2000.0, -1000.0]},
         "properties": {}}]}
    assert not is_lonlat(fc_xy)


def test_monte_carlo_histograms_take_a_string_strategy_column():
    # pandas may read `strategy` as a StringDtype column, which np.issubdtype cannot interpret
    # (the demo's Monte Carlo once lost its report section to it); one colour per strategy
    import pandas as pd

    from lupex.report.plots import distributions_png

    df = pd.DataFrame({"run": [0, 0, 1, 1], "strategy": pd.array(["guided", "grid"] * 2,
                                                                  dtype="string"),
                       "water_found_wt_pct": [1.2, 0.3, 0.9, 0.4],
                       "survived": [True, True, False, True]})
    png = distributions_png(df, title="Monte Carlo")
    assert png is not None and png[:8] == b"\x89PNG\r\n\x1a\n"
    assert distributions_png(df[["run", "strategy", "survived"]], title="none") is None
