"""Write illumination maps to a run folder: GeoTIFF (COG) + PNG quicklook per map, atomically.

Shared by ``lupex illumination`` and :class:`lupex.chain.ModelChain` so both lay out a run
folder the same way (``maps/<name>.tif`` and ``maps/<name>.png``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

_LOOKS: dict[str, tuple[str, float | None, float | None]] = {
    "psr": ("Blues", 0, 1),
    "longest_darkness_h": ("magma_r", None, None),
}


def write_illumination_outputs(ds: xr.Dataset, dem: xr.DataArray, run_dir: str | os.PathLike[str],
                               *, provenance: dict[str, Any] | None = None,
                               subtitle: str = "") -> list[str]:
    """Write every map of ``ds`` to ``run_dir/maps`` and return the relative output paths.

    Parameters
    ----------
    ds : Dataset
        Output of :func:`lupex.illumination.illumination_maps`.
    dem : DataArray
        The DEM, hillshaded under the quicklooks.
    run_dir : path-like
        Run folder.
    provenance : dict, optional
        Record stored in each GeoTIFF.
    subtitle : str
        Second title line of the quicklooks (e.g. the window).
    """
    from lupex.io.geotiff import write_geotiff
    from lupex.io.quicklook import write_quicklook

    out = Path(run_dir)
    outputs: list[str] = []
    for name, da in ds.data_vars.items():
        tif = out / "maps" / f"{name}.tif"
        write_geotiff(da, tif, provenance=provenance, nodata=255 if name == "psr" else None)
        cmap, vmin, vmax = _LOOKS.get(str(name), ("inferno", 0, 1))
        shown = da.where(da != 255) if name == "psr" else da
        title = str(da.attrs.get("long_name", name)) + (f"\n{subtitle}" if subtitle else "")
        write_quicklook(shown, tif.with_suffix(".png"), cmap=cmap, vmin=vmin, vmax=vmax,
                        shade=dem, title=title)
        outputs += [f"maps/{name}.tif", f"maps/{name}.png"]
    return outputs


def illumination_summary(ds: xr.Dataset, dem: xr.DataArray) -> dict[str, Any]:
    """Headline numbers of an illumination run (PSR area, best illumination, self-check)."""
    from lupex.illumination.maps import area_km2

    psr = ds["psr"].values == 1
    return {
        "psr_area_km2": area_km2(psr, dem),
        "psr_pixels": int(psr.sum()),
        "psr_span": ds.attrs.get("psr_span"),
        "sun_fraction_mean_max": float(np.nanmax(ds["sun_fraction_mean"].values)),
        "sun_any_fraction_max": float(np.nanmax(ds["sun_any_fraction"].values)),
        "binned_vs_stream_sun_fraction_max_abs":
            ds.attrs.get("binned_vs_stream_sun_fraction_max_abs"),
    }
