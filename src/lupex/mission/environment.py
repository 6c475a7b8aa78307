"""What the mission sees of its surroundings, computed once and shared by every simulation.

:class:`MissionEnvironment` holds, on the mission grid (the DEM cropped around the landing
site; the horizons are per pixel so the crop keeps them exact):

- the visible Sun and Earth disc fractions per step and cell (the traverse planner's packed
  :class:`lupex.traverse.VisibilityStack`, from :func:`lupex.illumination.visibility_frames`),
- the Sun's elevation/azimuth per step (array incidence),
- which ground stations see the Moon per step (:func:`lupex.ephemeris.stations.
  ground_station_visibility`, Moon centre, elevation mask),
- the terrain (elevation, slope) for driving.

The Monte Carlo reuses one environment for every run; :meth:`save` / :meth:`load` keep it in the
run folder's ``cache/`` so a second ``lupex run`` does not recompute it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from lupex.errors import InputFileError, ParameterError


@dataclass
class MissionEnvironment:
    """The mission's surroundings on its grid (see the module docstring).

    Attributes
    ----------
    t0 : numpy.datetime64
        Start of step 0 (UTC), the touchdown time.
    step_s : float
        Step [s].
    x_m, y_m : ndarray
        Cell centres [m] in the DEM's CRS (1-D).
    elev_m, slope_deg : ndarray (ny, nx)
        Terrain.
    sun_u8, earth_u8 : ndarray (n_steps, ny * nx) uint8
        Visible disc fraction x 254.
    sun_elevation_deg, sun_azimuth_deg : ndarray (n_steps,)
        Sun direction at the grid centre [deg].
    station_names : list of str
    station_visible : ndarray (n_steps, n_stations) bool
        The station sees the Moon above its mask.
    crs : str or None
        The DEM's CRS (WKT or authority string).
    lat_deg, lon_deg : ndarray (ny, nx) or None
        Planetocentric coordinates of the cells (for GeoJSON).
    """

    t0: np.datetime64
    step_s: float
    x_m: np.ndarray
    y_m: np.ndarray
    elev_m: np.ndarray
    slope_deg: np.ndarray
    sun_u8: np.ndarray
    earth_u8: np.ndarray
    sun_elevation_deg: np.ndarray
    sun_azimuth_deg: np.ndarray
    station_names: list[str]
    station_visible: np.ndarray
    crs: str | None = None
    lat_deg: np.ndarray | None = None
    lon_deg: np.ndarray | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        ny, nx = self.elev_m.shape
        n = self.sun_u8.shape[0]
        if self.sun_u8.shape != (n, ny * nx) or self.earth_u8.shape != (n, ny * nx):
            raise ParameterError(f"mission environment: visibility {self.sun_u8.shape} / "
                                 f"{self.earth_u8.shape} does not match (steps, {ny} x {nx}).")
        if self.station_visible.shape != (n, len(self.station_names)):
            raise ParameterError(f"mission environment: station visibility "
                                 f"{self.station_visible.shape} does not match ({n}, "
                                 f"{len(self.station_names)}).")
        if self.x_m.size != nx or self.y_m.size != ny:
            raise ParameterError("mission environment: x_m / y_m do not match the grid.")

    @property
    def shape(self) -> tuple[int, int]:
        return tuple(self.elev_m.shape)

    @property
    def n_steps(self) -> int:
        return int(self.sun_u8.shape[0])

    @property
    def duration_s(self) -> float:
        return self.n_steps * self.step_s

    @property
    def dx_m(self) -> float:
        return float(abs(self.x_m[1] - self.x_m[0]))

    @property
    def dy_m(self) -> float:
        return float(abs(self.y_m[1] - self.y_m[0]))

    def cell(self, x_m: float, y_m: float, what: str = "point") -> int:
        """Flat index of the cell holding ``(x_m, y_m)``; refuses points off the grid."""
        j = round((x_m - self.x_m[0]) / (self.x_m[1] - self.x_m[0]))
        i = round((y_m - self.y_m[0]) / (self.y_m[1] - self.y_m[0]))
        ny, nx = self.shape
        if not (0 <= i < ny and 0 <= j < nx):
            raise ParameterError(
                f"{what} (x = {x_m:.1f} m, y = {y_m:.1f} m) is outside the mission grid "
                f"(x {self.x_m.min():.1f}..{self.x_m.max():.1f} m, "
                f"y {self.y_m.min():.1f}..{self.y_m.max():.1f} m). Move it or enlarge "
                "mission.area_m.")
        return i * nx + j

    def xy(self, cell) -> tuple[np.ndarray, np.ndarray]:
        c = np.asarray(cell)
        nx = self.shape[1]
        return self.x_m[c % nx], self.y_m[c // nx]

    def utc(self, seconds) -> np.ndarray:
        """UTC of ``seconds`` after ``t0`` (datetime64[s])."""
        s = np.rint(np.asarray(seconds, float)).astype("int64").astype("timedelta64[s]")
        return np.datetime64(self.t0, "s") + s

    def dem(self):
        """The grid's elevation as a map (the traverse planner's input)."""
        from lupex.io.maps import make_map

        return make_map(self.elev_m, x=self.x_m, y=self.y_m, crs=self.crs, name="elevation",
                        units="m", long_name="mission grid elevation")

    def visibility_stack(self, k0: int = 0, k1: int | None = None):
        """Steps ``[k0, k1)`` as the planner's :class:`lupex.traverse.VisibilityStack` (views)."""
        from lupex.traverse import VisibilityStack

        k1 = self.n_steps if k1 is None else min(k1, self.n_steps)
        return VisibilityStack(
            t0=self.utc(k0 * self.step_s), step_s=self.step_s, shape=self.shape,
            sun_u8=self.sun_u8[k0:k1], earth_u8=self.earth_u8[k0:k1],
            sun_elevation_deg=self.sun_elevation_deg[k0:k1],
            sun_azimuth_deg=self.sun_azimuth_deg[k0:k1])

    # -- cache ------------------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Write to one ``.npz`` (atomically)."""
        from lupex.io.atomic import atomic_path

        arrays = {k: getattr(self, k) for k in ("x_m", "y_m", "elev_m", "slope_deg", "sun_u8",
                                                 "earth_u8", "sun_elevation_deg",
                                                 "sun_azimuth_deg", "station_visible")}
        if self.lat_deg is not None:
            arrays.update(lat_deg=self.lat_deg, lon_deg=self.lon_deg)
        meta = {"t0": str(np.datetime64(self.t0, "s")), "step_s": self.step_s,
                "station_names": list(self.station_names), "crs": self.crs or "",
                "tag": str(self.extra.get("tag", ""))}
        import json

        with atomic_path(path, suffix=".npz") as tmp:
            with open(tmp, "wb") as fh:
                np.savez(fh, meta=np.array(json.dumps(meta)), **arrays)
        return Path(path)

    @classmethod
    def load(cls, path: str | Path) -> MissionEnvironment:
        import json

        p = Path(path)
        if not p.is_file():
            raise InputFileError(f"{p}: no mission environment cache; run the mission stage.")
        with np.load(p) as z:
            meta = json.loads(str(z["meta"]))
            a = {k: z[k] for k in z.files if k != "meta"}
        return cls(t0=np.datetime64(meta["t0"], "s"), step_s=float(meta["step_s"]),
                   station_names=list(meta["station_names"]), crs=meta["crs"] or None,
                   lat_deg=a.pop("lat_deg", None), lon_deg=a.pop("lon_deg", None),
                   extra={"tag": meta.get("tag", "")}, **a)


