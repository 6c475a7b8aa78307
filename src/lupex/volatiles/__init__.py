"""lupex.volatiles layer."""
