"""The layer grid of the 1-D conduction model (Hayne et al. 2017 grid rules).

Nodes sit at depths ``z[0] = 0 < z[1] < ...``; layer thicknesses grow geometrically,
``dz[i+1] = dz[i] (1 + 1/n)``; the first layer is ``1/m`` of the diurnal skin depth and the
bottom lies ``b`` skin depths of the longest forcing period down ([1] Appendix A: m = 10,
n = 5, b = 20). At the poles the forcing that matters for ice is annual, so pass
``bottom_period_s=YEAR_S``; the bottom is then about 2 m deep (more with ``min_bottom_m``).

References
----------
.. [1] Hayne, P. O. et al. (2017). JGR Planets 122, 2371-2400, Appendix A (grid and time step).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lupex.errors import check_range
from lupex.thermal.params import RegolithParams
from lupex.times import SECONDS_PER_DAY

SYNODIC_MONTH_S: float = 29.530589 * SECONDS_PER_DAY
"""Mean synodic month, the lunar solar day [s]."""

YEAR_S: float = 365.25 * SECONDS_PER_DAY
"""Julian year [s] (annual forcing period of the polar Sun; the Sun's declination cycle seen
from the Moon repeats every eclipse year, 346.62 d, and its distance every anomalistic year)."""

_CP0 = 600.0  # [J kg-1 K-1] heat capacity used only to size the grid ([1], as in heat1d)


def skin_depth_m(period_s: float, params: RegolithParams = RegolithParams()) -> float:
    """Thermal skin depth sqrt(kappa P / pi) [m] with the surface diffusivity K_s/(rho_s c_p0)."""
    kappa = params.k_surface_w_m_k / (params.rho_surface_kg_m3 * _CP0)
    return float(np.sqrt(kappa * period_s / np.pi))


@dataclass(frozen=True)
class LayerGrid:
    """Node depths of one regolith column.

    Attributes
    ----------
    z_m : ndarray, shape (nz,)
        Node depths [m], ``z_m[0] == 0`` (the surface node).
    """

    z_m: np.ndarray

    @property
    def nz(self) -> int:
        return int(self.z_m.size)

    @property
    def dz_m(self) -> np.ndarray:
        """Distances between successive nodes [m], shape (nz - 1,)."""
        return np.diff(self.z_m)

    @property
    def bottom_m(self) -> float:
        return float(self.z_m[-1])


def layer_grid(params: RegolithParams = RegolithParams(), *, period_s: float = SYNODIC_MONTH_S,
               bottom_period_s: float | None = None, layers_per_skin_depth: int = 10,
               growth_n: float = 5.0, skin_depths_to_bottom: float = 20.0,
               min_bottom_m: float = 0.0) -> LayerGrid:
    """Build the geometric layer grid of [1].

    Parameters
    ----------
    params : RegolithParams
        Regolith properties (the surface diffusivity sets the skin depth).
    period_s : float
        Shortest forcing period [s] (the lunar day); the first layer is its skin depth / m.
    bottom_period_s : float, optional
        Longest forcing period [s]; the bottom lies ``skin_depths_to_bottom`` of its skin depths
        down. Default: ``period_s``. Use :data:`YEAR_S` for polar (annual) runs.
    layers_per_skin_depth : int
        m of [1] (10).
    growth_n : float
        n of [1]: dz[i+1] = dz[i] (1 + 1/n) (5).
    skin_depths_to_bottom : float
        b of [1] (20).
    min_bottom_m : float
        Lower bound for the bottom depth [m] (e.g. 3.0 to resolve annual waves in dense regolith).
    """
    check_range("period_s", period_s, 0, None, lo_open=True, unit="s")
    check_range("layers_per_skin_depth", layers_per_skin_depth, 1, 1000)
    check_range("growth_n", growth_n, 0, None, lo_open=True)
    check_range("skin_depths_to_bottom", skin_depths_to_bottom, 1, 1000)
    check_range("min_bottom_m", min_bottom_m, 0, 1000, unit="m")
    zs = skin_depth_m(period_s, params)
    zs_bottom = skin_depth_m(bottom_period_s or period_s, params)
    zmax = max(zs_bottom * skin_depths_to_bottom, min_bottom_m)
    dz = zs / layers_per_skin_depth
    z = [0.0]
    while z[-1] < zmax:
        z.append(z[-1] + dz)
        dz *= 1.0 + 1.0 / growth_n
    return LayerGrid(z_m=np.asarray(z, dtype=float))
