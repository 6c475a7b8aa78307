"""Numbers as a planner reads them: units from the quantity's name, sensible precision, no reprs.

The glossary's unit suffixes (``_m``, ``_km2``, ``_h``, ``_k``, ``_deg``, ``_fraction``, ...)
decide the unit and the digits; lists and dicts become short text or small tables.
"""

from __future__ import annotations

import html
import math
from typing import Any

# suffix -> (unit shown, digits, scale)
_SUFFIX = [
    ("_km2", "km²", 2, 1.0), ("_m2", "m²", 1, 1.0), ("_km", "km", 2, 1.0),
    ("_wh", "Wh", 0, 1.0), ("_w", "W", 1, 1.0), ("_kg", "kg", 2, 1.0),
    ("_h", "h", 1, 1.0), ("_s", "s", 1, 1.0), ("_d", "d", 1, 1.0), ("_k", "K", 1, 1.0),
    ("_deg", "°", 3, 1.0), ("_fraction", "%", 1, 100.0), ("_percent", "%", 1, 1.0),
    ("_m_s", "m/s", 3, 1.0), ("_mps", "m/s", 3, 1.0), ("_wt_pct", "wt%", 2, 1.0),
    ("_ppm", "ppm", 0, 1.0), ("_mb", "MB", 1, 1.0), ("_days", "d", 1, 1.0), ("_kg_m3", "kg/m³", 1, 1.0), ("_m", "m", 1, 1.0),
]
_WORDS = {"soc": "state of charge", "psr": "PSR", "utc": "UTC", "h2o": "H₂O", "mc": "Monte Carlo"}


def label(key: str) -> str:
    """A readable label from a snake_case key without its unit suffix."""
    k = key
    for suf, *_ in _SUFFIX:
        if k.lower().endswith(suf) and suf != "_fraction":
            k = k[: -len(suf)]
            break
    words = [_WORDS.get(w.lower(), w) for w in k.split("_") if w]
    text = " ".join(words)
    return text[:1].upper() + text[1:] if text else key


def spec(key: str) -> tuple[str, int, float]:
    """(unit, decimals, scale) for a key by its suffix; ("", 3, 1) when it has none."""
    for suf, unit, digits, scale in _SUFFIX:
        if key.lower().endswith(suf):
            return unit, digits, scale
    return "", 3, 1.0


def unit_of(key: str) -> str:
    """The unit a key's suffix names ("" when none)."""
    for suf, unit, _, _ in _SUFFIX:
        if key.lower().endswith(suf):
            return unit
    return ""


def number(v: float, digits: int = 3) -> str:
    """A float with ``digits`` decimals, thousands separated; very large/small in 3 s.f."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "–"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return f"{v:,}".replace(",", " ")
    a = abs(v)
    if a != 0 and (a >= 1e7 or a < 10 ** (-digits)):
        return f"{v:.3g}"
    return f"{v:,.{digits}f}".replace(",", " ")


def value(key: str, v: Any) -> str:
    """``v`` formatted for the quantity ``key`` (HTML-escaped text, with its unit)."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "–"
    if isinstance(v, dict):
        return "; ".join(f"{html.escape(str(k))}: {value(key, x)}" for k, x in v.items())
    if isinstance(v, (list, tuple)):
        if len(v) == 2 and all(isinstance(s, str) and "T" in s for s in v):
            return f"{utc(v[0])} to {utc(v[1])}"
        return ", ".join(value(key, x) for x in v)
    if isinstance(v, str):
        return utc(v) if key.lower().endswith("_utc") and "T" in v else html.escape(v)
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, (int, float)):
        for suf, unit, digits, scale in _SUFFIX:
            if key.lower().endswith(suf):
                if suf == "_m" and abs(v) >= 1_000:
                    return f"{number(v / 1000.0, 2)} km"
                sep = "" if unit in ("°", "%") else " "
                return f"{number(v * scale, digits)}{sep}{unit}"
        return number(v, 0 if isinstance(v, int) else 3)
    return html.escape(str(v))


def utc(s: Any) -> str:
    """An ISO UTC time as ``2028-09-01 06:00 UTC``."""
    t = str(s).replace("T", " ").rstrip("Z")
    return (t[:16] if len(t) >= 16 else t) + " UTC"


def latlon(lat: float, lon: float) -> str:
    """``89.930°S, 108.43°W`` (planetocentric)."""
    lon = (lon + 180.0) % 360.0 - 180.0
    return (f"{abs(lat):.3f}°{'S' if lat < 0 else 'N'}, "
            f"{abs(lon):.2f}°{'W' if lon < 0 else 'E'}")


def table(df: Any, *, units: dict[str, str] | None = None, max_rows: int = 25,
          columns: list[str] | None = None, caption: str = "") -> str:
    """An HTML table of a DataFrame: headers with units, values formatted by their column."""
    units = units or {}
    cols = [c for c in (columns or list(df.columns)) if c in df.columns]
    head = []
    for c in cols:
        u = units.get(c) or unit_of(c)
        u = "" if u in ("1", "UTC") else u
        head.append(f"<th>{html.escape(label(c))}{f' [{html.escape(u)}]' if u else ''}</th>")
    rows = []
    for _, r in df[cols].head(max_rows).iterrows():
        cells = []
        for c in cols:
            v = r[c]
            if hasattr(v, "item"):
                v = v.item()
            if isinstance(v, str) and c.endswith("_utc"):
                text = utc(v)
            elif isinstance(v, float) and c in ("lat_deg", "lon_deg"):
                text = f"{v:.4f}"
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                _, digits, scale = spec(c)
                text = number(v, digits) if isinstance(v, int) and scale == 1.0 else \
                    number(float(v) * scale, digits)
            else:
                text = value(c, v)
            cells.append(f"<td>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = (f"<p class='note'>first {max_rows} of {len(df)} rows; all in the CSV.</p>"
            if len(df) > max_rows else "")
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return (f"<div class='tablewrap'><table>{cap}<tr>{''.join(head)}</tr>{''.join(rows)}"
            f"</table></div>{more}")
