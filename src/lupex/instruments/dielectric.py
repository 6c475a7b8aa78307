"""Permittivity of dry and icy lunar regolith (used by the radar and the permittivity probe).

Dry regolith follows the density law of Olhoeft & Strangway [1] as tabulated by Carrier et
al. [2]: ``eps_dry = 1.919 ** rho`` (rho in g cm-3), 2.66 at 1.5 g cm-3. Ice fills part of the
vacuum pore space; the mixture follows the complex refractive index model (CRIM, e.g. [3]),
linear in the square roots of the permittivities weighted by volume fractions. Replacing a
pore volume fraction ``v`` of vacuum (eps 1) by ice (eps 3.15, [4]) therefore gives::

    sqrt(eps) = sqrt(eps_dry) + v * (sqrt(eps_ice) - 1)                          (1)

The ice volume fraction of a bulk with water-ice mass fraction ``w`` (wt% / 100) over a dry
bulk density ``rho_dry`` is ``v = w / (1 - w) * rho_dry / rho_ice``, at most the porosity
``1 - rho_dry / rho_grain`` (pores full). The loss tangent follows [2]:
``tan_delta = 10 ** (0.038 * (TiO2 + FeO wt%) + 0.312 * rho - 3.260)``.

References
----------
.. [1] Olhoeft, G. R. & Strangway, D. W. (1975). Dielectric properties of the first 100 meters
   of the Moon. Earth Planet. Sci. Lett. 24, 394-404.
.. [2] Carrier, W. D., Olhoeft, G. R. & Mendell, W. (1991). Physical properties of the lunar
   surface. Lunar Sourcebook, ch. 9 (9.3, electrical properties).
.. [3] Birchak, J. R. et al. (1974). High dielectric constant microwave probes for sensing soil
   moisture. Proc. IEEE 62, 93-98 (the CRIM / refractive-index mixing law).
.. [4] Matsuoka, T., Fujita, S. & Mae, S. (1996). Effect of temperature on dielectric properties
   of ice in the range 5-39 GHz. J. Appl. Phys. 80, 5884 (eps' of ice ~3.15, weakly T-dependent).
"""

from __future__ import annotations

import numpy as np

from lupex.errors import ParameterError

ICE_PERMITTIVITY: float = 3.15
"""Real relative permittivity of water ice Ih at radio frequencies (Matsuoka et al. 1996)."""

ICE_DENSITY_KG_M3: float = 930.0
"""Density of water ice Ih at ~100 K [kg m-3] (the value of lupex.volatiles' SPECIES table)."""


def dry_permittivity(density_kg_m3):
    """Real permittivity of dry regolith, ``1.919 ** rho`` with rho in g cm-3 [1] (Olhoeft &
    Strangway 1975; Carrier et al. 1991)."""
    return 1.919 ** (np.asarray(density_kg_m3, dtype=float) / 1000.0)


def loss_tangent(density_kg_m3, tio2_feo_wt_pct):
    """Loss tangent of regolith (Carrier et al. 1991): ``10**(0.038 S + 0.312 rho - 3.260)``
    with S = TiO2 + FeO [wt%] and rho [g cm-3]."""
    rho = np.asarray(density_kg_m3, dtype=float) / 1000.0
    return 10.0 ** (0.038 * np.asarray(tio2_feo_wt_pct, dtype=float) + 0.312 * rho - 3.260)


def porosity(dry_density_kg_m3, grain_density_kg_m3):
    """Pore volume fraction ``1 - rho_dry / rho_grain`` [1]."""
    return 1.0 - np.asarray(dry_density_kg_m3, dtype=float) / grain_density_kg_m3


def ice_volume_fraction(ice_wt_pct, dry_density_kg_m3, *, ice_density_kg_m3=ICE_DENSITY_KG_M3):
    """Volume fraction of ice in the bulk for a water-ice mass fraction [wt%] -> [1]."""
    w = np.asarray(ice_wt_pct, dtype=float) / 100.0
    if np.any(w < 0) or np.any(w >= 1):
        raise ParameterError(f"ice_wt_pct = {ice_wt_pct!r} must lie in [0, 100) wt%.")
    return w / (1.0 - w) * np.asarray(dry_density_kg_m3, dtype=float) / ice_density_kg_m3


def ice_wt_pct_from_volume_fraction(v, dry_density_kg_m3, *, ice_density_kg_m3=ICE_DENSITY_KG_M3):
    """Inverse of :func:`ice_volume_fraction`: water-ice mass fraction [wt%]."""
    m_ice = np.asarray(v, dtype=float) * ice_density_kg_m3
    return 100.0 * m_ice / (m_ice + np.asarray(dry_density_kg_m3, dtype=float))


def saturation_wt_pct(dry_density_kg_m3, grain_density_kg_m3, *,
                      ice_density_kg_m3=ICE_DENSITY_KG_M3):
    """Water-ice abundance that fills the pores completely [wt%] (23.9 wt% at 1500/3100)."""
    return ice_wt_pct_from_volume_fraction(porosity(dry_density_kg_m3, grain_density_kg_m3),
                                           dry_density_kg_m3, ice_density_kg_m3=ice_density_kg_m3)


def icy_permittivity(ice_wt_pct, dry_density_kg_m3, *, eps_ice=ICE_PERMITTIVITY,
                     ice_density_kg_m3=ICE_DENSITY_KG_M3):
    """Real permittivity of regolith whose pores hold ice, Eq. (1) (CRIM)."""
    v = ice_volume_fraction(ice_wt_pct, dry_density_kg_m3, ice_density_kg_m3=ice_density_kg_m3)
    root = np.sqrt(dry_permittivity(dry_density_kg_m3)) + v * (np.sqrt(eps_ice) - 1.0)
    return root * root


def ice_wt_pct_from_permittivity(eps, dry_density_kg_m3, *, eps_ice=ICE_PERMITTIVITY,
                                 ice_density_kg_m3=ICE_DENSITY_KG_M3):
    """Invert Eq. (1): water-ice abundance [wt%] from a measured real permittivity.

    A permittivity below the dry value gives a negative volume fraction, returned as is (an
    unbiased estimator near zero); the caller decides whether to clip.
    """
    e = np.asarray(eps, dtype=float)
    if np.any(e <= 0):
        raise ParameterError(f"permittivity {eps!r} must be > 0.")
    v = (np.sqrt(e) - np.sqrt(dry_permittivity(dry_density_kg_m3))) / (np.sqrt(eps_ice) - 1.0)
    return ice_wt_pct_from_volume_fraction(v, dry_density_kg_m3,
                                           ice_density_kg_m3=ice_density_kg_m3)
