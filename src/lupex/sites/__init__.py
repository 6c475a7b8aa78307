"""lupex.sites: landing hazards and ranked landing candidates (worst value in the ellipse).

See docs/sites.md.
"""

from lupex.scenario.sites import CRITERIA, SiteCriteria, SiteWeights
from lupex.sites.dispersion import disc_footprint, disc_worst
from lupex.sites.output import plot_sites, sites_geojson, write_site_outputs
from lupex.sites.scoring import SiteResult, hazard_maps, load_site_maps, score_sites
from lupex.vehicles.lander import Lander

__all__ = [
    "CRITERIA",
    "Lander",
    "SiteCriteria",
    "SiteResult",
    "SiteWeights",
    "disc_footprint",
    "disc_worst",
    "hazard_maps",
    "load_site_maps",
    "plot_sites",
    "score_sites",
    "sites_geojson",
    "write_site_outputs",
]
