"""Synthetic lunar south-pole terrain: the embedded default DEM of every demo and many tests.

:func:`synthetic_south_pole` builds a deterministic, lunar-like DEM in the Moon's south polar
stereographic CRS (``IAU_2015:30135``), elevations in metres above the 1737.4 km sphere, as the
sum of four parts, each with its source:

1. a Shackleton-like simple crater at Shackleton's real position (Zuber et al. 2012;
   Haruyama et al. 2008; rim and ejecta after Pike 1977 and Melosh 1989),
2. a connecting ridge from the crater's west rim and a few Gaussian massifs of 1-2 km relief,
3. a power-law crater population ``N(>D) ~ D^-2`` from 3 pixels to a few km, fresh to degraded
   (Pike 1977; Gault 1970; Melosh 1989; Fassett & Thomson 2014),
4. fractal (fBm) roughness with Hurst exponent 0.8, scaled so that the RMS slope at the pixel
   baseline is lunar-highland-like (Rosenburg et al. 2011).

:func:`spherical_bowl_dem` makes the closed-form test shape of the horizon and thermal layers
(a spherical-cap crater on a flat plain).

References
----------
.. [1] Zuber, M. T. et al. (2012). Constraints on the volatile distribution within Shackleton
   crater at the lunar south pole. Nature 486, 378-381. (21 km rim diameter, 4.2 km deep,
   ~30 deg inner walls; steepest walls on a ~17 km diameter; centre 89.67 S, 129.8 E.)
.. [2] Haruyama, J. et al. (2008). Lack of exposed ice inside lunar south pole Shackleton
   crater. Science 322, 938-939. (Symmetric ~30 deg walls down to a 6.6 km wide floor.)
.. [3] Pike, R. J. (1977). Size-dependence in the shape of fresh impact craters on the Moon.
   In Impact and Explosion Cratering, 489-509. (d/D ~0.2, rim height h_r ~0.036 D^1.014 km.)
.. [4] Melosh, H. J. (1989). Impact Cratering: A Geologic Process. Oxford Univ. Press.
   (Ejecta thickness ~ (r/R)^-3; geometric saturation 1.54 D^-2 km^-2.)
.. [5] Gault, D. E. (1970). Saturation and equilibrium conditions for impact cratering on the
   lunar surface. Radio Science 5, 273-291. (Equilibrium: cumulative slope -2, a few per cent
   of geometric saturation.)
.. [6] Fassett, C. I. & Thomson, B. J. (2014). Crater degradation on the lunar maria:
   Topographic diffusion and the rate of erosion on the Moon. JGR Planets 119, 2255-2271.
.. [7] Rosenburg, M. A. et al. (2011). Global surface slopes and roughness of the Moon from the
   Lunar Orbiter Laser Altimeter. JGR 116, E02001. (Highland RMS slopes of several degrees at
   tens-of-metre baselines; Hurst exponents ~0.7-0.95; slope ~ L^(H-1).)
.. [8] Turcotte, D. L. (1997). Fractals and Chaos in Geology and Geophysics, 2nd ed., Cambridge.
   (Spectral synthesis of fractional Brownian surfaces: power spectrum ~ k^-(2H+2).)
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr

from lupex.constants import SOUTH_POLAR_CRS
from lupex.errors import ParameterError, check_range
from lupex.io.maps import make_map
from lupex.terrain import _craters

SHACKLETON_LAT_DEG = -89.67
"""Latitude of Shackleton's centre [deg] (Zuber et al. 2012 [1])."""
SHACKLETON_LON_DEG = 129.8
"""East longitude of Shackleton's centre [deg] (Zuber et al. 2012 [1])."""
SHACKLETON_DIAMETER_M = 21_000.0
"""Rim-to-rim diameter [m] (Zuber et al. 2012 [1])."""
SHACKLETON_DEPTH_M = 4_200.0
"""Rim-crest-to-floor depth [m] (Zuber et al. 2012 [1])."""
SHACKLETON_FLOOR_DIAMETER_M = 6_000.0
"""Flat-floor diameter [m]: 6.6 km measured (Haruyama et al. 2008 [2]); 6.0 km here so that the
straight wall of the profile keeps a ~32 deg slope with its rounded toe and crest."""
WALL_ROUNDING = 0.1
"""Fraction of the wall width over which the wall slope ramps up at the toe and down at the crest."""

