"""The rover's route in time, from the run's tables (the mission timeline or the traverse track).

One reader for the report's state-of-charge figure and the viewer's time slider: it returns the
track in the map's projected CRS with UTC times, whatever table the run holds.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lupex.io.runfolder import RunFolder
from lupex.report import products as P

STATE_COLUMNS = ("soc_fraction", "soc_wh", "action", "activity", "sunlit", "earth_visible",
                 "leg", "stage")


def rover_track(rf: RunFolder, crs: Any = None) -> Any:
    """The rover's track as a DataFrame, or None when the run has no route in time.

    Looks for a table with times and positions: ``tables/timeline.csv`` (mission) when it has
    positions, else ``tables/traverse.csv`` (traverse). Positions are ``x_m``/``y_m`` in the map
    CRS; tables that carry only ``lat_deg``/``lon_deg`` are projected into ``crs``.

    Returns
    -------
    pandas.DataFrame or None
        Columns ``time_utc`` (datetime64[s]), ``x_m``, ``y_m`` and whichever of
        :data:`STATE_COLUMNS` the table has, sorted by time.
    """
    import pandas as pd

    for name in ("timeline", "traverse"):
        p = P.find(rf, kind="table", name=name)
        if p is None:
            continue
        df = pd.read_csv(rf.path / p["path"])
        if "time_utc" not in df.columns and {"start_utc", "end_utc"} <= set(df.columns):
            df = _points_of_intervals(df)
        if "time_utc" not in df.columns or not len(df):
            continue
        if not {"x_m", "y_m"} <= set(df.columns):
            if not {"lat_deg", "lon_deg"} <= set(df.columns) or crs is None:
                continue
            from lupex.terrain.geometry import latlon_to_xy_m

            df["x_m"], df["y_m"] = latlon_to_xy_m(df["lat_deg"].to_numpy(),
                                                  df["lon_deg"].to_numpy(), crs)
        df = df.dropna(subset=["x_m", "y_m"])
        t = pd.to_datetime(df["time_utc"], utc=True).dt.tz_localize(None)
        out = pd.DataFrame({"time_utc": t.to_numpy().astype("datetime64[s]"),
                            "x_m": df["x_m"].to_numpy(float), "y_m": df["y_m"].to_numpy(float)})
        for c in STATE_COLUMNS:
            if c in df.columns:
                out[c] = df[c].to_numpy()
        return out.sort_values("time_utc", kind="stable").reset_index(drop=True)
    return None


def _points_of_intervals(df: Any) -> Any:
    """A timeline of intervals (``start_utc``, ``end_utc``, ``x_m``/``y_m`` at the end,
    ``soc_start``/``soc_end``) as a track with a point at each interval's start and end, so an
    activity holds over its whole interval and the rover sits still between drives."""
    import pandas as pd

    rows = []
    prev = None
    for _, r in df.iterrows():
        here = (r.get("x_m"), r.get("y_m"))
        start = prev if prev is not None else here
        common = {"activity": r.get("activity")}
        rows.append({"time_utc": r["start_utc"], "x_m": start[0], "y_m": start[1],
                     "soc_fraction": r.get("soc_start"), **common})
        rows.append({"time_utc": r["end_utc"], "x_m": here[0], "y_m": here[1],
                     "soc_fraction": r.get("soc_end"), **common})
        prev = here
    return pd.DataFrame(rows)


def track_json(track: Any) -> dict[str, Any]:
    """The track as plain lists for the viewer (times in Unix milliseconds)."""
    t_ms = track["time_utc"].to_numpy().astype("datetime64[ms]").astype(np.int64)
    out: dict[str, Any] = {"t_ms": t_ms.tolist(), "x_m": track["x_m"].round(2).tolist(),
                           "y_m": track["y_m"].round(2).tolist()}
    for c in STATE_COLUMNS:
        if c in track.columns:
            v = track[c]
            out[c] = [None if (isinstance(a, float) and not np.isfinite(a)) else
                      (a.item() if hasattr(a, "item") else a) for a in v.tolist()]
    return out
