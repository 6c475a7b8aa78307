"""A finer DEM nested inside the regional one, around a landing site.

Rover operations happen at the scale of metres (a wheel-sized rock, a 10 m crater, a slope
between two 80 m pixels) while the regional chain runs at tens of metres. This module gives the
mission a nested grid at ``pixel_m`` over a square around the landing site, in the regional
DEM's CRS, in one of two ways:

- :func:`nested_from_file`: a finer DEM of the site (e.g. a LOLA 5 m site product or an
  LROC NAC stereo DTM), cropped to the square; its CRS must be the regional DEM's.
- :func:`refine_dem`: the regional DEM interpolated with a bicubic spline to the finer pixel,
  plus, optionally, the sub-pixel relief the regional grid cannot carry, drawn as a fractal
  continuation of lunar roughness statistics:

  * small craters, cumulative ``N(>D) = C D^-2`` between 3 nested and 3 regional pixels, the same
    population law and degraded profiles as the synthetic terrain (Gault 1970; Melosh 1989;
    Fassett & Thomson 2014, via :mod:`lupex.terrain._craters`);
  * a high-passed fractional Brownian surface (spectral synthesis, Turcotte 1997) with the
    Hurst exponent of the lunar highlands, holding only wavelengths shorter than twice the
    regional pixel, so that the block means of the nested DEM stay those of the regional one;
  * scaled so that crater and fBm detail together add, at the nested baseline ``p``, the RMS
    slope the regional grid cannot represent: ``tan^2 s(p) - tan^2 s(P)`` with
    ``tan s(L) = tan s_ref (L / 25 m)^(H-1)`` (Rosenburg et al. 2011 [1], their RMS slope
    against baseline and Hurst exponent ~0.8 for the highlands).

  The detail is a statistical realisation, not a map: a rover's route over it shows the
  hazards and slopes a real site of that roughness would present, not where they are.
  Without it (``detail=False``) the nested DEM is the regional one made smooth, useful to
  separate sampling from relief.

References
----------
.. [1] Rosenburg, M. A. et al. (2011). Global surface slopes and roughness of the Moon from the
   Lunar Orbiter Laser Altimeter. JGR 116, E02001.
.. [2] Turcotte, D. L. (1997). Fractals and Chaos in Geology and Geophysics, 2nd ed., ch. 7.
"""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np
import xarray as xr

from lupex.errors import InputFileError, ParameterError
from lupex.terrain import _craters
from lupex.terrain.synth import HURST, RMS_SLOPE_REF_DEG, target_rms_slope_deg

MAX_NESTED_SIDE_PX = 4096
"""Largest nested grid side [pixels] (memory of the mission's visibility tables)."""


def _axes(dem: xr.DataArray) -> tuple[np.ndarray, np.ndarray, float, float]:
    x = np.asarray(dem["x"].values, float)
    y = np.asarray(dem["y"].values, float)
    if x.size < 4 or y.size < 4:
        raise ParameterError(f"regional DEM {dem.shape}: a nested grid needs at least 4 x 4 "
                             "regional pixels.")
    return x, y, float(x[1] - x[0]), float(y[1] - y[0])


def nested_window(dem: xr.DataArray, centre_xy: tuple[float, float],
                  half_width_m: float) -> tuple[slice, slice]:
    """Rows/columns of the regional pixels within ``half_width_m`` of ``centre_xy``.

    The window is whole regional pixels (so nested pixels tile them exactly), clipped to the
    DEM; it must keep at least 3 x 3 of them.
    """
    x, y, dx, dy = _axes(dem)
    if not (half_width_m > 0 and math.isfinite(half_width_m)):
        raise ParameterError(f"mission.nested_half_width_m = {half_width_m!r} must be > 0 m.")
    j = np.flatnonzero(np.abs(x - centre_xy[0]) <= half_width_m + 0.5 * abs(dx))
    i = np.flatnonzero(np.abs(y - centre_xy[1]) <= half_width_m + 0.5 * abs(dy))
    if j.size < 3 or i.size < 3:
        raise ParameterError(
            f"the nested grid ({2 * half_width_m:.0f} m across) around ({centre_xy[0]:.0f}, "
            f"{centre_xy[1]:.0f}) m holds fewer than 3 x 3 regional pixels of "
            f"{abs(dx):g} m (or lies off the DEM); enlarge mission.nested_half_width_m or move "
            "the landing point inside the DEM.")
    return slice(int(i[0]), int(i[-1]) + 1), slice(int(j[0]), int(j[-1]) + 1)


