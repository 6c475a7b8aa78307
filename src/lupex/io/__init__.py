"""Shared input/output helpers used by every layer: atomic writes, provenance, map
containers, GeoTIFF/PNG writers. Nothing here knows any physics."""

from lupex.io.atomic import atomic_path, write_json_atomic, write_text_atomic
from lupex.io.maps import make_map
from lupex.io.provenance import provenance

__all__ = ["atomic_path", "make_map", "provenance", "write_json_atomic", "write_text_atomic"]
