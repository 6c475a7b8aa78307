"""lupex.illumination: Sun and Earth disc visibility, PSR, darkness, Earth visibility.

Public API
----------
- :func:`disc_fraction` - visible fraction of a uniform disc above a straight horizon.
- :func:`illumination_maps` - maps over a period (binned span statistics + one streaming pass).
- :func:`visibility_frames` / :func:`sun_fraction_map` - per-epoch maps for thermal/traverse.
- :func:`point_timeseries` - the same at chosen points, as a table.
- Array-level building blocks: :func:`span_tables`, :func:`binned_statistics`,
  :func:`stream_statistics`, :func:`pixel_geometry`, :func:`pixel_geometry_from_arrays`.

See docs/illumination.md for the method, its approximations and the validation.
"""

from lupex.illumination.binned import SpanTables, binned_statistics, span_tables
from lupex.illumination.disc import angular_radius_deg, disc_fraction
from lupex.illumination.frames import PixelGeometry, pixel_geometry, pixel_geometry_from_arrays
from lupex.illumination.maps import MAP_SPECS, illumination_maps, psr_span_times
from lupex.illumination.stream import StreamState, stream_statistics
from lupex.illumination.track import BodyTrack, body_track, track_from_vectors
from lupex.illumination.visibility import (
    POINT_COLUMNS,
    VisibilityFrame,
    point_timeseries,
    sun_fraction_map,
    visibility_frames,
)

__all__ = [
    "MAP_SPECS",
    "POINT_COLUMNS",
    "BodyTrack",
    "PixelGeometry",
    "SpanTables",
    "StreamState",
    "VisibilityFrame",
    "angular_radius_deg",
    "binned_statistics",
    "body_track",
    "disc_fraction",
    "illumination_maps",
    "pixel_geometry",
    "pixel_geometry_from_arrays",
    "point_timeseries",
    "psr_span_times",
    "span_tables",
    "stream_statistics",
    "sun_fraction_map",
    "track_from_vectors",
    "visibility_frames",
]