def _ratio(regional_px: float, pixel_m: float) -> int:
    if not (pixel_m > 0 and math.isfinite(pixel_m)):
        raise ParameterError(f"mission.nested_pixel_m = {pixel_m!r} must be > 0 m.")
    k = regional_px / pixel_m
    if k < 1.5 or abs(k - round(k)) > 1e-6 * k:
        good = ", ".join(f"{regional_px / n:g}" for n in (2, 4, 5, 8, 10, 16) if regional_px / n
                         >= 0.1)
        raise ParameterError(
            f"mission.nested_pixel_m = {pixel_m:g} m: the regional pixel ({regional_px:g} m) must "
            f"be a whole multiple (at least 2) of it, so nested pixels tile regional ones; use "
            f"e.g. {good} m.")
    return round(k)


def _fbm_highpass(rng: np.random.Generator, n: int, pixel_m: float, cutoff_m: float,
                  hurst: float) -> np.ndarray:
    """Zero-mean fBm on an ``n x n`` periodic grid holding only wavelengths < ``cutoff_m``.

    Spectral synthesis (Turcotte 1997, ch. 7): white noise filtered by ``k^-(H+1)`` (power
    ``k^-(2H+2)``), times a smooth high-pass ``1 - exp(-(k / k_c)^8)`` at ``k_c = 1 / cutoff``.
    Unit amplitude (the caller scales it).
    """
    spec = np.fft.rfft2(rng.standard_normal((n, n)))
    ky = np.fft.fftfreq(n, d=pixel_m)[:, None]
    kx = np.fft.rfftfreq(n, d=pixel_m)[None, :]
    k = np.hypot(kx, ky)
    k[0, 0] = 1.0
    filt = k ** (-(hurst + 1.0)) * (1.0 - np.exp(-((k * cutoff_m) ** 8)))
    filt[0, 0] = 0.0
    return np.fft.irfft2(spec * filt, s=(n, n))


def _smooth_from_blocks(blocks: np.ndarray, xb: np.ndarray, yb: np.ndarray, xn: np.ndarray,
                        yn: np.ndarray) -> np.ndarray:
    """Bicubic (or lower, on small windows) interpolant of block values onto the nested grid."""
    from scipy.interpolate import RectBivariateSpline

    fx = 1 if xb[-1] > xb[0] else -1
    fy = 1 if yb[-1] > yb[0] else -1
    kx, ky = min(3, xb.size - 1), min(3, yb.size - 1)
    spl = RectBivariateSpline(yb[::fy], xb[::fx], blocks[::fy, ::fx], kx=kx, ky=ky, s=0)
    return spl(yn[::fy], xn[::fx])[::fy, ::fx]


