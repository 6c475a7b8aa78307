"""One look for a map in the report and in the viewer: colour map, value range, kind.

The report (matplotlib) and the viewer (JavaScript, from :func:`colour_stops`) use the same
colour map and range for the same product, so a planner sees the same picture in both.
"""

from __future__ import annotations

from typing import Any

import numpy as np

N_STOPS = 17


def _is_mask(name: str, sample: np.ndarray, dtype: str) -> bool:
    finite = sample[np.isfinite(sample)]
    if name == "psr" or name.startswith("cold_trap"):
        return True
    return dtype in ("uint8", "bool") and finite.size > 0 and bool(np.all(np.isin(finite, (0, 1))))


def map_style(product: dict[str, Any], sample: np.ndarray, *, dtype: str = "float32"
              ) -> dict[str, Any]:
    """Colour map, range and kind of a registered map.

    Parameters
    ----------
    product : dict
        The manifest record (path, stage, units, long_name).
    sample : ndarray
        Values of the map (decimated is fine) for the display range.
    dtype : str
        The raster's data type.

    Returns
    -------
    dict
        ``kind`` ("continuous", "mask" or "class"), ``cmap`` (a matplotlib name), ``vmin``,
        ``vmax`` (the 2nd and 98th percentiles of the finite values for continuous maps, so one
        outlier does not wash out the picture; 0..1 for fractions and masks).
    """
    from pathlib import Path

    name = Path(product["path"]).stem
    units = product.get("units") or ""
    a = np.asarray(sample, float)
    finite = a[np.isfinite(a)]
    if _is_mask(name, a, dtype):
        cmap = "Blues" if name.startswith(("psr", "cold_trap")) else "Greens"
        return {"kind": "mask", "cmap": cmap, "vmin": 0.0, "vmax": 1.0}
    if name.endswith("_class"):
        hi = float(finite.max()) if finite.size else 1.0
        return {"kind": "class", "cmap": "tab10", "vmin": 0.0, "vmax": max(hi, 1.0)}
    if "fraction" in name or (units == "1" and finite.size and finite.min() >= 0
                              and finite.max() <= 1):
        lo, hi = 0.0, 1.0
    elif finite.size:
        lo, hi = (float(v) for v in np.percentile(finite, [2, 98]))
        if hi <= lo:
            lo, hi = float(finite.min()), float(finite.max()) + (1.0 if finite.max() == lo else 0)
    else:
        lo, hi = 0.0, 1.0
    if product.get("stage") == "terrain" and units == "m":
        cmap = "gist_earth"
    elif units == "K":
        cmap = "inferno"
    elif units == "h" or "dark" in name:
        cmap = "magma_r"
    elif "depth" in name:
        cmap = "viridis_r"
    elif "earth" in name:
        cmap = "cividis"
    elif units == "deg":
        cmap = "plasma"
    else:
        cmap = "viridis"
    return {"kind": "continuous", "cmap": cmap, "vmin": lo, "vmax": hi}


def colour_stops(cmap: str, n: int = N_STOPS) -> list[str]:
    """``n`` evenly spaced colours of a matplotlib colour map as ``#rrggbb`` (for the page)."""
    import matplotlib

    cm = matplotlib.colormaps[cmap]
    if cmap == "tab10":
        return [matplotlib.colors.to_hex(cm(i)) for i in range(10)]
    return [matplotlib.colors.to_hex(cm(v)) for v in np.linspace(0.0, 1.0, n)]
