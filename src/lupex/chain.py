"""The one thin orchestrator: run the stages in order, cache each stage in the run folder.

Modelled on pvlib's ``ModelChain``: every stage is a call into the pure-function API of its
layer; the chain only decides what to run, where outputs go, and whether a cached output is
still valid. A stage is skipped when ``run.json`` records it as finished with the same key (a
hash of the inputs that matter, including the keys of the stages it depends on) and all its
outputs still exist. So a run killed half-way resumes at the first unfinished stage, and
changing a parameter re-runs exactly the stages downstream of it.

Run folder layout (see docs/architecture.md)::

    RUN/maps/    GeoTIFF + PNG quicklooks
    RUN/tables/  CSV
    RUN/plans/   GeoJSON
    RUN/cache/   Zarr stores (horizons, ...)
    RUN/run.json provenance, parameters, stage keys
    RUN/report.html
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from lupex.io.atomic import write_json_atomic
from lupex.io.provenance import provenance

STAGES = ("terrain", "ephemeris", "horizon", "illumination", "thermal", "volatiles", "sites",
          "traverse")

_DEPENDS: dict[str, tuple[str, ...]] = {
    "terrain": (), "ephemeris": ("terrain",), "horizon": ("terrain",),
    "illumination": ("terrain", "horizon"), "sites": ("illumination", "volatiles"),
    "thermal": ("terrain", "horizon"), "volatiles": ("thermal",),
    "traverse": ("sites", "horizon"),
}
_RELEVANT: dict[str, tuple[str, ...]] = {
    "terrain": ("dem", "synth_size_km", "synth_pixel_m", "synth_seed"),
    "ephemeris": ("start", "stop", "step", "site_lat_deg", "site_lon_deg"),
    "horizon": ("n_azimuths", "observer_height_m", "far_field"),
    "illumination": ("start", "stop", "step", "psr_span"),
    "thermal": ("start", "thermal_window", "thermal_step", "thermal_decimate",
                "thermal_spinup_days", "thermal_radiosity", "thermal_depths_m"),
    "volatiles": ("volatile_species", "loss_mm_per_gyr"),
    "sites": ("scenario",),
    "traverse": ("scenario", "start"),
}


THERMAL_AUTO_COLUMNS = 16384
"""Most regolith columns the chain's thermal stage models when ``thermal_decimate`` is None."""


