"""lupex.launch: landing windows, the Earth-Moon transfer and descent budget.

- :mod:`lupex.launch.windows` - touchdown windows at a site (Sun with the real terrain horizon,
  Earth in view, a ground station listening, survivable darkness), ranked, with profiles.
- :mod:`lupex.launch.forces`, :mod:`lupex.launch.propagate` - DE421 Earth-Moon-Sun force model,
  heyoka Taylor propagation with the state-transition matrix (SciPy DOP853 as the check).
- :mod:`lupex.launch.targeting` - Lambert first guess and differential correction to a polar
  perilune of given altitude.
- :mod:`lupex.launch.descent`, :mod:`lupex.launch.budget` - descent with gravity losses, delta-v
  and propellant per phase, launcher margin.
- The landing ellipse model is :class:`lupex.vehicles.navigation.LandingNavigation` (a low
  layer, so that the site scoring can use it).

See docs/launch.md.
"""

from lupex.launch.budget import TransferPlan, plan_transfer
from lupex.launch.windows import WindowResult, find_windows, landing_windows, site_horizon

__all__ = ["TransferPlan", "WindowResult", "find_windows", "landing_windows", "plan_transfer",
           "site_horizon"]
