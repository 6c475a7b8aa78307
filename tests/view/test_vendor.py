"""The vendored JavaScript: every file matches its recorded hash, licences ship beside it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

VENDOR = Path(__file__).resolve().parents[2] / "src" / "lupex" / "view" / "static" / "vendor"


def _mismatches(folder: Path) -> list[str]:
    bad = []
    for line in (folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split(maxsplit=1)
        p = folder / name
        if not p.is_file() or hashlib.sha256(p.read_bytes()).hexdigest() != digest:
            bad.append(name)
    return bad


def test_vendored_files_match_their_hashes() -> None:
    assert _mismatches(VENDOR) == []


def test_a_changed_file_is_caught(tmp_path) -> None:
    # deliberately wrong input: one byte appended to a copy of ol.js
    for p in VENDOR.iterdir():
        (tmp_path / p.name).write_bytes(p.read_bytes())
    with (tmp_path / "ol.js").open("ab") as fh:
        fh.write(b" ")
    assert _mismatches(tmp_path) == ["ol.js"]


def test_every_package_has_its_licence_and_record() -> None:
    records = json.loads((VENDOR / "VENDOR.json").read_text(encoding="utf-8"))
    assert {r["package"]: r["license"] for r in records} == {"ol": "BSD-2-Clause",
                                                             "geotiff": "MIT"}
    listed = {ln.split(maxsplit=1)[1] for ln in (VENDOR / "SHA256SUMS").read_text().splitlines()}
    for r in records:
        assert set(r["files"]) <= listed
        assert any("LICENSE" in f for f in r["files"]), r["package"]
        assert r["integrity"].startswith("sha512-")
    assert "BSD 2-Clause" in (VENDOR / "ol.LICENSE.md").read_text()
    assert "MIT License" in (VENDOR / "geotiff.LICENSE").read_text()


def test_page_loads_only_local_scripts() -> None:
    page = (VENDOR.parent / "index.html").read_text(encoding="utf-8")
    assert "http://" not in page and "https://" not in page and "//cdn" not in page
