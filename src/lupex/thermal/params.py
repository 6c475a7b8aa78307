"""Regolith thermophysical parameters of the standard lunar model and its property laws.

Every number has its source next to it. The defaults are the "standard model" of Hayne et al.
(2017), Appendix A; change any of them with :func:`dataclasses.replace`, e.g.
``replace(RegolithParams(), albedo0=0.07, geothermal_flux_w_m2=0.016)``.

References
----------
.. [1] Hayne, P. O. et al. (2017). Global regolith thermophysical properties of the Moon from the
   Diviner Lunar Radiometer Experiment. JGR Planets 122, 2371-2400, doi:10.1002/2017JE005387.
   Appendix A, Table A1 (parameters), eq. A2-A6 (density, conductivity, heat capacity).
.. [2] Ledlow, M. J. et al. (1992). Subsurface emissions from Mercury: VLA radio observations at
   2 and 6 centimeters. ApJ 384, 640-655; Hemingway, B. S. et al. (1981). The heat capacities of
   Apollo lunar soils, Proc. Lunar Planet. Sci. 12B, 1139-1158 (the heat-capacity data fitted by
   the polynomial of [1] eq. A6).
.. [3] Keihm, S. J. (1984). Interpretation of the lunar microwave brightness temperature spectrum.
   Icarus 60, 568-589; Vasavada, A. R. et al. (2012). Lunar equatorial surface temperatures and
   regolith properties from the Diviner Lunar Radiometer Experiment. JGR 117, E00H18
   (incidence-dependent albedo, [1] eq. A5).
.. [4] Langseth, M. G. et al. (1976). Revised lunar heat-flow values. Proc. Lunar Sci. Conf. 7th,
   3143-3171 (Apollo 15: 21 mW m-2, Apollo 17: 14 mW m-2; [1] uses 18 mW m-2; Siegler &
   Smrekar 2014 JGR 119 give 16-18 mW m-2 for the poles).
.. [5] Mitchell, D. L. & de Pater, I. (1994). Microwave imaging of Mercury's thermal emission at
   wavelengths from 0.3 to 20.5 cm. Icarus 110, 2-32 (radiative conductivity term, chi).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import numpy as np

from lupex.constants import SOLAR_CONSTANT_W_M2, STEFAN_BOLTZMANN
from lupex.errors import ParameterError, check_range

#: Heat-capacity polynomial of [1] eq. A6, c0 + c1 T + ... + c4 T^4 [J kg-1 K-1], from [2].
HEAT_CAPACITY_COEFFS: tuple[float, float, float, float, float] = (
    -3.6125, 2.7431, 2.3616e-3, -1.2340e-5, 8.9093e-9)


@dataclass(frozen=True)
class RegolithParams:
    """Thermophysical parameters of one regolith column (the Hayne et al. 2017 standard model).

    Attributes
    ----------
    rho_surface_kg_m3, rho_deep_kg_m3 : float
        Bulk density at the surface and at depth z >> H [kg m-3]: 1100 and 1800 ([1] Table A1).
    k_surface_w_m_k, k_deep_w_m_k : float
        Contact (phonon) conductivity at the surface and at depth [W m-1 K-1]: 7.4e-4 and 3.4e-3
        ([1] Table A1).
    h_parameter_m : float
        e-folding depth H of density and contact conductivity [m]: 0.06 ([1] Table A1, the
        global mean H parameter; the heat1d package defaults to 0.07).
    chi : float
        Radiative conductivity parameter, K = K_c (1 + chi (T/350)^3): 2.7 ([1] eq. A4, [5]).
    albedo0 : float
        Normal-incidence bolometric Bond albedo A0: 0.12 ([1] Table A1).
    albedo_a, albedo_b : float
        Coefficients of A(i) = A0 + a (i/(pi/4))^3 + b (i/(pi/2))^8: 0.06 and 0.25 ([1] eq. A5,
        [3]).
    emissivity : float
        Infrared emissivity: 0.95 ([1] Table A1).
    geothermal_flux_w_m2 : float
        Interior heat flow at the bottom of the column [W m-2]: 0.018 ([1], [4]).
    solar_constant_w_m2 : float
        Total solar irradiance at 1 AU [W m-2]: 1361 (Kopp & Lean 2011, as in [1] and heat1d).
    heat_capacity_coeffs : tuple of 5 float
        c0..c4 of the heat-capacity polynomial [J kg-1 K-1] ([1] eq. A6, [2]).
    """

    rho_surface_kg_m3: float = 1100.0
    rho_deep_kg_m3: float = 1800.0
    k_surface_w_m_k: float = 7.4e-4
    k_deep_w_m_k: float = 3.4e-3
    h_parameter_m: float = 0.06
    chi: float = 2.7
    albedo0: float = 0.12
    albedo_a: float = 0.06
    albedo_b: float = 0.25
    emissivity: float = 0.95
    geothermal_flux_w_m2: float = 0.018
    solar_constant_w_m2: float = SOLAR_CONSTANT_W_M2
    heat_capacity_coeffs: tuple[float, float, float, float, float] = HEAT_CAPACITY_COEFFS

    def __post_init__(self) -> None:
        check_range("rho_surface_kg_m3", self.rho_surface_kg_m3, 0, None, lo_open=True, unit="kg m-3")
        check_range("rho_deep_kg_m3", self.rho_deep_kg_m3, 0, None, lo_open=True, unit="kg m-3")
        check_range("k_surface_w_m_k", self.k_surface_w_m_k, 0, None, lo_open=True, unit="W m-1 K-1")
        check_range("k_deep_w_m_k", self.k_deep_w_m_k, 0, None, lo_open=True, unit="W m-1 K-1")
        check_range("h_parameter_m", self.h_parameter_m, 0, None, lo_open=True, unit="m")
        check_range("chi", self.chi, 0, None)
        check_range("albedo0", self.albedo0, 0, 1, hi_open=True)
        check_range("emissivity", self.emissivity, 0, 1, lo_open=True)
        check_range("geothermal_flux_w_m2", self.geothermal_flux_w_m2, 0, 1, unit="W m-2")
        check_range("solar_constant_w_m2", self.solar_constant_w_m2, 0, None, unit="W m-2")
        if len(self.heat_capacity_coeffs) != 5:
            raise ParameterError("heat_capacity_coeffs must hold 5 numbers c0..c4 (Hayne 2017 eq. A6).")

    def as_dict(self) -> dict:
        """The parameters as a plain dict (for provenance attrs)."""
        d = asdict(self)
        d["heat_capacity_coeffs"] = list(self.heat_capacity_coeffs)
        return d

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


def density(z_m, params: RegolithParams = RegolithParams()):
    """Bulk density rho(z) = rho_d - (rho_d - rho_s) exp(-z/H) [kg m-3] ([1] eq. A2)."""
    p = params
    return p.rho_deep_kg_m3 - (p.rho_deep_kg_m3 - p.rho_surface_kg_m3) * np.exp(-np.asarray(z_m) / p.h_parameter_m)


def contact_conductivity(z_m, params: RegolithParams = RegolithParams()):
    """Contact conductivity K_c(z) = K_d - (K_d - K_s) exp(-z/H) [W m-1 K-1] ([1] eq. A3)."""
    p = params
    return p.k_deep_w_m_k - (p.k_deep_w_m_k - p.k_surface_w_m_k) * np.exp(-np.asarray(z_m) / p.h_parameter_m)


def conductivity(k_contact, t_k, chi: float = 2.7):
    """Conductivity with the radiative term K = K_c (1 + chi (T/350)^3) [W m-1 K-1] ([1] eq. A4)."""
    t = np.asarray(t_k, dtype=float)
    return np.asarray(k_contact) * (1.0 + chi * (t / 350.0) ** 3)


def heat_capacity(t_k, coeffs=HEAT_CAPACITY_COEFFS):
    """Specific heat capacity c_p(T) [J kg-1 K-1] ([1] eq. A6; data of [2]).

    The polynomial turns negative below 1.3 K; temperatures are floored at 2 K.
    """
    t = np.maximum(np.asarray(t_k, dtype=float), 2.0)
    c0, c1, c2, c3, c4 = coeffs
    return c0 + t * (c1 + t * (c2 + t * (c3 + t * c4)))


def albedo_at_incidence(incidence_rad, params: RegolithParams = RegolithParams()):
    """Solar-incidence-dependent albedo A(i) = A0 + a (i/(pi/4))^3 + b (i/(pi/2))^8 ([1] eq. A5, [3]).

    Parameters
    ----------
    incidence_rad : array_like
        Solar incidence angle on the facet [rad]; values beyond pi/2 (Sun behind the facet) are
        clipped to pi/2, where the absorbed direct flux is zero anyway.
    """
    i = np.clip(np.asarray(incidence_rad, dtype=float), 0.0, np.pi / 2)
    p = params
    return np.minimum(p.albedo0 + p.albedo_a * (i / (np.pi / 4)) ** 3 + p.albedo_b * (i / (np.pi / 2)) ** 8, 1.0)


def radiative_equilibrium_k(absorbed_flux_w_m2, params: RegolithParams = RegolithParams()):
    """Temperature [K] of a surface in instantaneous radiative equilibrium with an absorbed flux."""
    f = np.maximum(np.asarray(absorbed_flux_w_m2, dtype=float), 0.0)
    return (f / (params.emissivity * STEFAN_BOLTZMANN)) ** 0.25
