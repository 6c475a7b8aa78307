"""A self-contained HTML report of a run folder.

The page embeds every PNG quicklook under ``maps/`` (base64, so the file can be mailed),
the first rows of every CSV under ``tables/``, and the provenance from ``run.json``.
"""

from __future__ import annotations

import base64
import csv
import html
import json
import os
from pathlib import Path

from lupex.io.atomic import write_text_atomic

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1100px;
color:#1d232a;line-height:1.45}
h1{margin-bottom:.2rem} .sub{color:#5b6570;margin-top:0}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(480px,1fr));gap:1rem}
figure{margin:0;border:1px solid #dde2e7;border-radius:8px;padding:.5rem;background:#fafbfc}
figure img{width:100%} figcaption{font-size:.9rem;color:#38424c}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0 1.5rem}
td,th{border:1px solid #dde2e7;padding:.2rem .5rem;text-align:right} th{background:#f1f4f7}
pre{background:#f6f8fa;padding:.8rem;border-radius:6px;overflow:auto;font-size:.8rem}
"""


def _csv_table(path: Path, max_rows: int = 12) -> str:
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    if not rows:
        return "<p>(empty)</p>"
    head, body = rows[0], rows[1:]
    out = ["<table><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in head) + "</tr>"]
    for r in body[:max_rows]:
        out.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>")
    out.append("</table>")
    if len(body) > max_rows:
        out.append(f"<p>... {len(body) - max_rows} more rows in <code>{html.escape(path.name)}</code></p>")
    return "".join(out)


def _figures(run: Path, sub: str, heading: str, ext: str, kind: str) -> list[str]:
    """A grid of the PNGs in ``run/sub``, each captioned with its companion data file."""
    pngs = sorted((run / sub).glob("*.png")) if (run / sub).exists() else []
    if not pngs:
        return []
    out = [f"<h2>{heading}</h2><div class='grid'>"]
    for p in pngs:
        b64 = base64.b64encode(p.read_bytes()).decode("ascii")
        data = p.with_suffix(ext)
        cap = html.escape(p.stem) + (f" ({kind}: <code>{sub}/{html.escape(data.name)}</code>)"
                                     if data.exists() else "")
        out.append(f"<figure><img alt='{html.escape(p.stem)}' src='data:image/png;base64,{b64}'>"
                   f"<figcaption>{cap}</figcaption></figure>")
    out.append("</div>")
    return out


def write_report(run_dir: str | os.PathLike[str], *, title: str = "lupex run") -> Path:
    """Write ``run_dir/report.html`` from what the run folder holds and return its path.

    Parameters
    ----------
    run_dir : path-like
        A lupex run folder (``maps/``, ``tables/``, ``run.json``).
    title : str
        Page title.
    """
    run = Path(run_dir)
    meta = {}
    if (run / "run.json").exists():
        meta = json.loads((run / "run.json").read_text(encoding="utf-8"))
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
             f"<style>{_CSS}</style></head><body><h1>{html.escape(title)}</h1>"]
    summary = meta.get("summary", {})
    if summary:
        parts.append("<p class='sub'>" + " &middot; ".join(
            f"{html.escape(str(k))}: <b>{html.escape(str(v))}</b>" for k, v in summary.items()) + "</p>")
    parts += _figures(run, "maps", "Maps", ".tif", "GeoTIFF")
    parts += _figures(run, "plans", "Plans", ".geojson", "GeoJSON")
    csvs = sorted((run / "tables").glob("*.csv")) if (run / "tables").exists() else []
    if csvs:
        parts.append("<h2>Tables</h2>")
        for c in csvs:
            parts.append(f"<h3><code>tables/{html.escape(c.name)}</code></h3>{_csv_table(c)}")
    if meta:
        parts.append("<h2>Provenance</h2><pre>" + html.escape(json.dumps(meta, indent=2)) + "</pre>")
    parts.append("</body></html>")
    return write_text_atomic(run / "report.html", "\n".join(parts))
