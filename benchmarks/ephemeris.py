"""Benchmark: lupex.ephemeris throughput vs skyfield baselines, and its error vs SPICE.

For 1e4, 1e5, 1e6 epochs (a 10-minute grid from 2020), in one run:

- ``sun_direction_me`` (apparent Sun from the Moon's centre, MOON_ME) and ``topocentric``
  (one surface point: Sun and Earth az/el, radii, sub-points);
- baselines measured in the same run: a per-epoch scalar skyfield loop (the obvious way to
  write it; timed on a small sample, extrapolated) and skyfield called once on the whole
  time array (vectorised, on 1e4 epochs);
- accuracy: max angular error against SPICE (spiceypy spkezr / azlcpo) on random epochs
  1950-2049, and against the skyfield baseline.

Usage: ``python benchmarks/ephemeris.py [--sizes 10000 100000 1000000] [--sample 200]``
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "ephemeris"))  # the SPICE set-up the tests use
LAT, LON = -89.45, 222.7


def _best(f, repeat: int) -> float:
    return _best_wall_cpu(f, repeat)[0]


def _best_wall_cpu(f, repeat: int) -> tuple[float, float]:
    """Best wall-clock time and the process CPU time of that run (all threads) [s]."""
    best = (np.inf, np.inf)
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        f()
        run = (time.perf_counter() - t0, time.process_time() - c0)
        best = min(best, run)
    return best


def _skyfield_setup():
    from lupex.ephemeris.stations import _skyfield

    ts, eph, (pc, frame) = _skyfield()
    site = eph["moon"] + pc.build_latlon_degrees(frame, LAT, LON)
    return ts, eph, frame, site


def _sky_sun_me(ts, eph, frame, et):
    """Skyfield: apparent Sun from the Moon's centre rotated into MOON_ME (vectorised if et
    is an array)."""
    t = ts.tdb_jd(2451545.0, np.asarray(et) / 86400.0)
    v = eph["moon"].at(t).observe(eph["sun"]).apparent().position.km
    r = frame.rotation_at(t)
    return np.einsum("ij...,j...->...i", r, v) if r.ndim == 3 else (r @ v)


def _sky_topo(ts, eph, site, et):
    t = ts.tdb_jd(2451545.0, np.asarray(et) / 86400.0)
    obs = site.at(t)
    out = []
    for body in ("sun", "earth"):
        alt, az, _ = obs.observe(eph[body]).apparent().altaz()
        out += [az.degrees, alt.degrees]
    return out


def _sep_arcsec(a, b):
    a, b = np.atleast_2d(a), np.atleast_2d(b)
    return np.degrees(np.arctan2(np.linalg.norm(np.cross(a, b), axis=-1),
                                 np.sum(a * b, axis=-1))) * 3600


def _sky_unit(az, el):
    az, el = np.radians(az), np.radians(el)
    return np.stack([np.cos(el) * np.sin(az), np.cos(el) * np.cos(az), np.sin(el)], axis=-1)


def accuracy(sample: int) -> dict[str, float]:
    """Max errors [arcsec] vs SPICE on ``sample`` random epochs 1950-2049."""
    import spiceypy as sp
    from _ephem_spice import DATA, kernel_files, random_utc, spice_et, write_lsk

    import lupex.ephemeris as eph

    sp.kclear()
    sp.furnsh(str(write_lsk(DATA / "leap-seconds.list", Path(tempfile.mkdtemp()) / "l.tls")))
    for p in kernel_files().values():
        sp.furnsh(str(p))
    sp.pdpool("BODY301_RADII", [1737.4] * 3)
    t = random_utc(sample, seed=2024)
    et = spice_et(sp, t)
    unit, _ = eph.sun_direction_me(t)
    ref = np.array([sp.spkezr("SUN", e, "MOON_ME", "LT+S", "MOON")[0][:3] for e in et])
    out = {"sun_direction_me vs SPICE spkezr": float(_sep_arcsec(unit, ref).max())}
    ds = eph.topocentric(LAT, LON, t, height_m=2.0)
    p = sp.latrec(1737.4 + 0.002, np.radians(LON), np.radians(LAT))
    for body in ("sun", "earth"):
        st = np.array([sp.azlcpo("ELLIPSOID", body.upper(), e, "LT+S", False, True, p, "MOON",
                                 "MOON_ME")[0] for e in et])
        ours = _sky_unit(ds[f"{body}_azimuth_deg"].values, ds[f"{body}_elevation_deg"].values)
        out[f"topocentric {body} az/el vs SPICE azlcpo"] = float(
            _sep_arcsec(ours, _sky_unit(np.degrees(st[:, 1]), np.degrees(st[:, 2]))).max())
    sp.kclear()
    ts, ephem, frame, _site = _skyfield_setup()
    et_ours = eph.timescales.utc_to_tdb_seconds(t)
    out["sun_direction_me vs skyfield (same kernels)"] = float(
        _sep_arcsec(unit, _sky_sun_me(ts, ephem, frame, et_ours)).max())
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--sample", type=int, default=200, help="epochs for the accuracy check")
    ap.add_argument("--loop-sample", type=int, default=100,
                    help="epochs timed in the per-epoch skyfield loop")
    args = ap.parse_args()

    import numba

    import lupex.ephemeris as eph
    from lupex.ephemeris.timescales import utc_to_tdb_seconds

    warnings.simplefilter("ignore")
    grid = eph.time_grid("2020-01-01", "2040-01-01", "10min")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"# lupex.ephemeris benchmark; numba threads {numba.get_num_threads()}, "
          f"{os.cpu_count()} CPUs, load average {load:.1f}; 10-min grid from 2020-01-01")
    eph.sun_direction_me(grid[:10])  # compile / load the numba cache outside the timings
    eph.topocentric(LAT, LON, grid[:10])

    ts, ephem, frame, site = _skyfield_setup()
    small = utc_to_tdb_seconds(grid[: args.loop_sample])
    loop_sun = _best(lambda: [_sky_sun_me(ts, ephem, frame, e) for e in small], 1) / small.size
    loop_topo = _best(lambda: [_sky_topo(ts, ephem, site, e) for e in small], 1) / small.size
    vec = utc_to_tdb_seconds(grid[:10_000])
    vec_sun = _best(lambda: _sky_sun_me(ts, ephem, frame, vec), 2) / vec.size
    vec_topo = _best(lambda: _sky_topo(ts, ephem, site, vec), 2) / vec.size

    print()
    print("| function | epochs | lupex wall [s] | lupex CPU [s] | lupex epochs/s | skyfield loop "
          "epochs/s (extrap.) | speed-up vs loop | skyfield vectorised epochs/s | speed-up vs "
          "vectorised |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, f, base_loop, base_vec in (
            ("sun_direction_me", lambda t: eph.sun_direction_me(t), loop_sun, vec_sun),
            ("topocentric (1 point)", lambda t: eph.topocentric(LAT, LON, t), loop_topo,
             vec_topo)):
        for n in args.sizes:
            t = grid[:n]
            s, cpu = _best_wall_cpu(lambda t=t, f=f: f(t), 3 if n <= 100_000 else 2)
            print(f"| {name} | {n:,} | {s:.3f} | {cpu:.3f} | {n / s:,.0f} | {1 / base_loop:,.0f} | "
                  f"{base_loop * n / s:,.0f}x | {1 / base_vec:,.0f} | {base_vec * n / s:,.1f}x |")
    print()
    print(f"| accuracy ({args.sample} random epochs 1950-2049; site {LAT}, {LON}) | "
          "max error [arcsec] |")
    print("|---|---:|")
    for k, v in accuracy(args.sample).items():
        print(f"| {k} | {v:.2e} |")


if __name__ == "__main__":
    main()
