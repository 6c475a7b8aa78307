"""The viewer and the report in headless Chromium (Debian's package, driven by Playwright).

Skips with a message where no ``chromium`` is installed (``.ci/run`` installs it with apt-get).
``LUPEX_SCREENSHOTS=1`` writes docs/img/viewer.png and docs/img/report.png from the real run.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from lupex_test_runs import live

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.skip("no chromium on PATH (apt-get install -y chromium; .ci/run does it)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=FLAGS, headless=True)
        yield b
        b.close()


def _page(browser, errors: list[str]):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return page


def _map_pixel(page, x_m: float, y_m: float) -> tuple[float, float]:
    """Screen position of a map coordinate (OpenLayers' own transform)."""
    px = page.evaluate(f"window.lupexViewer.map.getPixelFromCoordinate([{x_m}, {y_m}])")
    box = page.locator("#map").bounding_box()
    return box["x"] + px[0], box["y"] + px[1]


def _open_viewer(page, url: str) -> None:
    page.goto(url + "/")
    page.wait_for_function("window.lupexViewer && (window.lupexViewer.ready || "
                           "window.lupexViewer.errors.length)", timeout=90_000)
    assert page.evaluate("window.lupexViewer.errors") == []


def test_viewer_values_time_and_rover_on_the_handmade_run(browser, handmade) -> None:
    from lupex_test_runs import grid

    errors: list[str] = []
    page = _page(browser, errors)
    with live(handmade) as url:
        _open_viewer(page, url)
        # the value under the cursor: sun_fraction_mean = (x - x0) / (x1 - x0) at the pixel
        # centre (the hand-made map), so the readout must show it to its 3 decimals
        x, _ = grid()
        j = 30
        sx, sy = _map_pixel(page, x[j], 220.0)
        page.mouse.move(sx, sy)
        page.wait_for_function("document.querySelector('#readout tr[data-layer="
                               "\"sun_fraction_mean\"] td.val')", timeout=10_000)
        got = page.inner_text("#readout tr[data-layer='sun_fraction_mean'] td.val")
        assert float(got) == pytest.approx((x[j] - x[0]) / (x[-1] - x[0]), abs=6e-4)
        assert "°S" in page.inner_text("#where")
        # turn on the temperature layer: its value carries its unit
        page.locator(".layer[data-layer='t_surface_max_k'] input[type=checkbox]").check()
        page.mouse.move(sx + 1, sy)
        page.wait_for_function("document.querySelector('#readout tr[data-layer="
                               "\"t_surface_max_k\"]')", timeout=10_000)
        assert page.inner_text("#readout tr[data-layer='t_surface_max_k'] td.val").endswith(" K")
        # the slider over the window (2 days): the route runs 06:00 to 16:00 on day 1 along
        # y = -1000 m from x = -2000 to 2000 m, so at 08:00 the rover is at x = -1200 m
        v = round(1000 * 8 / 48)  # the slider has 1000 steps: 167 -> 8.016 h
        page.locator("#time").fill(str(v))
        page.wait_for_function("window.lupexViewer.rover", timeout=10_000)
        rx, ry = page.evaluate("window.lupexViewer.rover")
        # linear between the hourly rows, 400 m/h: to 1 cm
        assert (rx, ry) == pytest.approx((-2000 + 400 * (v / 1000 * 48 - 6), -1000), abs=0.01)
        first = (rx, ry)
        page.locator("#time").fill(str(round(1000 * 12 / 48)))
        rx2, _ = page.evaluate("window.lupexViewer.rover")
        assert rx2 > first[0] + 1000  # it moved east
        assert "battery" in page.inner_text("#rover-state")
        assert "activity" in page.inner_text("#rover-state")
    assert errors == []


def test_a_deliberately_wrong_value_would_be_seen(browser, handmade) -> None:
    # the readout test can fail: the neighbouring pixel's value differs by 1/47 > tolerance
    from lupex_test_runs import grid

    x, _ = grid()
    assert abs((x[31] - x[30]) / (x[-1] - x[0])) > 6e-4


@pytest.mark.slow
def test_report_and_viewer_of_a_real_run(browser, tiny) -> None:
    import rasterio

    from lupex.report import write_report

    shots = os.environ.get("LUPEX_SCREENSHOTS") == "1"
    errors: list[str] = []
    # the report: offline (every request must be to the file itself or a data: URL)
    report = write_report(tiny)
    page = _page(browser, errors)
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith(("file://", "data:")) else None)
    page.goto(report.as_uri())
    assert page.locator("h2").first.inner_text() == "Scenario and answers"
    assert page.locator("figure img").count() >= 8
    text = page.inner_text("body")
    # no Python reprs: dicts, numpy scalars, None or nan shown as values
    assert "{'" not in text and "np.float" not in text
    assert not any(w in text.split() for w in ("None", "nan", "NaN"))
    if shots:
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(DOCS_IMG / "report.png"), full_page=False)
    assert outside == []
    # the viewer: value under the cursor against rasterio, the slider moves the rover
    vpage = _page(browser, errors)
    with live(tiny) as url:
        _open_viewer(vpage, url)
        box = vpage.locator("#map").bounding_box()
        vpage.mouse.move(box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.5)
        vpage.wait_for_function("window.lupexViewer.cursor", timeout=10_000)
        cx, cy = vpage.evaluate("window.lupexViewer.cursor")
        layer = vpage.evaluate("window.lupexViewer.config.layers.find(l => "
                               "l.id === 'sun_fraction_mean')")
        with rasterio.open(tiny / "maps" / "sun_fraction_mean.tif") as src:
            r, c = src.index(cx, cy)
            want = float(src.read(1)[r, c])
        got = vpage.inner_text(f"#readout tr[data-layer='{layer['id']}'] td.val")
        assert float(got) == pytest.approx(want, abs=6e-4)  # shown with 3 decimals
        route = vpage.evaluate("window.lupexViewer.route")
        assert route and len(route["t_ms"]) > 1
        assert len(set(zip(route["x_m"], route["y_m"], strict=True))) > 1, "never moves"
        positions = set()
        for v in range(0, 1001, 20):  # sweep the slider over the window
            vpage.locator("#time").fill(str(v))
            positions.add(tuple(vpage.evaluate("window.lupexViewer.rover")))
        assert len(positions) > 1  # the rover moved with the slider
        assert "battery" in vpage.inner_text("#rover-state")
        vpage.locator("#time").fill("40")
        vpage.wait_for_function("window.lupexViewer.sunTime !== undefined", timeout=60_000)
        # the sky at a clicked point
        vpage.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.45)
        vpage.wait_for_function("window.lupexViewer.sky", timeout=90_000)
        sky = vpage.evaluate("window.lupexViewer.sky")
        assert len(sky["horizon_deg"]) == 90 and len(sky["sun_elevation_deg"]) > 10
        time.sleep(0.5)
        if shots:
            vpage.screenshot(path=str(DOCS_IMG / "viewer.png"))
    assert errors == []
