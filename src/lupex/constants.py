"""Physical constants used across lupex (SI units).

References
----------
.. [1] Archinal, B. A. et al. (2018). Report of the IAU Working Group on Cartographic
   Coordinates and Rotational Elements: 2015. Celest. Mech. Dyn. Astr. 130:22.
   (Moon mean radius 1737.4 km, the LOLA reference sphere.)
.. [2] Prsa, A. et al. (2016). Nominal values for selected solar and planetary quantities:
   IAU 2015 Resolution B3. AJ 152:41. (Nominal solar radius 695 700 km,
   Earth equatorial radius 6378.1 km.)
.. [3] IAU 2012 Resolution B2: astronomical unit = 149 597 870 700 m exactly.
"""

MOON_RADIUS_M: float = 1_737_400.0
"""Radius of the lunar reference sphere (LOLA datum, IAU 2015) [m]."""

SUN_RADIUS_M: float = 695_700_000.0
"""IAU 2015 nominal solar radius [m]."""

EARTH_RADIUS_M: float = 6_378_136.6
"""Earth equatorial radius (IERS 2010 / SPICE pck00010 value 6378.1366 km) [m]."""

AU_M: float = 149_597_870_700.0
"""Astronomical unit [m]."""

SPEED_OF_LIGHT_M_S: float = 299_792_458.0
"""Speed of light in vacuum [m s-1]."""

SOLAR_CONSTANT_W_M2: float = 1361.0
"""Total solar irradiance at 1 AU (Kopp & Lean 2011, GRL 38 L01706) [W m-2]."""

STEFAN_BOLTZMANN: float = 5.670374419e-8
"""Stefan-Boltzmann constant (CODATA 2018) [W m-2 K-4]."""

SOUTH_POLAR_CRS: str = "IAU_2015:30135"
"""The Moon's south polar stereographic CRS on the 1737.4 km sphere (IAU 2015)."""

NORTH_POLAR_CRS: str = "IAU_2015:30130"
"""The Moon's north polar stereographic CRS on the 1737.4 km sphere (IAU 2015)."""
