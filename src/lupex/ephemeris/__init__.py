"""lupex.ephemeris layer."""