def thermal_block(shape: tuple[int, int], decimate: int | None) -> int:
    """Block size n of the chain's thermal grid: ``decimate``, or the smallest n with at most
    :data:`THERMAL_AUTO_COLUMNS` blocks of n x n pixels when ``decimate`` is None."""
    if decimate is not None:
        return int(decimate)
    n = 1
    while (shape[0] // n) * (shape[1] // n) > THERMAL_AUTO_COLUMNS:
        n += 1
    return n


@dataclass
class ChainConfig:
    """Parameters of a chain run (all optional; defaults reproduce ``lupex demo``).

    Parameters
    ----------
    dem : str, optional
        Path of a DEM GeoTIFF; ``None`` uses the synthetic south-pole terrain.
    synth_size_km, synth_pixel_m, synth_seed
        Synthetic terrain parameters [km], [m], [-] when ``dem`` is ``None``.
    start, stop, step : str
        Analysis window (UTC ISO) and time step (e.g. ``"1h"``).
    site_lat_deg, site_lon_deg : float, optional
        Site for the point time series; the DEM centre by default.
    n_azimuths : int
        Horizon azimuths.
    observer_height_m : float
        Observer height above the surface [m].
    far_field : str
        ``"auto"``, ``"none"`` or a DEM path.
    psr_span : str
        ``"window"`` or ``"cycle"`` (18.61-yr precession cycle) for the PSR map.
    thermal_window : str
        ``"year"`` (one year from ``start``: the annual maximum that cold traps and the ice
        stability depth are defined on) or ``"window"`` (the mission window).
    thermal_step : str
        Time step of the conduction model (e.g. ``"2h"``).
    thermal_decimate : int, optional
        Model blocks of n x n pixels (block-mean DEM with its own horizons; 1: every pixel; the
        demo uses 4). ``None``: the smallest n that keeps the model at most
        ``THERMAL_AUTO_COLUMNS`` columns (a year of conduction with radiosity for 16,384 columns
        takes ~10 min on 2 cores; ``lupex thermal`` always runs every pixel).
    thermal_spinup_days : float
        Spin-up span before the thermal window [d].
    thermal_radiosity : str
        Scattered sunlight and terrain infrared: ``"auto"`` (all facet pairs up to 2500 facets,
        the hierarchical operator beyond), ``"dense"``, ``"hierarchical"`` or ``"none"``.
    thermal_depths_m : list of float
        Depths of the extra temperature maps [m] (the surface is always mapped).
    volatile_species : list of str
        Species of the cold-trap maps.
    loss_mm_per_gyr : float
        Loss rate that defines volatile stability [mm per Gyr].
    horizon_device : str
        ``"cpu"``, ``"gpu"`` or ``"auto"`` (:func:`lupex.horizon.compute_horizon_tile`); not part
        of the cache key (both engines compute the same horizons).
    scenario : str, optional
        Scenario TOML (lander, rover, site criteria); defaults when ``None``.
    """

    dem: str | None = None
    synth_size_km: float = 20.0
    synth_pixel_m: float = 80.0
    synth_seed: int = 7
    start: str = "2028-09-01T00:00"
    stop: str = "2028-11-01T00:00"
    step: str = "2h"
    site_lat_deg: float | None = None
    site_lon_deg: float | None = None
    n_azimuths: int = 360
    observer_height_m: float = 0.0
    far_field: str = "auto"
    psr_span: str = "window"
    thermal_window: str = "year"
    thermal_step: str = "2h"
    thermal_decimate: int | None = None
    thermal_spinup_days: float = 365.25
    thermal_radiosity: str = "auto"
    thermal_depths_m: list[float] = field(default_factory=lambda: [0.1, 0.5, 1.0])
    volatile_species: list[str] = field(default_factory=lambda: ["H2O", "CO2", "NH3", "SO2",
                                                                 "H2S", "CH4", "CO"])
    loss_mm_per_gyr: float = 1.0
    horizon_device: str = "cpu"
    scenario: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class ModelChain:
    """Run lupex stages in order into a run folder, caching and resuming.

    Parameters
    ----------
    run_dir : path-like
        Output folder (created).
    config : ChainConfig
        Parameters.
    progress : callable, optional
        ``progress(stage, done, total)`` for progress bars.
    """

    def __init__(self, run_dir: str | os.PathLike[str], config: ChainConfig | None = None, *,
                 progress: Callable[[str, int, int], None] | None = None) -> None:
        self.run_dir = Path(run_dir)
        self.config = config or ChainConfig()
        self.progress = progress
        for sub in ("maps", "tables", "plans", "cache"):
            (self.run_dir / sub).mkdir(parents=True, exist_ok=True)
        self._meta = self._load_meta()
        self.results: dict[str, Any] = {}

    # -- bookkeeping -------------------------------------------------------------------------
    def _load_meta(self) -> dict[str, Any]:
        p = self.run_dir / "run.json"
        if p.exists():
            try:
                return json.loads(p.read_text(encoding="utf-8"))
            except json.JSONDecodeError:
                return {}
        return {}

    def _save_meta(self) -> None:
        self._meta.update(provenance("lupex.chain.ModelChain", **asdict(self.config)))
        write_json_atomic(self.run_dir / "run.json", self._meta)

    def stage_key(self, stage: str) -> str:
        """Hash of the parameters that matter to ``stage`` and of the keys of its inputs.

        Dependencies follow the data flow, not the run order: horizons depend on the terrain
        only, so a new time window reuses them.
        """
        c = asdict(self.config)
        payload: dict[str, Any] = {"params": {k: c[k] for k in _RELEVANT[stage]},
                                   "inputs": [self.stage_key(d) for d in _DEPENDS[stage]]}
        if stage == "terrain" and c["dem"]:
            st = Path(c["dem"]).stat() if Path(c["dem"]).exists() else None
            payload["dem_file"] = [st.st_size, st.st_mtime_ns] if st else None
        if stage in ("sites", "traverse") and c["scenario"] and Path(c["scenario"]).exists():
            payload["scenario_sha"] = hashlib.sha256(Path(c["scenario"]).read_bytes()).hexdigest()
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]

    def is_done(self, stage: str) -> bool:
        rec = self._meta.get("stages", {}).get(stage)
        if not rec or rec.get("key") != self.stage_key(stage):
            return False
        return all((self.run_dir / o).exists() for o in rec.get("outputs", []))

    def _mark_done(self, stage: str, outputs: list[str], summary: dict[str, Any] | None = None) -> None:
        self._meta.setdefault("stages", {})[stage] = {"key": self.stage_key(stage),
                                                      "outputs": outputs}
        if summary:
            self._meta.setdefault("summary", {}).update(summary)
        self._save_meta()

    # -- stages ------------------------------------------------------------------------------
    def run_terrain(self):
        """Read or synthesise the DEM; write ``maps/dem.tif`` and ``maps/dem.png``."""
        from lupex.io.geotiff import write_geotiff
        from lupex.io.quicklook import write_quicklook
        from lupex.terrain import read_dem, synthetic_south_pole

        c = self.config
        out = self.run_dir / "maps" / "dem.tif"
        if self.is_done("terrain"):
            dem = read_dem(out)
        else:
            if c.dem:
                dem = read_dem(c.dem)
            else:
                dem = synthetic_south_pole(size_km=c.synth_size_km, pixel_m=c.synth_pixel_m,
                                           seed=c.synth_seed)
            write_geotiff(dem, out, provenance=provenance("lupex.chain.run_terrain", **asdict(c)))
            write_quicklook(dem, out.with_suffix(".png"), title="Terrain (elevation above 1737.4 km)",
                            cmap="terrain", shade=dem)
            self._mark_done("terrain", ["maps/dem.tif", "maps/dem.png"],
                            {"dem": c.dem or "synthetic south-pole terrain",
                             "dem_shape": f"{dem.shape[0]} x {dem.shape[1]}"})
        self.results["terrain"] = dem
        return dem

    def site(self) -> tuple[float, float]:
        """The point-time-series site: the configured one or the DEM centre."""
        c = self.config
        if c.site_lat_deg is not None and c.site_lon_deg is not None:
            return float(c.site_lat_deg), float(c.site_lon_deg)
        import numpy as np

        from lupex.terrain import xy_to_latlon_deg

        dem = self.results.get("terrain")
        if dem is None:
            dem = self.run_terrain()
        xc = np.array([float(dem["x"].values.mean())])
        yc = np.array([float(dem["y"].values.mean())])
        lat, lon = xy_to_latlon_deg(xc, yc, dem.rio.crs)
        return float(lat[0]), float(lon[0])

    def run_ephemeris(self):
        """Sun and Earth as seen from the site over the window: ``tables/ephemeris_site.csv``."""
        from lupex.ephemeris import time_grid, topocentric
        from lupex.io.atomic import write_text_atomic

        c = self.config
        out = self.run_dir / "tables" / "ephemeris_site.csv"
        lat, lon = self.site()
        times = time_grid(c.start, c.stop, c.step)
        ds = topocentric(lat, lon, times, height_m=0.0)
        if not self.is_done("ephemeris"):
            df = ds.to_dataframe().reset_index()
            df.insert(0, "time_utc", df.pop("time").dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
            write_text_atomic(out, df.to_csv(index=False, float_format="%.6f"))
            self._plot_ephemeris(ds, lat, lon)
            self._mark_done("ephemeris", ["tables/ephemeris_site.csv", "maps/ephemeris_site.png"],
                            {"site": f"{lat:.3f}, {lon:.3f}", "window": f"{c.start} .. {c.stop}"})
        self.results["ephemeris"] = ds
        return ds

    def _plot_ephemeris(self, ds, lat: float, lon: float) -> None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        from lupex.io.atomic import atomic_path

        fig, ax = plt.subplots(figsize=(8, 3.6), dpi=110)
        t = ds["time"].values
        ax.plot(t, ds["sun_elevation_deg"].values, label="Sun elevation", color="#e39b00")
        ax.plot(t, ds["earth_elevation_deg"].values, label="Earth elevation", color="#2a6fdb")
        ax.axhline(0, color="k", lw=0.6)
        ax.set_ylabel("elevation above the local horizontal [deg]")
        ax.set_title(f"Sun and Earth from {lat:.3f} deg, {lon:.3f} deg (smooth sphere, no terrain)")
        ax.legend(loc="upper right")
        fig.autofmt_xdate()
        fig.tight_layout()
        with atomic_path(self.run_dir / "maps" / "ephemeris_site.png") as tmp:
            fig.savefig(tmp, format="png")
        plt.close(fig)

    def run_horizon(self):
        """Horizon cube into ``cache/horizons.zarr`` (resumable); max-horizon and sky-view maps."""
        from lupex.horizon.store import horizon_summary_maps, open_horizons, write_horizons_zarr
        from lupex.io.geotiff import write_geotiff
        from lupex.io.quicklook import write_quicklook

        c = self.config
        dem = self.results.get("terrain")
        if dem is None:
            dem = self.run_terrain()
        store = self.run_dir / "cache" / "horizons.zarr"
        if not self.is_done("horizon"):
            ff = self._far_field()
            cb = (lambda d, t: self.progress("horizon", d, t)) if self.progress else None
            write_horizons_zarr(dem, store, n_azimuths=c.n_azimuths,
                                observer_height_m=c.observer_height_m, far_field=ff,
                                progress=cb, device=c.horizon_device, overwrite=store.exists() and not self._same_key(
                                    "horizon_store"))
            hor = open_horizons(store)
            hmax, svf = horizon_summary_maps(hor)
            prov = provenance("lupex.chain.run_horizon", **asdict(c))
            for da, cmap in ((hmax, "cividis"), (svf, "viridis")):
                tif = self.run_dir / "maps" / f"{da.name}.tif"
                write_geotiff(da, tif, provenance=prov)
                write_quicklook(da, tif.with_suffix(".png"), cmap=cmap, shade=dem)
            self._meta.setdefault("stages", {})["horizon_store"] = {"key": self.stage_key("horizon")}
            self._mark_done("horizon", ["cache/horizons.zarr", "maps/horizon_max_deg.tif",
                                        "maps/sky_view_factor.tif"],
                            {"horizon": f"{c.n_azimuths} azimuths, far field "
                                        f"{hor.attrs.get('far_field', c.far_field)}"})
        hor = open_horizons(store)
        self.results["horizon"] = hor
        return hor

    def run_illumination(self):
        """Sun/Earth visibility maps, PSR, longest darkness over the window into ``maps/``."""
        from lupex.illumination import illumination_maps
        from lupex.illumination.output import illumination_summary, write_illumination_outputs

        c = self.config
        hor = self.results.get("horizon")
        if hor is None:
            hor = self.run_horizon()
        names = ("sun_fraction_mean", "sun_any_fraction", "psr", "longest_darkness_h",
                 "earth_visible_fraction", "sun_and_earth_fraction")
        if self.is_done("illumination"):
            import xarray as xr

            ds = xr.Dataset({n: _read_map(self.run_dir / "maps" / f"{n}.tif") for n in names})
        else:
            dem = self.results["terrain"]
            cb = (lambda d, t: self.progress("illumination", d, t)) if self.progress else None
            ds = illumination_maps(dem, hor, c.start, c.stop, c.step, psr_span=c.psr_span,
                                   cache_dir=self.run_dir / "cache" / "illumination", progress=cb)
            prov = provenance("lupex.chain.run_illumination", **asdict(c))
            outputs = write_illumination_outputs(ds, dem, self.run_dir, provenance=prov,
                                                 subtitle=f"{c.start} .. {c.stop}")
            summ = illumination_summary(ds, dem)
            self._mark_done("illumination", outputs, {
                "psr_area_km2": round(summ["psr_area_km2"], 3),
                "best_mean_sun_fraction": round(summ["sun_fraction_mean_max"], 4)})
        self.results["illumination"] = ds
        return ds

    def run_thermal(self):
        """Regolith temperatures under direct, scattered and re-emitted light into ``maps/``.

        Hayne et al. (2017) columns on every ``thermal_decimate``-th pixel over one year from
        the window start (``thermal_window = "year"``) after ``thermal_spinup_days`` of spin-up;
        resumable from ``cache/thermal_state.npz``. Writes the max / mean / min surface maps,
        the maxima at ``thermal_depths_m`` and ``cache/thermal.zarr`` (for the volatiles).
        """
        import numpy as np

        from lupex.errors import ParameterError
        from lupex.thermal.maps import (
            discard_checkpoint,
            open_thermal,
            thermal_maps,
            write_thermal_outputs,
        )
        from lupex.thermal.viewfactors import view_factors_for

        c = self.config
        if self.is_done("thermal"):
            ds = open_thermal(self.run_dir)
            self.results["thermal"] = ds
            return ds
        dem = self.results.get("terrain")
        if dem is None:
            dem = self.run_terrain()
        hor = self.results["horizon"] if self.results.get("horizon") is not None else self.run_horizon()
        d = thermal_block(dem.shape, c.thermal_decimate)
        if d < 1:
            raise ParameterError(f"thermal_decimate = {d}: must be >= 1 (1 models every pixel).")
        if c.thermal_window not in ("year", "window"):
            raise ParameterError(f"thermal_window = {c.thermal_window!r}: use 'year' or 'window'.")
        if d == 1:
            dem_t, hor_t = dem, hor
        else:
            # a block-mean DEM and its own horizons: direct sunlight, slopes and view factors
            # then see the same (coarser) terrain (subsampled fine horizons would put 80 m pits
            # on facets whose 320 m view factors see no walls: a few isolated 24 K pixels)
            from lupex.horizon import horizon_map

            dem_t = _block_mean(dem, d)
            hor_t = horizon_map(dem_t, n_azimuths=c.n_azimuths,
                                observer_height_m=c.observer_height_m, far_field=self._far_field())
        start = np.datetime64(c.start, "s")
        stop = (start + np.timedelta64(365 * 86400 + 6 * 3600, "s") if c.thermal_window == "year"
                else np.datetime64(c.stop, "s"))
        F = view_factors_for(dem_t, c.thermal_radiosity)
        cb = (lambda k, t: self.progress("thermal", k, t)) if self.progress else None
        ckpt = self.run_dir / "cache" / "thermal_state.npz"
        ds = thermal_maps(dem_t, hor_t, str(start), str(stop), c.thermal_step,
                          depths_m=[0.0, *c.thermal_depths_m], view_factors=F,
                          spinup_days=c.thermal_spinup_days, progress=cb, checkpoint=ckpt)
        prov = provenance("lupex.chain.run_thermal", **asdict(c))
        outs = write_thermal_outputs(ds, self.run_dir, provenance=prov)
        discard_checkpoint(ckpt)
        tmax = ds["t_surface_max_k"].values
        ill = self.results.get("illumination")
        if ill is None:
            ill = self.run_illumination()
        psr = (ill["psr"] == 1).astype(float)
        psr = _block_mean(psr, d).values > 0.5  # a block is PSR when most of its pixels are
        in_psr = tmax[psr & np.isfinite(tmax)]
        self._mark_done("thermal", [str(Path(p).relative_to(self.run_dir)) for p in outs],
                        {"thermal": f"{dem_t.shape[0]} x {dem_t.shape[1]} columns, "
                                    f"{str(start)[:10]} .. {str(stop)[:10]} at {c.thermal_step}, "
                                    f"radiosity {c.thermal_radiosity}",
                         "psr_median_max_temperature_k": (round(float(np.median(in_psr)), 1)
                                                          if in_psr.size else None)})
        self.results["thermal"] = ds
        return ds

    def _far_field(self):
        """The far field of the horizon runs: None, "auto" or a DEM read from its path."""
        c = self.config
        ff = None if c.far_field == "none" else c.far_field
        if ff not in (None, "auto"):
            from lupex.terrain import read_dem

            ff = read_dem(ff)
        return ff

    def run_volatiles(self):
        """Cold traps per species and the water-ice stability depth from the thermal maps."""
        from lupex.volatiles import volatile_maps
        from lupex.volatiles.maps import write_volatile_outputs

        c = self.config
        ds_t = self.results.get("thermal")
        if ds_t is None:
            ds_t = self.run_thermal()
        if self.is_done("volatiles"):
            return None
        import warnings

        from lupex.volatiles.vapor_pressure import ExtrapolationWarning

        with warnings.catch_warnings(record=True) as caught:  # kept in run.json, not on screen
            warnings.simplefilter("always", ExtrapolationWarning)
            ds = volatile_maps(ds_t, species=c.volatile_species, loss_mm_per_gyr=c.loss_mm_per_gyr)
        notes = sorted({str(w.message) for w in caught if issubclass(w.category, ExtrapolationWarning)})
        prov = provenance("lupex.chain.run_volatiles", **asdict(c))
        dem = self.results.get("terrain")
        shade = None if dem is None else _block_mean(dem, thermal_block(dem.shape,
                                                                        c.thermal_decimate))
        outs = write_volatile_outputs(ds, self.run_dir, provenance=prov, shade=shade)
        px_km2 = abs(float(ds["x"][1] - ds["x"][0]) * float(ds["y"][1] - ds["y"][0])) / 1e6
        areas = {k.removeprefix("cold_trap_"): round(float((v.values == 1).sum()) * px_km2, 2)
                 for k, v in ds.data_vars.items() if k.startswith("cold_trap_")}
        self._mark_done("volatiles", [str(Path(p).relative_to(self.run_dir)) for p in outs],
                        {"cold_trap_km2": areas,
                         **({"volatile_law_notes": notes} if notes else {})})
        self.results["volatiles"] = ds
        return ds

    def run_sites(self):
        """Rank landing sites from the illumination maps: ``tables/sites.csv``, GeoJSON, map."""
        from lupex.sites import load_site_maps, score_sites, write_site_outputs

        c = self.config
        if self.results.get("illumination") is None:
            self.run_illumination()
        dem = self.results["terrain"]
        sc = self._scenario()
        if not self.is_done("sites"):
            res = score_sites(dem, load_site_maps(self.run_dir), lander=sc.lander,
                              criteria=sc.sites, rover_max_darkness_h=sc.rover.max_darkness_h)
            paths = write_site_outputs(res, self.run_dir, dem=dem,
                                       provenance=provenance("lupex.chain.run_sites", **asdict(c)))
            rel = [str(Path(p).relative_to(self.run_dir)) for p in paths.values()]
            best = {}
            if len(res.candidates):
                r0 = res.candidates.iloc[0]
                best = {"best_site": f"{r0['lat_deg']:.4f}, {r0['lon_deg']:.4f} "
                                     f"(score {r0['score']:.3f})"}
            self._mark_done("sites", rel, best)
            self.results["sites"] = res
        return self.results.get("sites")

    def run_traverse(self):
        """Drive from the best landing site to the nearest drivable PSR edges and back to light.

        Targets are the scenario's ``traverse.auto_targets`` nearest permanently shadowed edge
        pixels within ``traverse.auto_target_max_distance_m`` (:func:`lupex.traverse.
        psr_edge_targets`); the route is planned from the window start over
        ``traverse.window_h`` at the window's time step. An infeasible plan is recorded with
        its reason (``summary.traverse``) rather than failing the run.
        """
        import numpy as np

        from lupex.errors import InfeasibleError
        from lupex.terrain import slope_aspect
        from lupex.traverse import plan_traverse, psr_edge_targets, visibility_stack
        from lupex.traverse.output import write_traverse_outputs

        c = self.config
        if self.is_done("traverse"):
            return self.results.get("traverse")
        if self.results.get("sites") is None:
            self.run_sites()
        import pandas as pd

        sites_csv = self.run_dir / "tables" / "sites.csv"
        cands = pd.read_csv(sites_csv) if sites_csv.exists() else pd.DataFrame()
        dem = self.results["terrain"]
        hor = self.results["horizon"] if self.results.get("horizon") is not None else self.run_horizon()
        ill = self.results.get("illumination")
        if ill is None:
            ill = self.run_illumination()
        sc = self._scenario()
        opts = sc.traverse
        if not len(cands):
            self._mark_done("traverse", [], {"traverse": "not planned: no landing site passed "
                                                         "the hard constraints"})
            return None
        r0 = cands.sort_values("rank").iloc[0]
        start_xy = (float(r0["x_m"]), float(r0["y_m"]))
        slope, _ = slope_aspect(dem)
        targets = psr_edge_targets(ill["psr"], slope, start_xy, n=opts.auto_targets,
                                   max_slope_deg=sc.rover.slope_planning_deg,
                                   max_distance_m=opts.auto_target_max_distance_m
                                   ) if opts.auto_targets else []
        t0 = np.datetime64(c.start, "s")
        step = np.timedelta64(round(sc.window.step_h * 3600), "s")
        n = int(np.ceil(opts.window_h * 3600 / (step / np.timedelta64(1, "s"))))
        cb = (lambda d, t: self.progress("traverse", d, t)) if self.progress else None
        stack = visibility_stack(dem, hor, t0 + np.arange(n) * step, progress=cb)
        try:
            plan = plan_traverse(dem, stack, start_xy=start_xy, start_time=t0, targets_xy=targets,
                                 rover=sc.rover, **opts.planner_kwargs())
        except InfeasibleError as exc:
            self._mark_done("traverse", [], {"traverse": f"infeasible: {exc}"})
            return None
        out = write_traverse_outputs(plan, self.run_dir, dem=dem,
                                     provenance=provenance("lupex.chain.run_traverse", **asdict(c)))
        s = plan.summary
        self._mark_done("traverse", [str(Path(p).relative_to(self.run_dir)) for p in out.values()],
                        {"traverse": f"{len(targets)} PSR-edge target(s), "
                                     f"{s['distance_m'] / 1e3:.2f} km in {s['duration_h']:.1f} h, "
                                     f"min SOC {s['soc_min_fraction']:.2f}"})
        self.results["traverse"] = plan
        return plan

    def _scenario(self):
        from lupex.mission import Scenario

        c = self.config
        return Scenario() if c.scenario is None else Scenario.load(c.scenario)

    def _same_key(self, name: str) -> bool:
        rec = self._meta.get("stages", {}).get(name)
        return bool(rec) and rec.get("key") == self.stage_key("horizon")

    def run(self, *, stages: tuple[str, ...] | None = None) -> dict[str, Any]:
        """Run the available stages in order (resuming finished ones) and write the report."""
        from lupex.report import write_report

        todo = stages or self.available_stages()
        for s in STAGES:
            if s in todo:
                getattr(self, f"run_{s}")()
        write_report(self.run_dir, title="lupex run")
        return self.results

    @staticmethod
    def available_stages() -> tuple[str, ...]:
        """Stages whose layers are installed in this version of lupex."""
        return tuple(s for s in STAGES if hasattr(ModelChain, f"run_{s}"))


def _block_mean(da, d: int):
    """Mean over blocks of d x d pixels (ragged edges dropped), CRS and attrs kept."""
    if d == 1:
        return da
    out = da.coarsen(y=d, x=d, boundary="trim").mean()
    out.attrs.update(da.attrs)
    return out.rio.write_crs(da.rio.crs) if da.rio.crs is not None else out


def _read_map(path: Path):
    """Re-open a map this chain wrote (one band GeoTIFF) as a ``(y, x)`` DataArray."""
    import rioxarray

    da = rioxarray.open_rasterio(path, masked=False).squeeze("band", drop=True)
    return da.load()
