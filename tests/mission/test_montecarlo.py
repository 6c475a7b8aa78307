"""Monte Carlo: paired strategies, reproducible rows whatever the number of workers."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from lupex.mission.montecarlo import run_monte_carlo

sys.path.insert(0, str(Path(__file__).parent))
import mission_synth as M


def test_monte_carlo_rows_are_paired_and_reproducible() -> None:
    env = M.environment(n_steps=24 * 6)
    cfg = M.config(env, speed_sigma=0.2, ops_sigma=0.2)

    def truth(seed):  # the truth changes with the seed: wetter east for odd seeds
        return M.StripeTruth(a=0.2 + 0.1 * seed, b=0.01 * (seed % 2))

    t1, s1 = run_monte_carlo(env, cfg, truth, 3, seed=4, landing_accuracy_m=60.0, workers=1)
    t2, _ = run_monte_carlo(env, cfg, truth, 3, seed=4, landing_accuracy_m=60.0, workers=2)
    assert len(t1) == 6 and set(t1["strategy"]) == {"guided", "grid"}
    assert t1.equals(t2)  # each draw has its own seeds: workers change nothing
    # both strategies of one draw land at the same point (common random numbers)
    g = t1.groupby("run")[["landing_x_m", "landing_y_m"]].nunique()
    assert (g.to_numpy() == 1).all()
    # landing points lie within the dispersion radius (+ half a cell of snapping)
    d = np.hypot(t1["landing_x_m"] - cfg.landing_xy[0], t1["landing_y_m"] - cfg.landing_xy[1])
    assert (d <= 60.0 + M.PIX).all()
    assert 0.0 <= s1["guided"]["p_survival"] <= 1.0
    assert s1["runs"] == 3 and "guided_minus_grid_best_sample_wt_pct" in s1
