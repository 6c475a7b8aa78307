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

PANELS = (("maps", "dem"), ("maps", "sun_fraction_mean"), ("maps", "psr"),
          ("maps", "t_surface_max_k"), ("maps", "ice_stability_class"), ("maps", "site_score"))


def main(run: str, out: str) -> None:
    fig, axes = plt.subplots(2, 3, figsize=(12.6, 7.6), dpi=100)
    for ax, (sub, name) in zip(axes.ravel(), PANELS, strict=True):
        ax.imshow(mpimg.imread(Path(run) / sub / f"{name}.png"))
        ax.set_axis_off()
    fig.tight_layout(pad=0.2)
    fig.savefig(out)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
