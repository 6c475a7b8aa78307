"""lupex.illumination layer."""
