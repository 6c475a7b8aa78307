"""Validation run behind the accuracy table of docs/ephemeris.md: lupex.ephemeris vs SPICE.

Random UTC epochs 1950-2049 (and random surface points, -5..+5 km) compared with spiceypy
(SPKEZR from the Moon's centre, SPKCPO from body-fixed points, STR2ET for UTC -> TDB), all with
the kernels lupex reads and an LSK written from the IERS leap-second list (tests/ephemeris).

Usage: ``python scripts/validation/ephemeris_spice.py [--n 2000] [--seed 5]``
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "ephemeris"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=5)
    args = ap.parse_args()

    import spiceypy as sp
    from _ephem_spice import DATA, kernel_files, random_utc, separation_arcsec, spice_et, write_lsk

    import lupex.ephemeris as eph
    from lupex.ephemeris.timescales import utc_to_tdb_seconds

    sp.furnsh(str(write_lsk(DATA / "leap-seconds.list", Path(tempfile.mkdtemp()) / "l.tls")))
    for p in kernel_files().values():
        sp.furnsh(str(p))
    t = random_utc(args.n, args.seed)
    et = spice_et(sp, t)
    rng = np.random.default_rng(args.seed + 1)
    lat = np.degrees(np.arcsin(rng.uniform(-1, 1, t.size)))
    obs = eph.body_fixed_m(lat, rng.uniform(0, 360, t.size), rng.uniform(-5000, 5000, t.size))
    print(f"# {args.n} random epochs 1950-2049 (seed {args.seed})")
    print("| observer | target | max direction error [arcsec] | max distance error [m] |")
    print("|---|---|---:|---:|")
    for label, o in (("Moon centre", None), ("surface points", obs)):
        ours = eph.sun_earth_vectors_me(t, observer_me_m=o)
        for target, key in (("SUN", "sun_m"), ("EARTH", "earth_m")):
            ref = []
            for i, e in enumerate(et):
                if o is None:
                    s, _ = sp.spkezr(target, e, "MOON_ME", "LT+S", "MOON")
                else:
                    s, _ = sp.spkcpo(target, e, "MOON_ME", "OBSERVER", "LT+S",
                                     list(o[i] / 1000.0), "MOON", "MOON_ME")
                ref.append(np.asarray(s[:3]) * 1000.0)
            ref = np.array(ref)
            sep = separation_arcsec(ours[key], ref)
            dd = np.abs(np.linalg.norm(ours[key], axis=1) - np.linalg.norm(ref, axis=1))
            print(f"| {label} | {target.title()} | {sep.max():.2e} | {dd.max():.3f} |")
    t2 = random_utc(5000, args.seed + 2, lo="1950-01-01", hi="2050-12-31")
    dt = np.abs(utc_to_tdb_seconds(t2) - spice_et(sp, t2)).max()
    print(f"\nUTC -> TDB vs STR2ET, 5000 epochs 1950-2050: max |difference| {dt * 1e6:.1f} us")


if __name__ == "__main__":
    main()
