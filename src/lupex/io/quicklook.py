"""PNG quicklooks of maps (a picture beside every GeoTIFF), written atomically."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import xarray as xr

from lupex.io.atomic import atomic_path


def hillshade(elev_m: np.ndarray, dx_m: float, *, azimuth_deg: float = 315.0,
              altitude_deg: float = 30.0) -> np.ndarray:
    """Lambertian hillshade in [0, 1] for display (Horn 1981 gradients via numpy)."""
    gy, gx = np.gradient(np.nan_to_num(elev_m, nan=float(np.nanmean(elev_m))), dx_m)
    az = np.radians(azimuth_deg)
    alt = np.radians(altitude_deg)
    # rows go south (y decreasing), so d/dy(north) = -d/drow
    nx, ny, nz = -gx, gy, np.ones_like(gx)
    norm = np.sqrt(nx**2 + ny**2 + nz**2)
    sx, sy, sz = np.cos(alt) * np.sin(az), np.cos(alt) * np.cos(az), np.sin(alt)
    return np.clip((nx * sx + ny * sy + nz * sz) / norm, 0.0, 1.0)


def write_quicklook(da: xr.DataArray, path: str | os.PathLike[str], *, title: str | None = None,
                    cmap: str = "viridis", vmin: float | None = None, vmax: float | None = None,
                    shade: xr.DataArray | None = None, colorbar_label: str | None = None,
                    max_px: int = 1500) -> Path:
    """Write a PNG picture of a map with axes in km, a colour bar and a title.

    Parameters
    ----------
    da : DataArray
        ``(y, x)`` map in metres.
    path : path-like
        Output ``.png``.
    title, cmap, vmin, vmax, colorbar_label
        Display options; the colour-bar label defaults to ``long_name [units]``.
    shade : DataArray, optional
        An elevation map to hillshade underneath (semi-transparent overlay of ``da``).
    max_px : int
        Maps larger than this on a side are plotted every n-th pixel (the picture has fewer
        pixels than that anyway).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = da["x"].values / 1000.0
    y = da["y"].values / 1000.0
    extent = (x[0] - (x[1] - x[0]) / 2, x[-1] + (x[1] - x[0]) / 2,
              y[-1] + (y[-1] - y[-2]) / 2 if y.size > 1 else y[0],
              y[0] - (y[1] - y[0]) / 2 if y.size > 1 else y[0])
    # a PNG of ~770 x 660 px cannot show more than ~1500 samples a side: stride big maps first
    # (a 10,000^2 map plotted whole took > 10 GB in matplotlib)
    s = max(1, int(np.ceil(max(da.shape[-2:]) / max_px)))
    fig, ax = plt.subplots(figsize=(7.0, 6.0), dpi=110)
    alpha = 1.0
    if shade is not None:
        sh = shade.isel(y=slice(None, None, s), x=slice(None, None, s))
        dx = float(abs(sh["x"].values[1] - sh["x"].values[0]))
        ax.imshow(hillshade(sh.values.astype(float), dx), cmap="gray", extent=extent,
                  origin="upper", interpolation="nearest")
        alpha = 0.6
    vals = np.asarray(da.isel(y=slice(None, None, s), x=slice(None, None, s)).values, dtype=float)
    im = ax.imshow(vals, cmap=cmap, vmin=vmin, vmax=vmax, extent=extent, origin="upper",
                   interpolation="nearest", alpha=alpha)
    label = colorbar_label or f"{da.attrs.get('long_name', da.name or '')} [{da.attrs.get('units', '')}]"
    fig.colorbar(im, ax=ax, label=label, shrink=0.85)
    ax.set_xlabel("x [km] (polar stereographic)")
    ax.set_ylabel("y [km]")
    ax.set_title(title or str(da.attrs.get("long_name", da.name or "")))
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png")
    plt.close(fig)
    return Path(path)
