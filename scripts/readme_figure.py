"""Compose docs/img/demo.png (the README picture) from a `lupex demo` run folder.

Usage: python scripts/readme_figure.py lupex-demo docs/img/demo.png
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.image as mpimg
import matplotlib.pyplot as plt

PANELS = ("dem", "sun_fraction_mean", "psr", "site_score")


def main(run: str, out: str) -> None:
    fig, axes = plt.subplots(1, len(PANELS), figsize=(4.2 * len(PANELS), 3.8), dpi=100)
    for ax, name in zip(axes, PANELS, strict=True):
        ax.imshow(mpimg.imread(Path(run) / "maps" / f"{name}.png"))
        ax.set_axis_off()
    fig.tight_layout(pad=0.2)
    fig.savefig(out)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
