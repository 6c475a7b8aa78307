"""Write the landing windows and the transfer budget: CSV tables and the windows' profile plot."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from lupex.io.atomic import atomic_path, write_text_atomic

WINDOWS_CSV = "tables/launch_windows.csv"
PROFILES_CSV = "tables/launch_window_profiles.csv"
TRANSFER_CSV = "tables/transfer.csv"
WINDOWS_PNG = "plots/launch_windows.png"


def plot_profiles(profiles: Any, path: str | os.PathLike[str], *, n: int = 3,
                  title: str = "") -> Path:
    """Sun and Earth elevation (and the terrain horizon toward the Sun) over the first days of
    the ``n`` best windows; PNG written atomically."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ranks = sorted(set(profiles["rank"]))[:n] if len(profiles) else []
    fig, axes = plt.subplots(max(len(ranks), 1), 1, figsize=(8, 2.4 * max(len(ranks), 1)),
                             sharex=True, squeeze=False)
    for ax, r in zip(axes[:, 0], ranks, strict=False):
        p = profiles[profiles["rank"] == r]
        d = p["hours_after_touchdown"] / 24.0
        ax.plot(d, p["sun_elevation_deg"], color="tab:orange", label="Sun elevation")
        ax.plot(d, p["horizon_deg_at_sun"], color="0.4", ls="--", label="horizon toward the Sun")
        ax.plot(d, p["earth_elevation_deg"], color="tab:blue", label="Earth elevation")
        ax.fill_between(d, -10, 10, where=p["sun_fraction"] <= 0, color="0.85", step="mid",
                        label="dark")
        ax.set_ylim(min(-3.0, float(p[["earth_elevation_deg"]].min().iloc[0]) - 1), 10)
        ax.set_ylabel("deg")
        ax.set_title(f"window {r}: touchdown {p['time_utc'].iloc[0]}", fontsize=9)
    axes[0, 0].legend(fontsize=7, loc="upper right", ncol=2)
    axes[-1, 0].set_xlabel("days after touchdown")
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=110)
    plt.close(fig)
    return path


def write_windows(result: Any, run_dir: str | os.PathLike[str], *, title: str = "") -> dict:
    """``tables/launch_windows.csv``, ``tables/launch_window_profiles.csv`` and the plot."""
    run = Path(run_dir)
    out = {"csv": write_text_atomic(run / WINDOWS_CSV,
                                    result.windows.to_csv(index=False, float_format="%.6g")),
           "profiles": write_text_atomic(run / PROFILES_CSV,
                                         result.profiles.to_csv(index=False,
                                                                float_format="%.6g"))}
    out["png"] = plot_profiles(result.profiles, run / WINDOWS_PNG, title=title)
    return out


def transfer_table(plan: Any) -> Any:
    """The budget's phases as a DataFrame (plus a total row)."""
    import pandas as pd

    df = pd.DataFrame(plan.phases)
    total = {"name": "total", "delta_v_m_s": plan.total_delta_v_m_s,
             "duration_s": float(df["duration_s"].sum()),
             "propellant_kg": float(df["propellant_kg"].sum()),
             "mass_before_kg": plan.required_wet_mass_kg,
             "note": f"launch {plan.launch_utc}, landing {plan.landing_utc}, launcher margin "
                     f"{plan.margin_kg:.0f} kg"}
    return pd.concat([df, pd.DataFrame([total])], ignore_index=True)


def write_transfer(plan: Any, run_dir: str | os.PathLike[str]) -> Path:
    """``tables/transfer.csv``."""
    return write_text_atomic(Path(run_dir) / TRANSFER_CSV,
                             transfer_table(plan).to_csv(index=False, float_format="%.6g"))
