"""lupex.terrain layer."""