HURST = 0.8
"""Hurst exponent of the fBm roughness (lunar highlands 0.7-0.95, Rosenburg et al. 2011 [7])."""
RMS_SLOPE_REF_DEG = 7.5
"""Target RMS (one-directional) slope of the background terrain at ``RMS_SLOPE_REF_M`` [deg]
(a representative highland value in the 5-10 deg range of Rosenburg et al. 2011 [7])."""
RMS_SLOPE_REF_M = 25.0
"""Baseline of ``RMS_SLOPE_REF_DEG`` [m]."""

MAX_SIDE_PX = 8192
"""Largest synthetic grid side [pixels]: 8192^2 float64 work arrays need ~3 GB."""

REFERENCES = (
    "Zuber et al. 2012 Nature 486:378 (Shackleton 21 km, 4.2 km deep, ~30 deg walls); "
    "Haruyama et al. 2008 Science 322:938 (6.6 km floor); "
    "Pike 1977 (fresh d/D 0.2, rim height 0.036 D); "
    "Melosh 1989 Impact Cratering (ejecta (r/R)^-3, geometric saturation); "
    "Gault 1970 Radio Sci. 5:273 (equilibrium N(>D) ~ D^-2); "
    "Fassett & Thomson 2014 JGR 119:2255 (degradation as topographic diffusion); "
    "Rosenburg et al. 2011 JGR 116:E02001 (RMS slopes, Hurst exponent); "
    "Turcotte 1997 (fBm spectral synthesis)"
)


# ---------------------------------------------------------------------------------------------
# grid
# ---------------------------------------------------------------------------------------------
def _south_polar_xy(lat_deg: float, lon_deg: float) -> tuple[float, float]:
    """Position [m] of a latitude/longitude in IAU_2015:30135."""
    from lupex.terrain.geometry import latlon_to_xy_m

    x, y = latlon_to_xy_m(np.array(lat_deg), np.array(lon_deg), SOUTH_POLAR_CRS)
    return float(x), float(y)


def _grid(size_m: float, pixel_m: float, cx: float, cy: float) -> tuple[np.ndarray, np.ndarray]:
    """Pixel-centre coordinates of a square grid whose edges sit on multiples of ``pixel_m``."""
    n = round(size_m / pixel_m)
    if n > MAX_SIDE_PX:
        raise ParameterError(
            f"size {size_m / 1000:g} km at {pixel_m:g} m pixels is {n} x {n} pixels; the synthetic "
            f"terrain allows at most {MAX_SIDE_PX} x {MAX_SIDE_PX} (memory). Use a larger --pixel-m "
            f"or a smaller --size-km.")
    if n < 8:
        raise ParameterError(
            f"size {size_m / 1000:g} km at {pixel_m:g} m pixels is only {n} x {n} pixels; use at "
            f"least 8 pixels per side (a smaller --pixel-m or a larger --size-km).")
    left = round(cx / pixel_m - n / 2.0) * pixel_m
    top = round(cy / pixel_m + n / 2.0) * pixel_m
    x = left + (np.arange(n) + 0.5) * pixel_m
    y = top - (np.arange(n) + 0.5) * pixel_m
    return x, y


# ---------------------------------------------------------------------------------------------
# parts
# ---------------------------------------------------------------------------------------------
def shackleton_profile(r_m: np.ndarray, *, diameter_m: float = SHACKLETON_DIAMETER_M,
                       depth_m: float = SHACKLETON_DEPTH_M,
                       floor_diameter_m: float = SHACKLETON_FLOOR_DIAMETER_M) -> np.ndarray:
    """Radial elevation profile [m] of the Shackleton-like crater at distance ``r_m`` [m].

    Flat floor, a straight wall whose slope ramps up over the first and down over the last
    10 % of its width (rounded toe and crest), rim crest ``h_r = 0.036 D^1.014`` (km) above the
    surroundings (Pike 1977 [3]), ejecta ``h_r (r/R)^-3`` outside (Melosh 1989 [4]) tapered to 0
    at four radii. Depth is rim crest to floor. With the defaults the wall slope is 32 deg on the
    straight part (Zuber et al. 2012 [1]: ~30 deg; Haruyama et al. 2008 [2]: 30 deg).
    """
    radius = diameter_m / 2.0
    r_floor = floor_diameter_m / 2.0
    h_rim = 36.0 * (diameter_m / 1000.0) ** 1.014  # Pike 1977, metres
    # wall shape g(t), t in [0,1]: integral of a trapezoidal slope profile, g(1) = 1
    t = np.linspace(0.0, 1.0, 2001)
    w = WALL_ROUNDING
    slope = np.minimum(1.0, np.minimum(t / w, (1.0 - t) / w))
    g = np.concatenate([[0.0], np.cumsum(0.5 * (slope[1:] + slope[:-1]) * np.diff(t))])
    g /= g[-1]
    r = np.asarray(r_m, dtype=float)
    z_floor = h_rim - depth_m
    tw = np.clip((r - r_floor) / (radius - r_floor), 0.0, 1.0)
    inside = z_floor + depth_m * np.interp(tw, t, g)
    c3 = 4.0**-3
    outside = h_rim * (np.maximum(r / radius, 1.0) ** -3 - c3) / (1.0 - c3)
    return np.where(r <= radius, inside, np.where(r < 4.0 * radius, outside, 0.0))


