"""A spherical bowl crater in a flat plain as a DEM (validation geometry of Ingersoll et al. 1992).

Used by the radiosity tests and benchmarks; the closed-form temperature is
:func:`lupex.thermal.radiosity.ingersoll_bowl_temperature`.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from lupex.errors import check_range
from lupex.io.maps import make_map


def bowl_sphere_radius_m(diameter_m: float, depth_m: float) -> float:
    """Radius of the sphere whose cap has rim diameter D and depth d: (D^2/4 + d^2) / (2 d) [m]."""
    return (diameter_m**2 / 4.0 + depth_m**2) / (2.0 * depth_m)


def spherical_bowl_dem(diameter_m: float, depth_to_diameter: float, *, pixel_m: float,
                       margin_px: int = 3) -> tuple[xr.DataArray, np.ndarray]:
    """A bowl (spherical cap) of rim diameter D and depth d in a flat plain at height 0.

    Returns the DEM (dims y, x; y decreasing; centred on the crater; no CRS) and a boolean
    mask of the pixels whose centres lie inside the rim.
    """
    D = check_range("diameter_m", diameter_m, 0.0, None, lo_open=True, unit="m")
    g = check_range("depth_to_diameter", depth_to_diameter, 0.0, 0.5, lo_open=True)
    d = g * D
    rs = bowl_sphere_radius_m(D, d)
    n = int(np.ceil(D / pixel_m)) + 2 * int(margin_px)
    c = (np.arange(n) - (n - 1) / 2.0) * pixel_m
    x, y = c, c[::-1].copy()
    xx, yy = np.meshgrid(x, y)
    r2 = xx**2 + yy**2
    inside = r2 < (D / 2.0) ** 2
    z = np.where(inside, (rs - d) - np.sqrt(np.maximum(rs**2 - r2, 0.0)), 0.0)
    dem = make_map(z, x=x, y=y, name="elevation_m", units="m",
                   long_name="spherical bowl crater in a flat plain", diameter_m=D, depth_m=d,
                   sphere_radius_m=rs)
    return dem, inside


def spherical_bowl_mesh(diameter_m: float, depth_to_diameter: float, *,
                        n_rings: int = 24) -> tuple[np.ndarray, np.ndarray]:
    """Triangle mesh of the bowl alone: vertices on the sphere, the outer ring on the rim.

    Rings ``k = 1..n_rings`` at radius ``k / n_rings * D / 2`` carry ``6 k`` vertices each (plus
    the centre), triangulated by Delaunay in plan view and lifted onto the sphere, so the
    triangles are near-equilateral, ``6 n_rings^2`` of them. Returns ``(vertices (m, 3) [m],
    triangles (n, 3))`` with counter-clockwise (upward-normal) triangles.
    """
    from scipy.spatial import Delaunay

    D = check_range("diameter_m", diameter_m, 0.0, None, lo_open=True, unit="m")
    g = check_range("depth_to_diameter", depth_to_diameter, 0.0, 0.5, lo_open=True)
    d = g * D
    rs = bowl_sphere_radius_m(D, d)
    pts = [np.zeros((1, 2))]
    for k in range(1, int(n_rings) + 1):
        r = k / n_rings * D / 2.0
        phi = 2 * np.pi * (np.arange(6 * k) + 0.5 * (k % 2)) / (6 * k)
        pts.append(np.stack([r * np.cos(phi), r * np.sin(phi)], axis=-1))
    xy = np.concatenate(pts)
    tri = Delaunay(xy).simplices.astype(np.int64)
    r2 = np.minimum((xy**2).sum(axis=1), (D / 2.0) ** 2)
    z = (rs - d) - np.sqrt(rs**2 - r2)
    verts = np.column_stack([xy, z])
    a, b, c = xy[tri[:, 0]], xy[tri[:, 1]], xy[tri[:, 2]]
    ccw = (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0]) > 0
    tri[~ccw] = tri[~ccw][:, [0, 2, 1]]
    return verts, tri
