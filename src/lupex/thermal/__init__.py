"""lupex.thermal layer."""
