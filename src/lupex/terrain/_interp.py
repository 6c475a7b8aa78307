"""Numba kernel shared by the layers that sample a grid between its nodes."""

from __future__ import annotations

import numba as nb


@nb.njit(cache=True, inline="always")
def bilinear_clamped(grid, r, c):
    """Bilinear value of ``grid`` at fractional row ``r`` and column ``c``, clamped inside.

    Points outside the grid take the value at the nearest edge; a grid of one row or column
    degrades to linear (or nearest) interpolation.
    """
    ny, nx = grid.shape
    if r < 0.0:
        r = 0.0
    if c < 0.0:
        c = 0.0
    if r > ny - 1.0:
        r = ny - 1.0
    if c > nx - 1.0:
        c = nx - 1.0
    r0 = min(int(r), ny - 2) if ny > 1 else 0
    c0 = min(int(c), nx - 2) if nx > 1 else 0
    fr = r - r0
    fc = c - c0
    r1 = min(r0 + 1, ny - 1)
    c1 = min(c0 + 1, nx - 1)
    return ((1.0 - fr) * ((1.0 - fc) * grid[r0, c0] + fc * grid[r0, c1])
            + fr * ((1.0 - fc) * grid[r1, c0] + fc * grid[r1, c1]))
