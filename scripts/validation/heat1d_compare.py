"""Run lupex.thermal and the heat1d package (Hayne's reference code) side by side.

The equatorial diurnal curve of the Hayne et al. (2017) standard model at 1 AU, fixed Sun
distance and zero declination, both spun up (heat1d: N Earth years of explicit steps, lupex:
accelerated periodic spin-up). Prints the max and RMS difference of the surface temperature
and of the temperature at a few depths, and the noon / midnight / pre-dawn values.

heat1d is NOT a lupex dependency. Install it into a throw-away venv first:

    python3 -m venv /tmp/h1d && /tmp/h1d/bin/pip install heat1d==0.3.2 planets==0.4.6 numpy

then run (from the repository root, with the project's venv):

    .venv/bin/python scripts/validation/heat1d_compare.py --heat1d-python /tmp/h1d/bin/python

heat1d 0.3.2 still uses NumPy's removed ``np.float`` / ``np.int`` aliases; the runner below
restores them before import. Its ``lt`` output counts hours from local noon. Its planet table
uses H = 0.07 m; we set H = 0.06 m (Hayne 2017 Table A1) in both models, and remove the Earth's
orbital eccentricity and the Moon's obliquity so that the Sun distance and declination are fixed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import textwrap

import numpy as np

HEAT1D_RUNNER = textwrap.dedent("""
    import json, sys
    import numpy as np
    np.float = float; np.int = int  # heat1d 0.3.2 uses the aliases NumPy removed in 1.24
    import planets, heat1d
    years, H = float(sys.argv[1]), float(sys.argv[2])
    moon = planets.Moon
    moon.H = H
    moon.eccentricity = 0.0
    moon.obliquity = 0.0
    cfg = heat1d.Configurator(NYEARSEQ=years)
    m = heat1d.Model(planet=moon, lat=0.0, ndays=1, config=cfg)
    m.run()
    json.dump(dict(lt=m.lt.tolist(), z=m.profile.z.tolist(), T=m.T.tolist(), dt=m.dtout,
                   S=moon.S, day=moon.day), sys.stdout)
""")


def run_heat1d(python: str, years: float, h_m: float) -> dict:
    out = subprocess.run([python, "-c", HEAT1D_RUNNER, str(years), str(h_m)], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout)


def run_lupex(n_steps: int, depths: list[float], h_m: float, day_s: float, s0: float,
              interface_conductivity: str = "mean"):
    from dataclasses import replace

    from lupex.thermal import RegolithParams, idealized_diurnal_flux, simulate

    params = replace(RegolithParams(), h_parameter_m=h_m, solar_constant_w_m2=s0)
    flux, hours = idealized_diurnal_flux(0.0, n_steps, period_s=day_s, params=params)
    stats, info = simulate(flux, dt_s=day_s / n_steps, params=params, depths_m=depths,
                           series_columns=[0], interface_conductivity=interface_conductivity)
    return hours, stats.series_k[0], info


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--heat1d-python", default="/tmp/h1d/bin/python")
    ap.add_argument("--years", type=float, default=8.0, help="heat1d spin-up [Earth years]")
    ap.add_argument("--steps-per-day", type=int, default=2952, help="lupex steps per lunar day")
    ap.add_argument("--h-m", type=float, default=0.06)
    args = ap.parse_args(argv)

    ref = run_heat1d(args.heat1d_python, args.years, args.h_m)
    lt = np.asarray(ref["lt"]) % 24.0
    z_ref = np.asarray(ref["z"])
    T_ref = np.asarray(ref["T"])
    depths = [0.0, 0.01, 0.05, 0.1, 0.3]
    runs = {rule: run_lupex(args.steps_per_day, depths, args.h_m, ref["day"], ref["S"], rule)
            for rule in ("mean", "upper")}
    hours, series, info = runs["mean"]

    print(f"heat1d 0.3.2: {args.years:g} yr spin-up, dt = {ref['dt']:.0f} s, {len(z_ref)} nodes to "
          f"{z_ref[-1]:.2f} m")
    print(f"lupex: {args.steps_per_day} steps per lunar day (dt = {ref['day'] / args.steps_per_day:.0f} s), "
          f"spin-up {info.cycles} lunar days (converged={info.converged}, last correction "
          f"{info.max_correction_k:.4f} K, bottom drift {info.bottom_drift_k_per_year:.4f} K/yr)")
    for rule, label in (("mean", "lupex default (interface K = mean of the two nodes)"),
                        ("upper", "lupex with heat1d's interface rule (K of the upper node)")):
        h_r, s_r, _ = runs[rule]
        print()
        print(label)
        print(f"{'depth_m':>8} {'max|dT|_K':>10} {'at_lt_h':>8} {'rms_dT_K':>9} {'mean_heat1d':>11} "
              f"{'mean_lupex':>10}")
        for j, d in enumerate(depths):
            ref_d = np.array([np.interp(d, z_ref, row) for row in T_ref])
            ours = np.interp(lt, h_r, s_r[:, j], period=24.0)
            diff = ours - ref_d
            k = int(np.argmax(np.abs(diff)))
            print(f"{d:8.3f} {abs(diff[k]):10.2f} {lt[k]:8.2f} {np.sqrt(np.mean(diff**2)):9.2f} "
                  f"{ref_d.mean():11.2f} {ours.mean():10.2f}")
    print()
    print(f"{'local time':>12} {'heat1d_K':>9} {'lupex_K':>8} {'Hayne2017_K':>11}")
    for name, h, pub in (("noon", 0.0, 385.0), ("midnight", 12.0, 101.0), ("pre-dawn", 17.9, 95.0)):
        r = np.interp(h, lt, T_ref[:, 0], period=24.0)
        o = np.interp(h, hours, series[:, 0], period=24.0)
        print(f"{name:>12} {r:9.2f} {o:8.2f} {pub:11.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
