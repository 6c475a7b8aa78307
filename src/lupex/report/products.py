"""Read a run folder through its manifest (``run.json``): the report and the viewer never glob.

Small helpers over :class:`lupex.io.runfolder.RunFolder`: find a product by stage, kind and file
stem, the run's time window, the terrain map, and a map read at a bounded size.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from lupex.errors import InputFileError
from lupex.io.runfolder import RunFolder


def open_run(run_dir: str | os.PathLike[str]) -> RunFolder:
    """Open an existing run folder (``InputFileError`` naming the fix when it is not one)."""
    return RunFolder(run_dir, create=False)


def stem(product: dict[str, Any]) -> str:
    """File name of a product without folder and suffix (``maps/psr.tif`` -> ``psr``)."""
    return Path(product["path"]).stem


def find(rf: RunFolder, *, kind: str | None = None, stage: str | None = None,
         name: str | None = None, suffix: str | None = None) -> dict[str, Any] | None:
    """The first registered product matching all given filters (``name`` is the file stem)."""
    for p in rf.products(stage=stage, kind=kind):
        if name is not None and stem(p) != name:
            continue
        if suffix is not None and not p["path"].lower().endswith(suffix):
            continue
        if (rf.path / p["path"]).exists():
            return p
    return None


def maps(rf: RunFolder) -> list[dict[str, Any]]:
    """The registered GeoTIFF maps that exist on disk, in registration order."""
    return [p for p in rf.products(kind="map")
            if p["path"].lower().endswith((".tif", ".tiff")) and (rf.path / p["path"]).exists()]


def dem_product(rf: RunFolder) -> dict[str, Any] | None:
    """The terrain elevation map (stage ``terrain``, units m), else the first map in metres."""
    for p in maps(rf):
        if p["stage"] == "terrain" and p.get("units") == "m":
            return p
    return next((p for p in maps(rf) if p.get("units") == "m"), None)


def window(rf: RunFolder) -> tuple[np.datetime64, np.datetime64] | None:
    """The run's time window: the scenario's ``window`` table, else the union of the products'
    ``time_range``; None when neither is known."""
    sc = rf.manifest.get("scenario") or {}
    w = sc.get("window") if isinstance(sc, dict) else None
    if isinstance(w, dict) and w.get("start") and w.get("stop"):
        return _utc(w["start"]), _utc(w["stop"])
    spans = [p["time_range"] for p in rf.products() if p.get("time_range")]
    if not spans:
        return None
    return min(_utc(s[0]) for s in spans), max(_utc(s[1]) for s in spans)


def _utc(s: str) -> np.datetime64:
    return np.datetime64(str(s).rstrip("Z").replace(" ", "T"), "s")


def read_map(rf: RunFolder, product: dict[str, Any], *, max_px: int | None = None) -> Any:
    """Read a registered map as an ``xarray.DataArray`` (y, x), decimated to at most ``max_px``
    pixels a side (every n-th pixel, so values are exact samples, not averages)."""
    import rioxarray

    path = rf.path / product["path"]
    try:
        da = rioxarray.open_rasterio(path, masked=True).squeeze("band", drop=True)
    except Exception as exc:  # rasterio raises its own error types
        raise InputFileError(f"{path}: not a readable GeoTIFF ({exc}); rerun the stage "
                             f"'{product['stage']}'.") from exc
    if max_px:
        s = max(1, int(np.ceil(max(da.shape) / max_px)))
        if s > 1:
            da = da.isel(y=slice(None, None, s), x=slice(None, None, s))
    out = da.load()
    out.attrs.setdefault("units", product.get("units") or "")
    out.attrs["long_name"] = product.get("long_name") or stem(product)
    return out
