"""lupex.vehicles: the hardware models several layers share (lander, rover, array, battery).

A low layer that imports no model code, so the scenario schema loads without numba kernels.
"""

from lupex.vehicles.lander import Lander
from lupex.vehicles.rover import Rover

__all__ = ["Lander", "Rover"]
