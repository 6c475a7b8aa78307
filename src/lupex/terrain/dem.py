"""Read and write lunar DEMs (GeoTIFF and any other GDAL raster) under the map contract.

:func:`read_dem` turns a raster in a projected lunar CRS into a ``(y, x)`` map of elevations [m]
above the 1737.4 km lunar sphere, north-up, with the CRS, ``units="m"``, ``long_name`` and the
source file in ``attrs``. Everything that would make later stages silently wrong is refused with
one :class:`lupex.errors.LupexError` naming the file and the fix: a missing, corrupt or truncated
file; an Earth, geographic, non-metric or missing CRS; a rotated geotransform; an all-nodata band;
elevations outside the Moon's relief; nodata holes too large to interpolate.

Small nodata holes are filled by harmonic (Laplace) interpolation from their rim: the discrete
Laplace equation on the hole pixels with the known neighbours as Dirichlet values. It is exact for
planes, smooth, has no overshoot (maximum principle) and is what ``gdal_fillnodata`` approximates
by inverse-distance weighting. The count of filled pixels and holes is kept in ``attrs``.

References
----------
.. [1] Press, W. H. et al. (2007). Numerical Recipes, 3rd ed., sect. 3.8 (Laplace interpolation
   of missing data).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pyproj
import xarray as xr

from lupex.constants import MOON_RADIUS_M
from lupex.errors import CrsError, DemError, InputFileError, ParameterError
from lupex.terrain.geometry import crs_label, xy_to_latlon_deg

__all__ = ["DEFAULT_FILL_MAX_HOLE_PX", "check_lunar_crs", "fill_holes", "read_dem", "write_dem"]

DEFAULT_FILL_MAX_HOLE_PX: int = 100
"""Largest nodata hole (8-connected pixels) that :func:`read_dem` fills by default.