def crop_window(dem, centre_xy: tuple[float, float], half_width_m: float) -> tuple[slice, slice]:
    """Row/column slices of the DEM within ``half_width_m`` of ``centre_xy`` (at least 3 x 3)."""
    x = np.asarray(dem["x"].values, float)
    y = np.asarray(dem["y"].values, float)
    cols = np.flatnonzero(np.abs(x - centre_xy[0]) <= half_width_m)
    rows = np.flatnonzero(np.abs(y - centre_xy[1]) <= half_width_m)
    if cols.size < 3 or rows.size < 3:
        raise ParameterError(f"the mission area ({2 * half_width_m:.0f} m across) around "
                             f"({centre_xy[0]:.0f}, {centre_xy[1]:.0f}) m holds fewer than 3 x 3 "
                             "DEM pixels; enlarge mission.area_m or use a finer DEM.")
    return slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1)


def build_environment(dem, horizons, *, t0, n_steps: int, step_s: float, stations,
                      min_elevation_deg: float = 10.0, centre_xy=None, half_width_m=None,
                      progress=None) -> MissionEnvironment:
    """Compute the mission environment from the DEM and its horizons.

    Parameters
    ----------
    dem : DataArray (y, x)
        Elevation [m] (map contract).
    horizons : DataArray (azimuth, y, x)
        Horizons of the same grid [deg].
    t0 : datetime-like
        Touchdown (UTC), start of step 0.
    n_steps : int
        Steps to compute.
    step_s : float
        Step [s].
    stations : list of str
        Ground stations (:data:`lupex.ephemeris.stations.STATIONS` names).
    min_elevation_deg : float
        Station elevation mask [deg].
    centre_xy, half_width_m : optional
        Crop the grid to this square around the landing site (horizons stay exact).
    progress : callable, optional
        ``progress(done, total)`` per visibility frame.
    """
    from lupex.ephemeris.stations import ground_station_visibility
    from lupex.terrain import slope_aspect
    from lupex.traverse import visibility_stack

    if centre_xy is not None and half_width_m is not None:
        rs, cs = crop_window(dem, centre_xy, half_width_m)
        dem_c = dem.isel(y=rs, x=cs)
        hor_c = horizons.isel(y=rs, x=cs) if hasattr(horizons, "isel") else horizons[:, rs, cs]
    else:
        dem_c, hor_c = dem, horizons
    t0 = np.datetime64(t0, "s")
    times = t0 + (np.arange(n_steps) * step_s).astype("timedelta64[s]")
    stack = visibility_stack(dem_c, hor_c, times, progress=progress)
    ds = ground_station_visibility(times, stations, min_elevation_deg=min_elevation_deg)
    slope = np.asarray(slope_aspect(dem_c)[0].values, float)
    crs = None
    lat = lon = None
    if hasattr(dem_c, "rio") and dem_c.rio.crs is not None:
        crs = dem_c.rio.crs.to_wkt()
        lat, lon = _latlon(dem_c)
    return MissionEnvironment(
        t0=t0, step_s=float(step_s), x_m=np.asarray(dem_c["x"].values, float),
        y_m=np.asarray(dem_c["y"].values, float), elev_m=np.asarray(dem_c.values, float),
        slope_deg=slope, sun_u8=stack.sun_u8, earth_u8=stack.earth_u8,
        sun_elevation_deg=stack.sun_elevation_deg,
        sun_azimuth_deg=np.nan_to_num(stack.sun_azimuth_deg, nan=0.0),
        station_names=[str(s) for s in ds["station"].values],
        station_visible=np.asarray(ds["visible"].values, bool), crs=crs, lat_deg=lat, lon_deg=lon)


def _latlon(dem):
    try:
        from pyproj import CRS, Transformer

        crs = CRS.from_user_input(dem.rio.crs.to_wkt())
        tr = Transformer.from_crs(crs, crs.geodetic_crs, always_xy=True)
        xx, yy = np.meshgrid(np.asarray(dem["x"].values), np.asarray(dem["y"].values))
        lon, lat = tr.transform(xx, yy)
        return np.asarray(lat), np.asarray(lon)
    except Exception:  # a CRS pyproj cannot invert: no lat/lon
        return None, None
