"""Local frames of DEM pixels, expressed in one reference frame (pure numpy).

Every pixel ``p`` has a *grid frame*: unit vectors ``E_p`` (grid +x direction in the local
tangent plane), ``N_p`` (grid +y, "grid north") and ``U_p`` (the outward normal of the
1737.4 km sphere). Horizons are stored against grid azimuths (clockwise from grid north), so a
direction ``v`` has grid azimuth ``atan2(E_p.v, N_p.v)`` and elevation ``asin(U_p.v)`` at ``p``.

In a conformal projection (polar stereographic is one) grid north lies at the geographic azimuth
``-c`` where ``c`` is the grid convergence (the grid azimuth of local north, = longitude in
IAU_2015:30135), so with the geographic ENU basis::

    N_p = -sin(c) E_geo + cos(c) N_geo,   E_p = cos(c) E_geo + sin(c) N_geo,   U_p = U_geo.

This stays regular at the pole (where E_geo, N_geo are undefined but ``c = lon`` cancels them).
All kernels work in the grid frame of one *reference point* (the DEM centre): the Sun and Earth
vectors are rotated once per epoch into it, and each pixel carries the 3x3 rotation
``M_p = R_p R_ref^T`` from the reference frame to its own frame, plus its position offset.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from lupex.constants import MOON_RADIUS_M


def grid_frame(lat_deg, lon_deg, convergence_deg) -> np.ndarray:
    """Rows ``(E_grid, N_grid, U)`` of the local grid frame in MOON_ME, shape ``(..., 3, 3)``.

    Parameters
    ----------
    lat_deg, lon_deg : array_like
        Planetocentric latitude and east longitude on the sphere [deg].
    convergence_deg : array_like
        Grid azimuth of local geographic north, clockwise from grid +y [deg].
    """
    lat = np.radians(np.asarray(lat_deg, dtype=float))
    lon = np.radians(np.asarray(lon_deg, dtype=float))
    c = np.radians(np.asarray(convergence_deg, dtype=float))
    lat, lon, c = np.broadcast_arrays(lat, lon, c)
    sl, cl = np.sin(lat), np.cos(lat)
    so, co = np.sin(lon), np.cos(lon)
    e_geo = np.stack([-so, co, np.zeros_like(so)], axis=-1)
    n_geo = np.stack([-sl * co, -sl * so, cl], axis=-1)
    u = np.stack([cl * co, cl * so, sl], axis=-1)
    sc, cc = np.sin(c)[..., None], np.cos(c)[..., None]
    n_grid = -sc * e_geo + cc * n_geo
    e_grid = cc * e_geo + sc * n_geo
    return np.stack([e_grid, n_grid, u], axis=-2)


def sphere_position_m(lat_deg, lon_deg, height_m=0.0) -> np.ndarray:
    """Body-fixed position [m] of points at ``height_m`` above the 1737.4 km sphere, ``(..., 3)``."""
    lat = np.radians(np.asarray(lat_deg, dtype=float))
    lon = np.radians(np.asarray(lon_deg, dtype=float))
    r = MOON_RADIUS_M + np.asarray(height_m, dtype=float)
    return np.stack(np.broadcast_arrays(r * np.cos(lat) * np.cos(lon),
                                        r * np.cos(lat) * np.sin(lon),
                                        r * np.sin(lat)), axis=-1)


@dataclass(frozen=True)
class PixelGeometry:
    """Pixel frames of a map, relative to a reference frame (see the module docstring).

    Attributes
    ----------
    rot : ndarray, (P, 3, 3) float64
        ``M_p``: rows are the pixel's grid-frame axes (E, N, U) in reference-frame coordinates.
    offset_m : ndarray, (P, 3) float64
        Pixel position minus reference position, in reference-frame coordinates [m].
    convergence_deg : ndarray, (P,) float64
        Grid convergence of each pixel [deg] (grid azimuth = geographic azimuth + convergence).
    ref_frame : ndarray, (3, 3)
        Reference grid frame rows in MOON_ME.
    ref_position_m : ndarray, (3,)
        Reference point in MOON_ME [m].
    shape : tuple
        Map shape ``(ny, nx)``; ``P = ny * nx`` in C order.
    """

    rot: np.ndarray
    offset_m: np.ndarray
    convergence_deg: np.ndarray
    ref_frame: np.ndarray
    ref_position_m: np.ndarray
    shape: tuple[int, int]

    def to_reference(self, vectors_me: np.ndarray) -> np.ndarray:
        """Rotate MOON_ME vectors ``(..., 3)`` into the reference grid frame."""
        return np.asarray(vectors_me, dtype=float) @ self.ref_frame.T

    def subset(self, rows: slice, cols: slice) -> PixelGeometry:
        """The geometry of a rectangular window ``[rows, cols]`` (same reference)."""
        ny, nx = self.shape
        idx = np.arange(ny * nx).reshape(ny, nx)[rows, cols]
        flat = idx.ravel()
        return PixelGeometry(self.rot[flat], self.offset_m[flat], self.convergence_deg[flat],
                             self.ref_frame, self.ref_position_m, idx.shape)


def pixel_geometry_from_arrays(lat_deg, lon_deg, convergence_deg, height_m, *,
                               ref_lat_deg: float, ref_lon_deg: float, ref_convergence_deg: float,
                               ref_height_m: float = 0.0) -> PixelGeometry:
    """Build :class:`PixelGeometry` from per-pixel arrays ``(ny, nx)`` (pure numpy).

    Parameters
    ----------
    lat_deg, lon_deg, convergence_deg : ndarray (ny, nx)
        Planetocentric latitude, longitude and grid convergence of each pixel [deg].
    height_m : ndarray (ny, nx) or float
        Observer height above the sphere (DEM elevation + observer height) [m].
    ref_lat_deg, ref_lon_deg, ref_convergence_deg, ref_height_m : float
        The same for the reference point.
    """
    lat = np.asarray(lat_deg, dtype=float)
    shape = lat.shape
    frames = grid_frame(lat, lon_deg, convergence_deg).reshape(-1, 3, 3)
    ref = grid_frame(ref_lat_deg, ref_lon_deg, ref_convergence_deg).reshape(3, 3)
    rot = np.ascontiguousarray(frames @ ref.T)
    pos = sphere_position_m(lat, lon_deg, height_m).reshape(-1, 3)
    ref_pos = sphere_position_m(ref_lat_deg, ref_lon_deg, ref_height_m).reshape(3)
    off = np.ascontiguousarray((pos - ref_pos) @ ref.T)
    conv = np.broadcast_to(np.asarray(convergence_deg, dtype=float), shape).ravel().copy()
    return PixelGeometry(rot, off, conv, ref, ref_pos, (int(shape[0]), int(shape[1])))


@dataclass
class LazyPixelGeometry:
    """The same geometry as :class:`PixelGeometry`, built tile by tile on demand.

    Holds only the DEM and the reference frame, so the memory of a map run is set by its tile,
    not by the DEM (the full :class:`PixelGeometry` costs ~100 bytes per pixel).
    ``subset(rows, cols)`` returns the :class:`PixelGeometry` of a window, identical to
    ``pixel_geometry(dem).subset(rows, cols)``.
    """

    dem: Any
    height_offset_m: float
    ref_lat_deg: float
    ref_lon_deg: float
    ref_convergence_deg: float
    ref_height_m: float
    ref_frame: np.ndarray
    ref_position_m: np.ndarray
    shape: tuple[int, int]

    def to_reference(self, vectors_me: np.ndarray) -> np.ndarray:
        """Rotate MOON_ME vectors ``(..., 3)`` into the reference grid frame."""
        return np.asarray(vectors_me, dtype=float) @ self.ref_frame.T

    def subset(self, rows: slice, cols: slice) -> PixelGeometry:
        """The :class:`PixelGeometry` of the window ``[rows, cols]`` (same reference)."""
        from lupex.terrain.geometry import grid_convergence_deg, latlon_deg

        sub = self.dem.isel(y=rows, x=cols)
        lat, lon = latlon_deg(sub)
        conv = grid_convergence_deg(sub)
        elev = np.nan_to_num(np.asarray(sub.values, dtype=float), nan=0.0)
        return pixel_geometry_from_arrays(lat, lon, conv, elev + self.height_offset_m,
                                          ref_lat_deg=self.ref_lat_deg,
                                          ref_lon_deg=self.ref_lon_deg,
                                          ref_convergence_deg=self.ref_convergence_deg,
                                          ref_height_m=self.ref_height_m)


def pixel_geometry(dem, *, observer_height_m: float = 0.0,
                   reference_xy_m: tuple[float, float] | None = None,
                   lazy: bool = False) -> PixelGeometry | LazyPixelGeometry:
    """:class:`PixelGeometry` of every pixel of a DEM map (terrain.geometry for lat/lon/convergence).

    Parameters
    ----------
    dem : DataArray (y, x)
        Elevations [m] above the 1737.4 km sphere in a projected lunar CRS.
    observer_height_m : float
        Observer height above the surface [m] (positions only; the horizons carry their own).
    reference_xy_m : (x, y), optional
        Reference point in the DEM's CRS [m]; the centre of the map by default.
    lazy : bool
        Return a :class:`LazyPixelGeometry` that builds each tile's geometry on demand.
    """
    from lupex.io.maps import make_map
    from lupex.terrain.geometry import grid_convergence_deg, latlon_deg

    if reference_xy_m is None:
        x = dem["x"].values
        y = dem["y"].values
        reference_xy_m = (float(0.5 * (x[0] + x[-1])), float(0.5 * (y[0] + y[-1])))
    ref = make_map(np.zeros((1, 1)), x=np.array([reference_xy_m[0]]),
                   y=np.array([reference_xy_m[1]]), crs=dem.rio.crs, name="ref", units="m",
                   long_name="reference point")
    rlat, rlon = latlon_deg(ref)
    rconv = grid_convergence_deg(ref)
    rlat_f, rlon_f, rconv_f = (float(rlat.ravel()[0]), float(rlon.ravel()[0]),
                               float(rconv.ravel()[0]))
    ref_h = float(np.nanmean(np.asarray(dem.values, dtype=float))) + observer_height_m
    if lazy:
        frame = grid_frame(rlat_f, rlon_f, rconv_f).reshape(3, 3)
        pos = sphere_position_m(rlat_f, rlon_f, ref_h).reshape(3)
        return LazyPixelGeometry(dem, float(observer_height_m), rlat_f, rlon_f, rconv_f, ref_h,
                                 frame, pos, (int(dem.shape[0]), int(dem.shape[1])))
    lat, lon = latlon_deg(dem)
    conv = grid_convergence_deg(dem)
    elev = np.nan_to_num(np.asarray(dem.values, dtype=float), nan=0.0)
    return pixel_geometry_from_arrays(lat, lon, conv, elev + observer_height_m,
                                      ref_lat_deg=rlat_f, ref_lon_deg=rlon_f,
                                      ref_convergence_deg=rconv_f, ref_height_m=ref_h)
