"""Coarser grids of a map: block means that keep the CRS and attributes."""

from __future__ import annotations

import xarray as xr


def block_mean(da: xr.DataArray, block: int) -> xr.DataArray:
    """Mean over blocks of ``block`` x ``block`` pixels (ragged edges dropped).

    The CRS (rioxarray) and ``attrs`` are kept; ``block = 1`` returns ``da`` itself.
    """
    if block == 1:
        return da
    out = da.coarsen(y=block, x=block, boundary="trim").mean()
    out.attrs.update(da.attrs)
    return out.rio.write_crs(da.rio.crs) if da.rio.crs is not None else out
