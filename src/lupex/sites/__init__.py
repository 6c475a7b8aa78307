"""lupex.sites layer."""
