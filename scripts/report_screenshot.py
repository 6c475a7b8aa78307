"""Screenshot the top of a run's report.html (the README picture) in headless Chromium.

Usage: python scripts/report_screenshot.py lupex-demo docs/img/report_demo.png

Needs Debian's chromium (`apt-get install -y chromium`) and `pip install playwright` (the
[test] extra); no browser is downloaded.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main(run: str, out: str, *, width: int = 1400, height: int = 1100) -> None:
    from playwright.sync_api import sync_playwright

    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        sys.exit("no chromium on PATH: apt-get install -y chromium")
    report = Path(run, "report.html").resolve()
    if not report.exists():
        sys.exit(f"{report}: no report; run `lupex demo --out {run}` first")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=FLAGS, headless=True)
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(report.as_uri())
        page.wait_for_load_state("load")
        page.screenshot(path=out, full_page=False)
        browser.close()
    print(out)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
