"""lupex.report layer."""
