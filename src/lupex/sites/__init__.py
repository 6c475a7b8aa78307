"""lupex.sites: landing hazards and ranked landing candidates (worst value in the ellipse).

See docs/sites.md.
"""

from lupex.sites.criteria import CRITERIA, LanderLimits, SiteCriteria, SiteWeights
from lupex.sites.dispersion import disc_footprint, disc_worst
from lupex.sites.output import plot_sites, sites_geojson, write_site_outputs
from lupex.sites.scoring import SiteResult, hazard_maps, load_site_maps, score_sites

__all__ = [
    "CRITERIA",
    "LanderLimits",
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