About a 10 x 10 pixel gap: the size of the interpolation gaps between LOLA tracks in gridded
products. Larger holes would invent terrain that horizons and illumination then trust.
"""

MAX_ABS_ELEVATION_M: float = 25_000.0
"""Elevations beyond +-25 km cannot be heights above the lunar sphere (the Moon's total relief
is about 20 km, Smith et al. 2010 GRL 37 L18204)."""

_LUNAR_RADIUS_TOL_M = 10_000.0  # any lunar sphere/ellipsoid: 1737.4 km +- 10 km
_LONG_NAME = "elevation above the 1737.4 km lunar sphere"


# ----------------------------------------------------------------------------------------------
# CRS checks


def check_lunar_crs(crs: Any, *, name: str = "map") -> pyproj.CRS:
    """Return ``crs`` as a :class:`pyproj.CRS` if it is a projected lunar CRS in metres.

    A CRS is lunar if its ellipsoid's semi-major axis is within 10 km of 1737.4 km.

    Parameters
    ----------
    crs : any
        Anything :meth:`pyproj.CRS.from_user_input` understands.
    name : str
        File or map name used in error messages.

    Raises
    ------
    lupex.errors.CrsError
        Missing, unparsable, Earth (or other body), geographic or non-metre CRS.
    """
    if crs is None:
        raise CrsError(f"{name}: the raster has no CRS. If it is the Moon's south polar "
                       "stereographic grid, pass --crs IAU_2015:30135 (crs='IAU_2015:30135' in "
                       "Python; IAU_2015:30130 for the north pole), or assign it with "
                       "gdal_edit.py -a_srs IAU_2015:30135.")
    try:
        c = crs if isinstance(crs, pyproj.CRS) else pyproj.CRS.from_user_input(
            crs.to_wkt() if hasattr(crs, "to_wkt") else crs)
    except pyproj.exceptions.CRSError as exc:
        raise CrsError(f"{name}: CRS {crs!r} is not understood by PROJ ({exc}); use e.g. "
                       "IAU_2015:30135 for the Moon's south polar stereographic grid.") from None
    label = crs_label(c)
    ell = c.ellipsoid
    a = ell.semi_major_metre if ell is not None else float("nan")
    if not abs(a - MOON_RADIUS_M) <= _LUNAR_RADIUS_TOL_M:
        body = "an Earth CRS" if abs(a - 6_378_137.0) < 30_000.0 else (
            f"not a lunar CRS: its ellipsoid '{ell.name if ell else '?'}' has a semi-major axis "
            f"of {a / 1000.0:.1f} km, the Moon's is 1737.4 km")
        raise CrsError(f"{name}: CRS is {label} ({body}). lupex needs a lunar CRS such as "
                       "IAU_2015:30135; reproject with gdalwarp or pass --crs.")
    if c.is_geographic or not c.is_projected:
        raise CrsError(f"{name}: CRS {label} is a geographic lunar CRS (degrees); lupex needs a "
                       "projected CRS in metres. Reproject with "
                       f"gdalwarp -t_srs IAU_2015:30135 {name} out.tif (south polar stereographic).")
    units = {ax.unit_name for ax in c.axis_info[:2]}
    factors = {ax.unit_conversion_factor for ax in c.axis_info[:2]}
    if factors != {1.0}:
        raise CrsError(f"{name}: CRS {label} has axis units {sorted(units)}; lupex needs metres. "
                       "Reproject with gdalwarp -t_srs IAU_2015:30135.")
    return c


# ----------------------------------------------------------------------------------------------
# hole filling


def fill_holes(values: np.ndarray, *, max_hole_px: int = DEFAULT_FILL_MAX_HOLE_PX,
               name: str = "map", x: np.ndarray | None = None, y: np.ndarray | None = None,
               crs: Any = None) -> tuple[np.ndarray, int, int]:
    """Fill NaN holes of up to ``max_hole_px`` pixels by Laplace interpolation from their rim.

    Holes are 8-connected groups of NaN pixels (a hole touching the edge is a hole too; the
    interpolation then has a zero-gradient edge). Each is solved as the discrete Laplace equation
    (5-point stencil) with the known 4-neighbours as boundary values, all holes in one sparse
    system (scipy.sparse.linalg.spsolve).

    Parameters
    ----------
    values : ndarray (ny, nx)
        Elevations [m] with NaN for nodata.
    max_hole_px : int
        Largest hole filled [pixels]; 0 refuses every hole.
    name : str
        File name for messages.
    x, y, crs : optional
        Pixel-centre coordinates [m] and CRS, used to say where a refused hole is.

    Returns
    -------
    filled : ndarray (ny, nx), float64
    n_pixels, n_holes : int
        Pixels and holes filled.

    Raises
    ------
    lupex.errors.DemError
        If every pixel is NaN or a hole is larger than ``max_hole_px``.
    """
    from scipy import ndimage

    z = np.array(values, dtype=float)
    nan = ~np.isfinite(z)
    if not nan.any():
        return z, 0, 0
    if nan.all():
        raise DemError(f"{name}: every pixel is nodata/NaN; check the band (--band), the nodata "
                       "value, or the crop window.")
    labels, n = ndimage.label(nan, structure=np.ones((3, 3), bool))
    sizes = np.bincount(labels.ravel())[1:]
    big = np.flatnonzero(sizes > max_hole_px) + 1
    if big.size:
        worst = int(big[np.argmax(sizes[big - 1])])
        cy, cx = ndimage.center_of_mass(nan, labels, worst)
        where = f"centred at row {cy:.0f}, column {cx:.0f}"
        if x is not None and y is not None and len(x) > 1 and len(y) > 1:
            xm = float(x[0] + cx * (x[1] - x[0]))
            ym = float(y[0] + cy * (y[1] - y[0]))
            where = f"centred at x = {xm / 1000.0:+.2f} km, y = {ym / 1000.0:+.2f} km"
            if crs is not None:
                lat, lon = xy_to_latlon_deg(np.array([xm]), np.array([ym]), crs)
                where += (f" ({abs(lat[0]):.3f} {'S' if lat[0] < 0 else 'N'}, "
                          f"{abs(lon[0]):.3f} {'W' if lon[0] < 0 else 'E'})")
        others = f" and {big.size - 1} more holes larger than the limit" if big.size > 1 else ""
        raise DemError(
            f"{name}: a nodata hole of {int(sizes[worst - 1])} pixels {where}{others} is larger "
            f"than the {max_hole_px}-pixel limit for interpolation. Fill it with "
            f"gdal_fillnodata.py -md <pixels> {name} filled.tif, crop the DEM to avoid it, or raise "
            "the limit (--fill-max-hole-px / fill_max_hole_px=) if inventing that terrain is acceptable.")
    z[nan] = _laplace_fill(z, nan)
    return z, int(nan.sum()), int(n)


def _laplace_fill(z: np.ndarray, nan: np.ndarray) -> np.ndarray:
    """Values at the ``nan`` pixels solving the 5-point Laplace equation (Dirichlet rim)."""
    from scipy import sparse
    from scipy.sparse.linalg import spsolve

    ny, nx = z.shape
    rows, cols = np.nonzero(nan)
    n = rows.size
    idx = np.full(z.shape, -1, dtype=np.int64)
    idx[rows, cols] = np.arange(n)
    diag = np.zeros(n)
    rhs = np.zeros(n)
    a_i: list[np.ndarray] = []
    a_j: list[np.ndarray] = []
    for di, dj in ((-1, 0), (1, 0), (0, -1), (0, 1)):
        r2, c2 = rows + di, cols + dj
        inside = (r2 >= 0) & (r2 < ny) & (c2 >= 0) & (c2 < nx)
        p = np.flatnonzero(inside)
        q_r, q_c = r2[inside], c2[inside]
        diag[p] += 1.0
        q_idx = idx[q_r, q_c]
        hole = q_idx >= 0
        a_i.append(p[hole])
        a_j.append(q_idx[hole])
        np.add.at(rhs, p[~hole], z[q_r[~hole], q_c[~hole]])
    i = np.concatenate([np.arange(n), *a_i])
    j = np.concatenate([np.arange(n), *a_j])
    v = np.concatenate([diag, *(-np.ones(a.size) for a in a_i)])
    a = sparse.csr_matrix((v, (i, j)), shape=(n, n))
    return np.asarray(spsolve(a, rhs), dtype=float)


# ----------------------------------------------------------------------------------------------
# reading


def read_dem(path: str | os.PathLike[str], *, units: str = "m", crs: Any = None,
             fill_max_hole_px: int = DEFAULT_FILL_MAX_HOLE_PX, band: int = 1) -> xr.DataArray:
    """Read a lunar DEM raster into a ``(y, x)`` elevation map [m].

    Parameters
    ----------
    path : path-like
        Any raster GDAL reads (GeoTIFF, PDS4/ISIS cubes with a CRS, ...), in a projected lunar
        CRS in metres, e.g. IAU_2015:30135 (south polar stereographic on the 1737.4 km sphere).
    units : {"m", "km"}
        Units of the stored elevations; ``"km"`` multiplies them by 1000.
    crs : optional
        CRS to use instead of the file's (for files that carry none), e.g. ``"IAU_2015:30135"``.
    fill_max_hole_px : int
        Nodata holes up to this many 8-connected pixels are filled by Laplace interpolation
        (counted in ``attrs["filled_pixels"]`` and ``attrs["filled_holes"]``); larger holes are
        refused with their location. ``0`` refuses any hole. Default
        :data:`DEFAULT_FILL_MAX_HOLE_PX` (100).
    band : int
        Band number (1-based).

    Returns
    -------
    DataArray (y, x)
        Elevations [m] above the lunar reference sphere, float32 (float64 if stored so), north-up
        (``y`` decreasing, ``x`` increasing), pixel-centre coordinates [m], CRS written with
        rioxarray; attrs ``units``, ``long_name``, ``source_file``, ``source_units``,
        ``filled_pixels``, ``filled_holes``, ``nodata_pixels`` and any attrs saved by
        :func:`write_dem`.

    Raises
    ------
    lupex.errors.InputFileError
        Missing, unreadable, corrupt or truncated file; band out of range.
    lupex.errors.CrsError
        Missing, Earth, geographic or non-metre CRS.
    lupex.errors.DemError
        Rotated geotransform, all nodata, holes too large, elevations outside the Moon's relief.
    """
    import rasterio
    from rasterio.errors import RasterioError

    from lupex.io.maps import make_map

    p = Path(path)
    name = p.name
    if units not in ("m", "km"):
        raise ParameterError(f"units = {units!r}: use 'm' or 'km' (--units).")
    if fill_max_hole_px < 0:
        raise ParameterError(f"fill_max_hole_px = {fill_max_hole_px}: must be >= 0.")
    if not p.exists():
        raise InputFileError(f"{p}: file not found; check the path.")
    if p.is_dir():
        raise InputFileError(f"{p}: is a folder, not a raster file; give the DEM file itself.")
    try:
        with rasterio.open(p) as ds:
            if not 1 <= band <= ds.count:
                raise InputFileError(f"{name}: band {band} does not exist (the file has {ds.count} "
                                     f"band(s)); pass --band 1..{ds.count}.")
            file_crs = ds.crs
            transform = ds.transform
            tags = ds.tags()
            band_units = (ds.units[band - 1] or "") if ds.units else ""
            scale = (ds.scales[band - 1] if ds.scales else 1.0) or 1.0
            offset = (ds.offsets[band - 1] if ds.offsets else 0.0) or 0.0
            src_dtype = np.dtype(ds.dtypes[band - 1])
            width, height = ds.width, ds.height
            raw = ds.read(band, masked=True)
    except InputFileError:
        raise
    except (RasterioError, OSError, ValueError) as exc:
        why = str(exc.__cause__ or exc).strip()[:200]
        raise InputFileError(
            f"{name}: not a readable raster DEM (corrupt, truncated, or not a GDAL raster format: "
            f"{why}). Re-download or re-export it, e.g. as GeoTIFF with "
            f"gdal_translate.") from None

    use_crs = crs if crs is not None else (file_crs if file_crs else None)
    c = check_lunar_crs(use_crs, name=name)
    label = crs_label(c)
    if label.startswith("IAU_2015:") and not c.to_authority(min_confidence=70):
        c = pyproj.CRS.from_user_input(label)  # GDAL's WKT1 drops the IAU code; restore it

    a, b, x0, d, e, y0 = transform.a, transform.b, transform.c, transform.d, transform.e, transform.f
    if b != 0.0 or d != 0.0:
        raise DemError(f"{name}: the geotransform is rotated or sheared (terms {b:g}, {d:g}); lupex "
                       "needs north-up pixels. Resample with gdalwarp -t_srs IAU_2015:30135 "
                       f"{name} out.tif.")
    if a == 0.0 or e == 0.0:
        raise DemError(f"{name}: the geotransform has a zero pixel size; the file has no usable "
                       "georeferencing. Assign it with gdal_edit.py -a_ullr or gdal_translate.")
    x = x0 + (np.arange(width) + 0.5) * a
    y = y0 + (np.arange(height) + 0.5) * e

    dtype = np.float64 if src_dtype == np.float64 else np.float32
    data = np.ma.filled(raw.astype(np.float64), np.nan)
    if scale != 1.0 or offset != 0.0:
        data = data * scale + offset
    nodata_px = int((~np.isfinite(data)).sum())
    if units == "m" and band_units.strip().lower() in ("km", "kilometre", "kilometer", "kilometres",
                                                     "kilometers"):
        raise DemError(f"{name}: band unit is '{band_units}'; pass --units km (units='km').")
    if units == "km":
        data = data * 1000.0
    finite = np.isfinite(data)
    if finite.any():
        zmin, zmax = float(np.min(data[finite])), float(np.max(data[finite]))
        if max(abs(zmin), abs(zmax)) > MAX_ABS_ELEVATION_M:
            hint = (" The values look like radii: subtract 1737400 m (gdal_calc.py "
                    "--calc='A-1737400')." if zmin > 1.0e6 else
                    " If the file stores kilometres pass --units km; if metres, check the nodata "
                    "value (gdal_edit.py -a_nodata).")
            raise DemError(f"{name}: elevations span {zmin:.6g} to {zmax:.6g} m, outside the Moon's "
                           f"relief (+-{MAX_ABS_ELEVATION_M / 1000:.0f} km about the 1737.4 km "
                           f"sphere).{hint}")
    filled, n_px, n_holes = fill_holes(data, max_hole_px=fill_max_hole_px, name=name, x=x, y=y,
                                       crs=c)
    if e > 0:  # south-up file: flip to the north-up contract
        filled, y = filled[::-1], y[::-1]
    if a < 0:
        filled, x = filled[:, ::-1], x[::-1]

    saved: dict[str, Any] = {}
    if "lupex_attrs" in tags:
        try:
            saved = dict(json.loads(tags["lupex_attrs"]))
        except (ValueError, TypeError):
            saved = {}
    attrs: dict[str, Any] = {k: v for k, v in saved.items()
                             if k not in ("units", "long_name", "source_file", "name")}
    attrs.update(
        source_file=str(p),
        source_units=units,
        crs_name=c.name,
        nodata_pixels=nodata_px,
        filled_pixels=n_px,
        filled_holes=n_holes,
        fill_max_hole_px=int(fill_max_hole_px),
    )
    if "LUPEX_PROVENANCE" in tags:
        attrs["source_provenance"] = tags["LUPEX_PROVENANCE"]
    if "DESCRIPTION" in tags:
        attrs.setdefault("description", tags["DESCRIPTION"])
    da = make_map(filled.astype(dtype), x=x, y=y, crs=c.to_wkt(),
                  name=str(saved.get("name", "elevation")), units="m",
                  long_name=str(saved.get("long_name", _LONG_NAME)), **attrs)
    return da


# ----------------------------------------------------------------------------------------------
# writing


def write_dem(da: xr.DataArray, path: str | os.PathLike[str], *,
              provenance: dict[str, Any] | None = None) -> Path:
    """Write an elevation map [m] to a Cloud-Optimized GeoTIFF (atomic, with provenance).

    The map's scalar ``attrs`` are stored as GDAL metadata and, as JSON, in the ``lupex_attrs``
    tag, so :func:`read_dem` gives them back with their types.

    Parameters
    ----------
    da : DataArray (y, x)
        Elevations [m] with a lunar CRS.
    path : path-like
        Output ``.tif``.
    provenance : dict, optional
        Record from :func:`lupex.io.provenance.provenance`; one naming ``write_dem`` is made if
        none is given.

    Returns
    -------
    Path
    """
    from lupex.io.geotiff import write_geotiff
    from lupex.io.provenance import provenance as make_provenance

    name = str(da.attrs.get("source_file", da.name or "map"))
    if tuple(da.dims) != ("y", "x"):
        raise DemError(f"{name}: write_dem needs dims ('y', 'x'), got {tuple(da.dims)}; use "
                       "da.transpose('y', 'x').")
    check_lunar_crs(da.rio.crs, name=name)
    keep = {k: (v.item() if isinstance(v, np.generic) else v) for k, v in da.attrs.items()}
    keep = {k: v for k, v in keep.items() if isinstance(v, (str, int, float, bool))}
    keep["name"] = str(da.name or "elevation")
    out = da.copy()
    out.attrs = dict(da.attrs)
    out.attrs["lupex_attrs"] = json.dumps(keep)
    out.attrs.setdefault("units", "m")
    if provenance is None:
        provenance = make_provenance("lupex.terrain.write_dem", path=str(path),
                                     source=da.attrs.get("source_file", ""))
    return write_geotiff(out, path, provenance=provenance)
