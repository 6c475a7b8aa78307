"""Cold-trap and ice-stability-depth maps from the maps of :func:`lupex.thermal.thermal_maps`.

The thresholds use the maximum temperature over the thermal window: run the thermal stage over
at least a full year for the annual maximum that the definitions ask for.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr

from lupex.errors import ParameterError
from lupex.volatiles.stability import CLASS_NAMES, ice_stability_depth
from lupex.volatiles.sublimation import cold_trap_map, stability_temperature_k
from lupex.volatiles.vapor_pressure import get_species


def volatile_maps(thermal: xr.Dataset, *, species: Sequence[str] = ("H2O", "CO2"),
                  loss_mm_per_gyr: float = 1.0) -> xr.Dataset:
    """Cold traps per species and the water-ice stability depth.

    Parameters
    ----------
    thermal : Dataset
        Output of :func:`lupex.thermal.thermal_maps` (needs ``t_surface_max_k`` and, for the
        depth, ``t_max_nodes_k``).
    species : sequence of str
        Species for the cold-trap masks (see :data:`lupex.volatiles.SPECIES`).
    loss_mm_per_gyr : float
        Loss rate that defines stability [mm per Gyr].

    Returns
    -------
    Dataset
        ``cold_trap_<species>`` (y, x) uint8 (1 = trap, 0 = not, 255 = no data),
        ``ice_stability_depth_m`` (y, x) float32 (NaN where none) and ``ice_stability_class``
        (y, x) int8 with the codes of :mod:`lupex.volatiles.stability`.
    """
    from lupex.io.maps import make_map

    if "t_surface_max_k" not in thermal:
        raise ParameterError("volatile_maps: the thermal dataset has no t_surface_max_k; "
                             "run lupex.thermal.thermal_maps first.")
    tmax = thermal["t_surface_max_k"]
    nodata = ~np.isfinite(tmax.values)
    crs = tmax.rio.crs
    common = dict(x=tmax["x"].values, y=tmax["y"].values, crs=crs, loss_mm_per_gyr=loss_mm_per_gyr,
                  window_start=str(thermal.attrs.get("start")), window_stop=str(thermal.attrs.get("stop")))
    out = {}
    for key in species:
        sp = get_species(key)
        trap = np.asarray(cold_trap_map(tmax.values, sp, loss_mm_per_gyr), dtype=np.uint8)
        trap[nodata] = 255
        t_stab = stability_temperature_k(sp, loss_mm_per_gyr)
        out[f"cold_trap_{sp.key}"] = make_map(
            trap, name=f"cold_trap_{sp.key}", units="1",
            long_name=f"{sp.key} cold trap: max surface T < {t_stab:.2f} K (1 = trap, 255 = no data)",
            stability_temperature_k=t_stab, vapor_pressure_source=sp.source, **common)
    if "t_max_nodes_k" in thermal:
        t = thermal["t_max_nodes_k"].transpose("y", "x", "node_depth_m")
        depth, cls = ice_stability_depth(t.values, t["node_depth_m"].values, species="H2O",
                                         loss_mm_per_gyr=loss_mm_per_gyr)
        out["ice_stability_depth_m"] = make_map(
            depth.astype(np.float32), name="ice_stability_depth_m", units="m",
            long_name="shallowest depth where water ice is stable (Siegler et al. 2016)", **common)
        out["ice_stability_class"] = make_map(
            cls, name="ice_stability_class", units="1",
            long_name="ice stability class: " + "; ".join(f"{k} = {v}" for k, v in CLASS_NAMES.items()),
            **common)
    return xr.Dataset(out)


def write_volatile_outputs(ds: xr.Dataset, folder, *, provenance: dict | None = None,
                           shade: xr.DataArray | None = None) -> list:
    """Write :func:`volatile_maps` into a run folder: a GeoTIFF and a PNG quicklook per map.

    ``folder/maps/cold_trap_<species>.tif`` (uint8, nodata 255), ``ice_stability_depth_m.tif``
    (float32, NaN where none) and ``ice_stability_class.tif`` (int8, nodata -1); each with a
    ``.png`` beside it (over a hillshade of ``shade`` when given). Every write is atomic.
    Returns the written paths.
    """
    from pathlib import Path

    from lupex.io.geotiff import write_geotiff
    from lupex.io.quicklook import write_quicklook

    folder = Path(folder)
    written = []
    for name, da in ds.data_vars.items():
        nodata = 255 if name.startswith("cold_trap") else (-1 if name == "ice_stability_class" else None)
        tif = write_geotiff(da, folder / "maps" / f"{name}.tif", provenance=provenance, nodata=nodata)
        written.append(tif)
        view = da.where(da != nodata) if nodata is not None else da
        sh = None
        if shade is not None and shade.shape == da.shape:
            sh = shade
        if name.startswith("cold_trap"):
            png = write_quicklook(view.where(view > 0), tif.with_suffix(".png"), cmap="winter",
                                  vmin=0, vmax=1, shade=sh, title=da.attrs.get("long_name"))
        elif name == "ice_stability_class":
            png = write_quicklook(view, tif.with_suffix(".png"), cmap="viridis_r", vmin=0, vmax=2,
                                  shade=sh, title="water-ice stability class",
                                  colorbar_label="0 stable at the surface, 1 at depth, 2 unstable")
        else:
            png = write_quicklook(view, tif.with_suffix(".png"), cmap="cividis", shade=sh,
                                  title="water-ice stability depth [m] (blank: none within the grid)")
        written.append(png)
    return written
