#!/usr/bin/env python3
"""Refresh the viewer's vendored JavaScript from the npm registry.

Downloads the release tarballs of OpenLayers (``ol``, BSD-2-Clause) and geotiff.js
(``geotiff``, MIT) from https://registry.npmjs.org with urllib (no npm needed), checks each
tarball against the registry's ``dist.integrity`` (SRI sha512), extracts the minified browser
builds and the licence files into ``src/lupex/view/static/vendor/`` and writes
``SHA256SUMS`` (checked by tests/view/test_vendor.py) and ``VENDOR.json`` (package, version,
tarball URL, integrity, files).

Run it from the repository root, then run the test and commit the folder::

    python scripts/vendor_js.py                 # the pinned versions below
    python scripts/vendor_js.py --ol 10.11.0 --geotiff 3.0.5

Nothing here runs at install or run time: the wheel ships the files.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import sys
import tarfile
import urllib.request
from pathlib import Path

REGISTRY = "https://registry.npmjs.org"
VENDOR = Path(__file__).resolve().parents[1] / "src" / "lupex" / "view" / "static" / "vendor"

# package -> {member inside the tarball (under package/): file name in vendor/}
FILES = {
    "ol": {"dist/ol.js": "ol.js", "ol.css": "ol.css", "LICENSE.md": "ol.LICENSE.md"},
    "geotiff": {"dist-browser/geotiff.js": "geotiff.js", "LICENSE": "geotiff.LICENSE"},
}
PINNED = {"ol": "10.11.0", "geotiff": "3.0.5"}


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as r:
        return r.read()


def _check_integrity(blob: bytes, integrity: str, name: str) -> None:
    algo, _, want = integrity.partition("-")
    got = base64.b64encode(hashlib.new(algo, blob).digest()).decode("ascii")
    if got != want:
        raise SystemExit(f"{name}: tarball {algo} {got} != registry integrity {want}; not written.")


def fetch(package: str, version: str) -> tuple[dict, dict[str, bytes]]:
    """Download ``package@version`` and return (its record, {vendor file name: bytes})."""
    meta = json.loads(_get(f"{REGISTRY}/{package}/{version}"))
    dist = meta["dist"]
    blob = _get(dist["tarball"])
    _check_integrity(blob, dist["integrity"], f"{package}@{version}")
    out: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as tar:
        for member, name in FILES[package].items():
            f = tar.extractfile(f"package/{member}")
            if f is None:
                raise SystemExit(f"{package}@{version}: package/{member} is not a file")
            out[name] = f.read()
    record = {"package": package, "version": meta["version"], "license": meta.get("license"),
              "tarball": dist["tarball"], "integrity": dist["integrity"],
              "files": {name: f"package/{member}" for member, name in FILES[package].items()}}
    return record, out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ol", default=PINNED["ol"], help="OpenLayers version")
    ap.add_argument("--geotiff", default=PINNED["geotiff"], help="geotiff.js version")
    ap.add_argument("--out", type=Path, default=VENDOR, help="vendor folder")
    a = ap.parse_args(argv)
    records, files = [], {}
    for pkg, ver in (("ol", a.ol), ("geotiff", a.geotiff)):
        rec, got = fetch(pkg, ver)
        records.append(rec)
        files.update(got)
    a.out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        tmp = a.out / f".{name}.tmp"
        tmp.write_bytes(data)
        tmp.replace(a.out / name)
    sums = "".join(f"{hashlib.sha256(files[n]).hexdigest()}  {n}\n" for n in sorted(files))
    (a.out / "SHA256SUMS").write_text(sums, encoding="utf-8")
    (a.out / "VENDOR.json").write_text(json.dumps(records, indent=2) + "\n", encoding="utf-8")
    for r in records:
        print(f"{r['package']}@{r['version']} ({r['license']}): {', '.join(r['files'])}")
    print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
