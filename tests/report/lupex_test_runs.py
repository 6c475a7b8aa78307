"""Run folders for the report and viewer tests.

- :func:`handmade_run`: a few small COGs with known values, a traverse table, sites and plans,
  registered through :class:`lupex.io.runfolder.RunFolder` (no physics, builds in < 1 s).
- :func:`tiny_run`: a real run of a 6 km synthetic scenario through
  :func:`lupex.run.run_scenario` (about 20-80 s), shared by every test of a session and by the
  xdist workers (a lock file; the first worker builds it).
"""

from __future__ import annotations

import fcntl
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

CRS = "IAU_2015:30135"
N = 48
PX = 100.0

TINY_SCENARIO = """
name = "tiny viewer run"
[terrain.synthetic]
size_km = 6.0
pixel_m = 150.0
[horizon]
n_azimuths = 90
far_field = "none"
[window]
start = "2028-09-01T00:00:00"
stop = "2028-09-08T00:00:00"
step = "6h"
[thermal]
decimate = 8
spinup_days = 30
[lander]
max_slope_deg = 40.0
max_darkness_h = 1000.0
ellipse_radius_m = 300.0
[sites]
min_sun_fraction = 0.05
min_separation_m = 500.0
top = 5
[rover]
max_darkness_h = 1000.0
[traverse]
window_h = 96.0
auto_target_max_distance_m = 2000.0
"""


def grid() -> tuple[np.ndarray, np.ndarray]:
    """Pixel centres [m] of the hand-made maps (x east, y north, y decreasing by row)."""
    x = (np.arange(N) - (N - 1) / 2) * PX
    return x, x[::-1].copy()


def handmade_run(root: Path) -> Path:
    """Write the hand-made run folder under ``root/handmade`` and return its path."""
    import pandas as pd

    from lupex.io.atomic import write_text_atomic
    from lupex.io.geotiff import write_geotiff
    from lupex.io.maps import make_map
    from lupex.io.runfolder import RunFolder
    from lupex.terrain.geometry import xy_to_latlon_deg

    run = root / "handmade"
    rf = RunFolder(run)
    x, y = grid()
    xx, yy = np.meshgrid(x, y)
    dem = make_map(1500.0 * np.exp(-(xx**2 + yy**2) / (2 * 1200.0**2)) - 200.0, x=x, y=y,
                   crs=CRS, name="dem", units="m", long_name="elevation above the sphere")
    sun = make_map(((xx - x[0]) / (x[-1] - x[0])).astype(np.float32), x=x, y=y, crs=CRS,
                   name="sun_fraction_mean", units="1",
                   long_name="mean visible fraction of the Sun's disc")
    psr = make_map((xx < -1500).astype(np.uint8), x=x, y=y, crs=CRS, name="psr", units="1",
                   long_name="permanently shadowed")
    tmax = make_map((60.0 + 0.05 * (yy - y[-1])).astype(np.float32), x=x, y=y, crs=CRS,
                    name="t_surface_max_k", units="K", long_name="maximum surface temperature")
    win = ["2028-09-01T00:00:00Z", "2028-09-03T00:00:00Z"]
    for stage, da in (("terrain", dem), ("illumination", sun), ("illumination", psr),
                      ("thermal", tmax)):
        path = run / "maps" / f"{da.name}.tif"
        write_geotiff(da, path)
        rf.add_map(stage, path, da, time_range=None if stage == "terrain" else win)
    # the rover: west to east along y = -1000 m over 10 h from 06:00
    t = pd.date_range("2028-09-01T06:00:00", periods=11, freq="1h")
    tx = np.linspace(-2000.0, 2000.0, 11)
    ty = np.full(11, -1000.0)
    lat, lon = xy_to_latlon_deg(tx, ty, CRS)
    track = pd.DataFrame({"time_utc": t.strftime("%Y-%m-%dT%H:%M:%SZ"), "x_m": tx, "y_m": ty,
                          "lat_deg": lat, "lon_deg": lon,
                          "action": ["drive"] * 5 + ["science"] + ["drive"] * 5,
                          "soc_fraction": np.linspace(1.0, 0.6, 11),
                          "sunlit": [True] * 8 + [False] * 3, "earth_visible": [True] * 11,
                          "leg": [0] * 6 + [1] * 5})
    write_text_atomic(run / "tables" / "traverse.csv", track.to_csv(index=False))
    rf.add_table("traverse", "tables/traverse.csv", long_name="traverse track",
                 units={"x_m": "m", "y_m": "m", "soc_fraction": "1"}, time_range=win)
    legs = pd.DataFrame({"leg": [0, 1], "target": ["PSR edge", "return"],
                         "distance_m": [2000.0, 2000.0], "duration_h": [5.0, 5.0]})
    write_text_atomic(run / "tables" / "traverse_legs.csv", legs.to_csv(index=False))
    rf.add_table("traverse", "tables/traverse_legs.csv", long_name="traverse legs")
    slat, slon = xy_to_latlon_deg(np.array([-2000.0, 1500.0]), np.array([-1000.0, 1200.0]), CRS)
    sites = pd.DataFrame({"rank": [1, 2], "x_m": [-2000.0, 1500.0], "y_m": [-1000.0, 1200.0],
                          "lat_deg": slat, "lon_deg": slon, "score": [0.91, 0.72],
                          "sun": [0.8, 0.6], "earth": [0.4, 0.5]})
    write_text_atomic(run / "tables" / "sites.csv", sites.to_csv(index=False))
    rf.add_table("sites", "tables/sites.csv", long_name="ranked landing-site candidates",
                 units={"x_m": "m", "y_m": "m", "score": "1"})
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "LineString",
                                         "coordinates": np.column_stack([lon, lat]).tolist()},
         "properties": {"name": "planned route",
                        "times_utc": track["time_utc"].tolist()}}]}
    write_text_atomic(run / "plans" / "traverse.geojson", json.dumps(fc))
    rf.add_plan("traverse", "plans/traverse.geojson", long_name="planned traverse",
                time_range=win)
    rf.set("scenario", {"name": "hand-made", "window": {"start": win[0], "stop": win[1],
                                                        "step": "1h"},
                        "lander": {"ellipse_radius_m": 400.0}})
    rf.set("scenario_name", "hand-made test run")
    rf.save()
    return run


def tiny_run(shared_root: Path) -> Path:
    """The real tiny run under ``shared_root/tiny`` (built once, under a lock)."""
    from lupex.run import run_scenario

    shared_root.mkdir(parents=True, exist_ok=True)
    run = shared_root / "tiny"
    with open(shared_root / "tiny.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (run / "done").exists():
            sc = shared_root / "tiny.toml"
            sc.write_text(TINY_SCENARIO, encoding="utf-8")
            run_scenario(sc, run)
            (run / "done").write_text("ok")
    return run


@contextmanager
def live(run: Path) -> Iterator[str]:
    """Serve ``run`` with uvicorn on 127.0.0.1 in a thread; yield the base URL."""
    import uvicorn

    from lupex.view.app import create_app
    from lupex.view.serve import free_port

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(run), host="127.0.0.1", port=port,
                                           log_level="warning"))
    th = threading.Thread(target=server.run, daemon=True)
    th.start()
    t0 = time.monotonic()
    while not server.started:
        if time.monotonic() - t0 > 30 or not th.is_alive():
            raise RuntimeError("the viewer server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        th.join(10)