def _blocks(a: np.ndarray, k: int) -> np.ndarray:
    """Means over ``k x k`` blocks."""
    ny, nx = a.shape
    return a.reshape(ny // k, k, nx // k, k).mean(axis=(1, 3))


def _grad_products(u: np.ndarray, v: np.ndarray, pixel_m: float) -> tuple[float, float, float]:
    """Mean of grad u . grad u, grad u . grad v, grad v . grad v over the pixel pairs."""
    ux, vx = np.diff(u, axis=1) / pixel_m, np.diff(v, axis=1) / pixel_m
    uy, vy = np.diff(u, axis=0) / pixel_m, np.diff(v, axis=0) / pixel_m
    n = ux.size + uy.size
    return (float((np.sum(ux * ux) + np.sum(uy * uy)) / n),
            float((np.sum(ux * vx) + np.sum(uy * vy)) / n),
            float((np.sum(vx * vx) + np.sum(vy * vy)) / n))


def _tan_rms(z: np.ndarray, pixel_m: float) -> float:
    """RMS one-directional slope (tan) at the pixel baseline, along x and y."""
    dx = np.diff(z, axis=1) / pixel_m
    dy = np.diff(z, axis=0) / pixel_m
    return math.sqrt((np.sum(dx**2) + np.sum(dy**2)) / (dx.size + dy.size))


def refine_dem(dem: xr.DataArray, centre_xy: tuple[float, float], half_width_m: float,
               pixel_m: float, *, detail: bool = True, seed: int = 0, hurst: float = HURST,
               rms_slope_ref_deg: float = RMS_SLOPE_REF_DEG,
               crater_saturation: float = 0.02, order: int = 3) -> xr.DataArray:
    """The regional DEM refined to ``pixel_m`` around ``centre_xy`` (see the module docstring).

    Parameters
    ----------
    dem : DataArray (y, x)
        Regional elevation [m] in a projected lunar CRS.
    centre_xy : (float, float)
        Centre of the nested square [m], in the DEM's CRS.
    half_width_m : float
        Half side of the square [m]; rounded out to whole regional pixels.
    pixel_m : float
        Nested pixel [m]; the regional pixel must be a whole multiple (>= 2) of it.
    detail : bool
        Add the sub-pixel craters and fBm roughness (else the bicubic interpolant only).
    seed : int
        Seed of the detail (numpy ``PCG64`` streams spawned from it).
    hurst, rms_slope_ref_deg, crater_saturation : float
        Roughness statistics: Hurst exponent, RMS slope at 25 m [deg] (Rosenburg et al. 2011:
        ~7.5 deg for the polar highlands) and crater density as a fraction of geometric
        saturation.
    order : int
        Spline order of the interpolation: 3 (bicubic, smooth slopes for driving) or 1
        (bilinear: the surface the horizon engine draws between regional pixel centres).

    Returns
    -------
    DataArray
        ``elevation_m`` (y, x) float32 in the regional CRS; attrs record the source, the ratio,
        the seed and the RMS slopes added and measured.
    """
    from scipy.interpolate import RectBivariateSpline

    from lupex.io.maps import make_map

    x, y, dx, dy = _axes(dem)
    k = _ratio(abs(dx), pixel_m)
    if int(seed) < 0:
        raise ParameterError(f"mission.nested_seed = {seed!r} must be >= 0.")
    rs, cs = nested_window(dem, centre_xy, half_width_m)
    nr, nc = rs.stop - rs.start, cs.stop - cs.start
    if max(nr, nc) * k > MAX_NESTED_SIDE_PX:
        raise ParameterError(
            f"the nested grid would be {nr * k} x {nc * k} pixels (more than "
            f"{MAX_NESTED_SIDE_PX} a side); use a larger mission.nested_pixel_m or a smaller "
            "mission.nested_half_width_m.")
    p = abs(dx) / k
    # nested pixel centres tile the regional pixels of the window exactly
    sub = (np.arange(k) + 0.5) / k - 0.5
    xn = (x[cs][:, None] + sub[None, :] * dx).ravel()
    yn = (y[rs][:, None] + sub[None, :] * dy).ravel()
    # bicubic interpolating spline through the regional pixel centres (3 pixels of margin so
    # the window's edge is not the spline's)
    m = 3
    r0, r1 = max(rs.start - m, 0), min(rs.stop + m, y.size)
    c0, c1 = max(cs.start - m, 0), min(cs.stop + m, x.size)
    zr = np.asarray(dem.values[r0:r1, c0:c1], float)
    if not np.all(np.isfinite(zr)):
        raise ParameterError("the regional DEM has holes (NaN) around the landing site; fill "
                             "them (lupex.terrain.fill_holes) before nesting.")
    xa, ya = x[c0:c1], y[r0:r1]
    fx = 1 if xa[-1] > xa[0] else -1
    fy = 1 if ya[-1] > ya[0] else -1
    if order not in (1, 3):
        raise ParameterError(f"refine_dem: order = {order!r}; use 3 (bicubic) or 1 (bilinear).")
    spl = RectBivariateSpline(ya[::fy], xa[::fx], zr[::fy, ::fx], kx=order, ky=order, s=0)
    z = spl(yn[::fy], xn[::fx])[::fy, ::fx]

    attrs: dict[str, Any] = {
        "source": f"lupex.terrain.refine_dem: {dem.attrs.get('source', 'regional DEM')} "
                  f"({abs(dx):g} m) refined x{k} to {p:g} m by "
                  + ("bicubic" if order == 3 else "bilinear") + " spline",
        "nested_ratio": k, "regional_pixel_m": abs(dx), "detail": bool(detail)}
    if detail:
        ss = np.random.SeedSequence([int(seed), 0x6E657374])  # "nest"
        rng_crater, rng_rough = (np.random.Generator(np.random.PCG64(s)) for s in ss.spawn(2))
        big = abs(dx)
        target = math.tan(math.radians(target_rms_slope_deg(p, rms_slope_ref_deg=rms_slope_ref_deg,
                                                            hurst=hurst)))
        coarse = math.tan(math.radians(target_rms_slope_deg(big, rms_slope_ref_deg=
                                                            rms_slope_ref_deg, hurst=hurst)))
        t_add = math.sqrt(max(target**2 - coarse**2, 0.0))
        texture = np.zeros(z.shape)
        d_min, d_max = 3.0 * p, 3.0 * big
        if d_max > d_min and crater_saturation > 0:
            margin = d_max
            craters = _craters.sample_population(
                rng_crater, x_range_m=(xn.min() - margin, xn.max() + margin),
                y_range_m=(yn.min() - margin, yn.max() + margin), d_min_m=d_min, d_max_m=d_max,
                saturation_fraction=crater_saturation)
            _craters.stamp_craters(texture, xn, yn, craters)
            n_craters = int(craters["x_m"].size)
        else:
            n_craters = 0
        n = max(z.shape)
        rough = _fbm_highpass(rng_rough, n, p, 2.0 * big, hurst)[:z.shape[0], :z.shape[1]]
        # the regional DEM already holds the relief at its own scale: take out of the detail a
        # smooth surface (the bicubic interpolant of its regional-pixel means), so that the
        # block means stay the regional DEM's without steps at the block edges
        u = texture - _smooth_from_blocks(_blocks(texture, k), x[cs], y[rs], xn, yn)
        v = rough - _smooth_from_blocks(_blocks(rough, k), x[cs], y[rs], xn, yn)
        # fBm amplitude a: |grad(u + a v)|_rms = t_add (a quadratic in a), the fBm carrying at
        # least half of it
        ga, gb, gc = _grad_products(u, v, p)
        a_min = 0.5 * t_add / math.sqrt(gc) if gc > 0 else 0.0
        disc = gb * gb - gc * (ga - t_add**2)
        a = (-gb + math.sqrt(disc)) / gc if gc > 0 and disc >= 0 else a_min
        texture = u + max(a, a_min) * v
        z = z + texture
        attrs.update(seed=int(seed), hurst=float(hurst), rms_slope_ref_deg=float(rms_slope_ref_deg),
                     n_detail_craters=n_craters, detail_d_min_m=d_min, detail_d_max_m=d_max,
                     detail_rms_slope_deg=round(math.degrees(math.atan(_tan_rms(texture, p))), 3),
                     target_detail_rms_slope_deg=round(math.degrees(math.atan(t_add)), 3),
                     references="Rosenburg et al. 2011 JGR 116:E02001; Turcotte 1997; "
                                "Melosh 1989; Fassett & Thomson 2014")
    crs = dem.rio.crs if hasattr(dem, "rio") else None
    return make_map(z.astype(np.float32), x=xn, y=yn, crs=crs, name="elevation_m", units="m",
                    long_name="nested elevation above the 1737.4 km lunar sphere", **attrs)


def _same_projection(a: Any, b: Any) -> bool:
    """Same CRS, or the same projection on the same sphere (a GeoTIFF round trip renames an
    IAU code's WKT without changing it)."""
    import warnings

    if a.equals(b, ignore_axis_order=True):
        return True
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return a.to_proj4() == b.to_proj4()


def nested_from_file(path: str | os.PathLike[str], dem: xr.DataArray,
                     centre_xy: tuple[float, float], half_width_m: float) -> xr.DataArray:
    """A finer site DEM, cropped to the nested square around ``centre_xy``.

    The file must be in the regional DEM's CRS, finer than it, and cover the square (whole
    regional pixels, as :func:`nested_window`); holes are filled as :func:`read_dem` does.
    """
    from lupex.terrain.dem import read_dem
    from lupex.terrain.geometry import dem_crs

    fine = read_dem(path)
    x, y, dx, dy = _axes(dem)
    fx = np.asarray(fine["x"].values, float)
    fy = np.asarray(fine["y"].values, float)
    p = abs(float(fx[1] - fx[0])) if fx.size > 1 else float("inf")
    if not p < abs(dx):
        raise InputFileError(f"{path}: pixel {p:g} m is not finer than the regional DEM's "
                             f"{abs(dx):g} m; give a finer site DEM or use nested_pixel_m alone.")
    same = _same_projection(dem_crs(fine), dem_crs(dem))
    if not same:
        raise InputFileError(f"{path}: its CRS is not the regional DEM's; reproject it first "
                             "(gdalwarp -t_srs with the regional DEM's CRS).")
    rs, cs = nested_window(dem, centre_xy, half_width_m)
    xlo, xhi = sorted((x[cs.start] - 0.5 * dx, x[cs.stop - 1] + 0.5 * dx))
    ylo, yhi = sorted((y[rs.start] - 0.5 * dy, y[rs.stop - 1] + 0.5 * dy))
    jj = np.flatnonzero((fx >= xlo) & (fx <= xhi))
    ii = np.flatnonzero((fy >= ylo) & (fy <= yhi))
    covered = (fx.min() - p <= xlo and fx.max() + p >= xhi and fy.min() - p <= ylo
               and fy.max() + p >= yhi)
    if not covered or jj.size < 3 or ii.size < 3:
        raise InputFileError(
            f"{path}: covers x {fx.min():.0f}..{fx.max():.0f} m, y {fy.min():.0f}..{fy.max():.0f}"
            f" m but the nested grid needs x {xlo:.0f}..{xhi:.0f} m, y {ylo:.0f}..{yhi:.0f} m; "
            "give a larger site DEM or a smaller mission.nested_half_width_m.")
    out = fine.isel(y=slice(ii[0], ii[-1] + 1), x=slice(jj[0], jj[-1] + 1))
    if not np.all(np.isfinite(out.values)):
        raise InputFileError(f"{path}: holes (NaN) remain inside the nested square after "
                             "filling; fill them (gdal_fillnodata) or choose another site.")
    out.attrs["source"] = f"site DEM {path}"
    return out