def _smoothstep(t: np.ndarray) -> np.ndarray:
    t = np.clip(t, 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def _window(x: np.ndarray, y: np.ndarray, x0: float, x1: float, y0: float, y1: float):
    """Row and column slices of the pixels with ``x0 <= x <= x1`` and ``y0 <= y <= y1``
    (``x`` increasing, ``y`` decreasing)."""
    j = np.searchsorted(x, [x0, x1])
    i = np.searchsorted(-y, [-y1, -y0])
    return slice(int(i[0]), int(i[1])), slice(int(j[0]), int(j[1]))


def _massifs(rng: np.random.Generator, x: np.ndarray, y: np.ndarray, *, crater_xy,
             crater_radius_m: float) -> tuple[np.ndarray, list[dict[str, float]]]:
    """Connecting ridge from the crater's west rim plus random elliptical Gaussian massifs.

    The ridge follows the real one west of Shackleton (LOLA: ~1.2-1.5 km relief over ~20 km,
    e.g. ``shared/data/lola/shackleton_200m.tif``). Massifs: relief 1-2 km, 1-sigma major axis
    3-8 km, axis ratio 1-2.5, about one per 800 km^2, centres kept off the crater. The sum is
    faded out inside the crater (the impact removed them there). Each shape is evaluated only
    within 5 sigma of it (exp(-12.5) ~ 4e-6 of its height is dropped beyond).
    """
    cx, cy = crater_xy
    z = np.zeros((y.size, x.size))
    items: list[dict[str, float]] = []
    # the connecting ridge: a Gaussian cross-section of 1.3 km relief, sigma 2.5 km, along a
    # 20 km segment from the west rim, its height falling to 40 % over the last 40 %
    h_r, s_r = 1300.0, 2500.0
    ax, ay = cx - crater_radius_m - 300.0, cy - 700.0
    bx, by = ax - 20_000.0, ay - 1_500.0
    win = _window(x, y, min(ax, bx) - 5 * s_r, max(ax, bx) + 5 * s_r,
                  min(ay, by) - 5 * s_r, max(ay, by) + 5 * s_r)
    X, Y = x[None, win[1]], y[win[0], None]
    vx, vy = bx - ax, by - ay
    t = np.clip(((X - ax) * vx + (Y - ay) * vy) / (vx * vx + vy * vy), 0.0, 1.0)
    dist = np.hypot(X - (ax + t * vx), Y - (ay + t * vy))
    z[win] += h_r * np.exp(-0.5 * (dist / s_r) ** 2) * (1.0 - 0.6 * _smoothstep((t - 0.6) / 0.4))
    items.append({"kind": "ridge", "x0_m": ax, "y0_m": ay, "x1_m": bx, "y1_m": by,
                  "height_m": h_r, "sigma_m": s_r})
    x0, x1, y0, y1 = x[0], x[-1], y[-1], y[0]
    area_km2 = (x1 - x0) * (y1 - y0) / 1e6
    n = max(1, int(rng.poisson(area_km2 / 800.0)))
    tries = 0
    while len(items) < n + 1 and tries < 100 * n:
        tries += 1
        h = rng.uniform(1000.0, 2000.0)
        s_major = rng.uniform(3000.0, 8000.0)
        ratio = rng.uniform(1.0, 2.5)
        theta = rng.uniform(0.0, np.pi)
        mx = rng.uniform(x0, x1)
        my = rng.uniform(y0, y1)
        if math.hypot(mx - cx, my - cy) < crater_radius_m + 2.0 * s_major:
            continue
        win = _window(x, y, mx - 5 * s_major, mx + 5 * s_major, my - 5 * s_major, my + 5 * s_major)
        X, Y = x[None, win[1]] - mx, y[win[0], None] - my
        c, s = math.cos(theta), math.sin(theta)
        u = (X * c + Y * s) / s_major
        v = (-X * s + Y * c) / (s_major / ratio)
        z[win] += h * np.exp(-0.5 * (u * u + v * v))
        items.append({"kind": "massif", "x_m": mx, "y_m": my, "height_m": h,
                      "sigma_major_m": s_major, "axis_ratio": ratio, "angle_deg": math.degrees(theta)})
    if crater_radius_m > 0:
        win = _window(x, y, cx - 1.05 * crater_radius_m, cx + 1.05 * crater_radius_m,
                      cy - 1.05 * crater_radius_m, cy + 1.05 * crater_radius_m)
        r = np.hypot(x[None, win[1]] - cx, y[win[0], None] - cy)
        z[win] *= _smoothstep((r - 0.85 * crater_radius_m) / (0.2 * crater_radius_m))
    return z, items


def fbm_surface(rng: np.random.Generator, n: int, *, hurst: float = HURST) -> np.ndarray:
    """Zero-mean fractional Brownian surface on an ``n x n`` periodic grid (unit amplitude).

    Spectral synthesis (Turcotte 1997 [8]): white Gaussian noise filtered to a power spectrum
    ``P(k) ~ k^-(2H+2)``, so height differences grow as ``L^H`` and slopes as ``L^(H-1)``.
    """
    white = rng.standard_normal((n, n))
    spec = np.fft.rfft2(white)
    ky = np.fft.fftfreq(n)[:, None]
    kx = np.fft.rfftfreq(n)[None, :]
    k = np.hypot(kx, ky)
    k[0, 0] = 1.0
    filt = k ** (-(hurst + 1.0))
    filt[0, 0] = 0.0
    return np.fft.irfft2(spec * filt, s=(n, n))


def _rms_slope_deg(z: np.ndarray, pixel_m: float, mask: np.ndarray | None = None) -> float:
    """RMS one-directional slope at the pixel baseline [deg]: ``atan(sqrt(<(dz/L)^2>))``.

    Uses the height differences of all neighbouring pixel pairs along x and along y (the
    along-track definition of Rosenburg et al. 2011 [7]); ``mask`` keeps pairs whose both
    pixels are True.
    """
    dx = np.diff(z, axis=1) / pixel_m
    dy = np.diff(z, axis=0) / pixel_m
    if mask is not None:
        dx = dx[mask[:, 1:] & mask[:, :-1]]
        dy = dy[mask[1:, :] & mask[:-1, :]]
    ms = (np.sum(dx.astype(float) ** 2) + np.sum(dy.astype(float) ** 2)) / (dx.size + dy.size)
    return math.degrees(math.atan(math.sqrt(ms)))


def target_rms_slope_deg(pixel_m: float, *, rms_slope_ref_deg: float = RMS_SLOPE_REF_DEG,
                         hurst: float = HURST) -> float:
    """Lunar-like RMS slope at baseline ``pixel_m`` [deg]: tan s(L) = tan s_ref (L/L_ref)^(H-1)."""
    return math.degrees(math.atan(math.tan(math.radians(rms_slope_ref_deg))
                                  * (pixel_m / RMS_SLOPE_REF_M) ** (hurst - 1.0)))


# ---------------------------------------------------------------------------------------------
# public API
# ---------------------------------------------------------------------------------------------
def _check_common(size_km: float, pixel_m: float) -> None:
    check_range("size_km", size_km, 0.0, None, unit="km", lo_open=True)
    check_range("pixel_m", pixel_m, 0.0, size_km * 1000.0, unit="m", lo_open=True)


def _layout(size_km, pixel_m, seed, center_lat_deg, center_lon_deg, crater_d_max_m,
            crater_saturation):
    """Grid and random draws shared by the DEM and its crater catalogue."""
    _check_common(size_km, pixel_m)
    check_range("center_lat_deg", center_lat_deg, -90.0, -60.0, unit="deg")
    check_range("center_lon_deg", center_lon_deg, -360.0, 360.0, unit="deg")
    check_range("crater_saturation", crater_saturation, 0.0, 1.0, unit="")
    check_range("crater_d_max_m", crater_d_max_m, 0.0, None, unit="m", lo_open=True)
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ParameterError(f"seed = {seed!r} must be a non-negative integer.")
    size_m = size_km * 1000.0
    cx, cy = _south_polar_xy(center_lat_deg, center_lon_deg)
    x, y = _grid(size_m, pixel_m, cx, cy)
    ss = np.random.SeedSequence(int(seed))
    rng_massif, rng_crater, rng_rough = (np.random.Generator(np.random.PCG64(s))
                                         for s in ss.spawn(3))
    d_min = 3.0 * pixel_m
    d_max = max(d_min * 1.5, min(crater_d_max_m, size_m / 3.0))
    margin = 2.0 * d_max
    craters = _craters.sample_population(
        rng_crater, x_range_m=(x[0] - margin, x[-1] + margin),
        y_range_m=(y[-1] - margin, y[0] + margin), d_min_m=d_min, d_max_m=d_max,
        saturation_fraction=crater_saturation)
    return x, y, rng_massif, rng_rough, craters, (d_min, d_max)


def synthetic_crater_catalogue(*, size_km: float = 40.0, pixel_m: float = 40.0, seed: int = 7,
                               center_lat_deg: float = -90.0, center_lon_deg: float = 0.0,
                               crater_d_max_m: float = 5000.0,
                               crater_saturation: float = 0.02) -> dict[str, np.ndarray]:
    """The small-crater population that :func:`synthetic_south_pole` inserts (same arguments).

    Returns 1-D arrays ``x_m``, ``y_m`` (centres [m], in IAU_2015:30135; centres up to two
    largest diameters outside the grid are included), ``diameter_m`` [m] and ``depth_ratio``
    (target depth/diameter, 0.05-0.2).
    """
    *_, craters, _ = _layout(size_km, pixel_m, seed, center_lat_deg, center_lon_deg,
                             crater_d_max_m, crater_saturation)
    return craters


def synthetic_south_pole(*, size_km: float = 40.0, pixel_m: float = 40.0, seed: int = 7,
                         center_lat_deg: float = -90.0, center_lon_deg: float = 0.0,
                         shackleton: bool = True, massifs: bool = True,
                         crater_d_max_m: float = 5000.0, crater_saturation: float = 0.02,
                         hurst: float = HURST, rms_slope_ref_deg: float = RMS_SLOPE_REF_DEG,
                         ) -> xr.DataArray:
    """A deterministic, lunar-like south-pole DEM in ``IAU_2015:30135``.

    Elevations [m] above the 1737.4 km sphere (no regional tilt: heights are above the sphere).
    The same arguments give a bit-identical array (numpy ``Generator(PCG64)`` streams spawned
    from ``seed``, one per part). 40 km at 40 m (1000 x 1000) takes well under a second after
    the first call compiles the crater kernel.

    Parts (see the module docstring for the references):

    - **Shackleton-like crater** at Shackleton's real centre (89.67 S, 129.8 E: x = +7.69 km,
      y = -6.41 km), 21 km rim to rim, 4.2 km rim-to-floor, ~32 deg straight walls, 6 km flat
      floor, raised rim and ``(r/R)^-3`` ejecta (:func:`shackleton_profile`). The pole lies on
      its upper inner wall ~0.5 km inside the rim crest, as in reality; it appears whole on a
      grid of at least ~40 km centred on the pole (or on any grid centred on it), in part on
      smaller ones.
    - **Connecting ridge and massifs**: a 1.3 km ridge running ~20 km west from the west rim
      (like the real ridge toward de Gerlache) and elliptical Gaussian massifs of 1-2 km relief.
    - **Crater population**: cumulative ``N(>D) = C D^-2`` (equilibrium slope), ``C`` = 2 % of
      geometric saturation (Gault 1970; Melosh 1989), from 3 pixels to ``crater_d_max_m``;
      depth/diameter uniform from 0.2 (fresh, Pike 1977) to 0.05 (degraded, profiles made by
      topographic diffusion, Fassett & Thomson 2014). :func:`synthetic_crater_catalogue`
      returns the same population.
    - **fBm roughness** (Hurst ``hurst``), scaled so that the small-scale texture (population
      craters + fBm) has, away from the big crater, an RMS one-directional slope at the pixel
      baseline ``L`` of ``atan(tan(rms_slope_ref_deg) (L / 25 m)^(H-1))`` (7.5 deg at 25 m,
      6.8 deg at 40 m, 5.7 deg at 100 m; Rosenburg et al. 2011). The craters supply part of it;
      the fBm supplies the rest, and at least half of it. The ridge, massifs and the big crater
      come on top (the whole default DEM outside the crater: ~8 deg at 40 m).

    Parameters
    ----------
    size_km : float
        Side of the square grid [km].
    pixel_m : float
        Pixel size [m]; grid edges fall on multiples of it.
    seed : int
        Seed of the random parts (non-negative).
    center_lat_deg, center_lon_deg : float
        Grid centre [deg] (default the south pole). Shackleton stays at its real position.
    shackleton, massifs : bool
        Include the big crater / the ridge and massifs.
    crater_d_max_m : float
        Largest crater of the population [m] (also capped at a third of the grid side).
    crater_saturation : float
        Population density as a fraction of geometric saturation [1].
    hurst : float
        Hurst exponent of the roughness [1].
    rms_slope_ref_deg : float
        Target RMS slope at 25 m [deg]; 0 gives no fractal roughness.

    Returns
    -------
    DataArray
        ``elevation_m`` map ``(y, x)``, float32, CRS ``IAU_2015:30135``; attrs hold the seed,
        the parameters, the crater centre and radius, the measured RMS slope and the references.
    """
    check_range("hurst", hurst, 0.0, 1.0, lo_open=True, hi_open=True)
    check_range("rms_slope_ref_deg", rms_slope_ref_deg, 0.0, 45.0, unit="deg", hi_open=True)
    x, y, rng_massif, rng_rough, craters, (d_min, d_max) = _layout(
        size_km, pixel_m, seed, center_lat_deg, center_lon_deg, crater_d_max_m, crater_saturation)
    n = x.size
    sx, sy = _south_polar_xy(SHACKLETON_LAT_DEG, SHACKLETON_LON_DEG)
    radius = SHACKLETON_DIAMETER_M / 2.0
    r_sh = np.hypot(x[None, :] - sx, y[:, None] - sy)

    # crater population; inside the big crater the walls are fresher than the rest (downslope
    # movement erases craters, Zuber et al. 2012), so population craters there are shallower
    weight = np.ones(craters["x_m"].size)
    if shackleton:
        r_c = np.hypot(craters["x_m"] - sx, craters["y_m"] - sy)
        weight = np.where(r_c < 1.05 * radius, 0.3, 1.0)
    texture = np.zeros((n, n))
    _craters.stamp_craters(texture, x, y, craters, weight=weight)

    # fractal roughness: the small-scale texture (population craters + fBm) gets the target RMS
    # slope at the pixel baseline, measured away from the big crater
    outside = r_sh > 1.3 * radius if shackleton else np.ones((n, n), dtype=bool)
    if outside.sum() < 0.1 * outside.size:
        outside = np.ones((n, n), dtype=bool)
    target_deg = target_rms_slope_deg(pixel_m, rms_slope_ref_deg=rms_slope_ref_deg, hurst=hurst)
    t_target = math.tan(math.radians(target_deg))
    t_craters = math.tan(math.radians(_rms_slope_deg(texture, pixel_m, outside)))
    t_rough = math.sqrt(max(t_target**2 - t_craters**2, (0.5 * t_target) ** 2))
    rough = fbm_surface(rng_rough, n, hurst=hurst)
    rough_unit = math.tan(math.radians(_rms_slope_deg(rough, pixel_m)))
    texture += rough * (t_rough / rough_unit if rough_unit > 0 and target_deg > 0 else 0.0)
    texture_deg = _rms_slope_deg(texture, pixel_m, outside)

    # large landforms
    z = texture
    if massifs:
        relief, massif_items = _massifs(rng_massif, x, y, crater_xy=(sx, sy),
                                        crater_radius_m=radius if shackleton else 0.0)
        z += relief
    else:
        massif_items = []
    if shackleton:
        z += shackleton_profile(r_sh)
    z = z.astype(np.float32)

    measured = _rms_slope_deg(z, pixel_m, outside)
    params = {"size_km": float(size_km), "pixel_m": float(pixel_m), "seed": int(seed),
              "center_lat_deg": float(center_lat_deg), "center_lon_deg": float(center_lon_deg),
              "shackleton": bool(shackleton), "massifs": bool(massifs),
              "crater_d_max_m": float(crater_d_max_m), "crater_saturation": float(crater_saturation),
              "hurst": float(hurst), "rms_slope_ref_deg": float(rms_slope_ref_deg)}
    return make_map(
        z, x=x, y=y, crs=SOUTH_POLAR_CRS, name="elevation_m", units="m",
        long_name="elevation above the 1737.4 km lunar sphere (synthetic)",
        source="lupex.terrain.synthetic_south_pole", seed=int(seed), parameters=params,
        crater_center_x_m=float(sx) if shackleton else float("nan"),
        crater_center_y_m=float(sy) if shackleton else float("nan"),
        crater_diameter_m=SHACKLETON_DIAMETER_M if shackleton else 0.0,
        crater_depth_m=SHACKLETON_DEPTH_M if shackleton else 0.0,
        n_population_craters=int(craters["x_m"].size),
        population_d_min_m=float(d_min), population_d_max_m=float(d_max),
        massifs=massif_items,
        target_rms_slope_deg=round(target_deg, 3), texture_rms_slope_deg=round(texture_deg, 3),
        rms_slope_deg=round(measured, 3),
        references=REFERENCES,
    )


def spherical_bowl_dem(diameter_m: float, depth_m: float, pixel_m: float, size_m: float, *,
                       center_x_m: float = 0.0, center_y_m: float = 0.0,
                       crs: str = SOUTH_POLAR_CRS) -> xr.DataArray:
    """A spherical-cap crater in a flat plain: the closed-form test shape.

    Inside the rim (``r <= D/2``) the surface is part of a sphere of radius
    ``S = (D^2/4 + d^2) / (2 d)`` centred ``S - d`` above the floor:
    ``z(r) = (S - d) - sqrt(S^2 - r^2)``, so ``z = -d`` at the centre and 0 on the rim; outside it
    is 0. Heights are "above the plain" and the plain is flat in the projected grid (no lunar
    curvature), which is what closed-form horizon and bowl-crater thermal models (e.g. Ingersoll
    et al. 1992, Icarus 100:40; Buhl et al. 1968) assume. Pixels are centred on the bowl centre
    when ``size_m / pixel_m`` is odd.

    Parameters
    ----------
    diameter_m : float
        Rim diameter D [m].
    depth_m : float
        Depth d below the rim [m], ``0 < d <= D/2`` (d = D/2 is a hemisphere).
    pixel_m : float
        Pixel size [m].
    size_m : float
        Side of the square grid [m].
    center_x_m, center_y_m : float
        Bowl centre in the CRS [m] (default the pole); the grid is centred on it.
    crs : str
        CRS written on the map.

    Returns
    -------
    DataArray
        ``elevation_m`` map (float64) with attrs ``sphere_radius_m``, ``diameter_m``,
        ``depth_m``, ``center_x_m``, ``center_y_m``.
    """
    check_range("diameter_m", diameter_m, 0.0, None, unit="m", lo_open=True)
    check_range("depth_m", depth_m, 0.0, diameter_m / 2.0, unit="m", lo_open=True)
    check_range("size_m", size_m, 0.0, None, unit="m", lo_open=True)
    check_range("pixel_m", pixel_m, 0.0, size_m, unit="m", lo_open=True)
    n = round(size_m / pixel_m)
    if n > MAX_SIDE_PX:
        raise ParameterError(f"spherical_bowl_dem: {n} x {n} pixels exceeds {MAX_SIDE_PX} per side; "
                             f"use a larger pixel_m.")
    offs = (np.arange(n) - (n - 1) / 2.0) * pixel_m
    x = center_x_m + offs
    y = center_y_m - offs
    sphere = (diameter_m**2 / 4.0 + depth_m**2) / (2.0 * depth_m)
    r2 = offs[None, :] ** 2 + offs[:, None] ** 2
    z = np.where(r2 <= diameter_m**2 / 4.0,
                 (sphere - depth_m) - np.sqrt(np.maximum(sphere**2 - r2, 0.0)), 0.0)
    return make_map(z, x=x, y=y, crs=crs, name="elevation_m", units="m",
                    long_name="elevation of a spherical bowl crater in a flat plain",
                    source="lupex.terrain.synth.spherical_bowl_dem", sphere_radius_m=sphere,
                    diameter_m=float(diameter_m), depth_m=float(depth_m),
                    center_x_m=float(center_x_m), center_y_m=float(center_y_m),
                    pixel_m=float(pixel_m))
