"""lupex.mission layer."""
