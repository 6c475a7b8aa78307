"""Geometry for drawing maps: a latitude/longitude graticule, plans in map coordinates, the
landing site and its ellipse. Shared by the report's figures and the viewer."""

from __future__ import annotations

from typing import Any

import numpy as np

from lupex.io.runfolder import RunFolder
from lupex.report import products as P

_NICE_DEG = (0.05, 0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0)
_NICE_LON = (1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 45.0, 90.0)


def _nice(span: float, choices: tuple[float, ...], n: int) -> float:
    for c in choices:
        if span / c <= n:
            return c
    return choices[-1]


def graticule(crs: Any, bounds: list[float], *, n: int = 5) -> list[dict[str, Any]]:
    """Parallels and meridians crossing a map, as polylines in its projected coordinates.

    Parameters
    ----------
    crs : any pyproj input
        The map's CRS.
    bounds : [left, bottom, right, top]
        The map's extent [m].
    n : int
        About how many lines of each family to draw (spacings are 1-2-5 steps).

    Returns
    -------
    list of dict
        ``{"kind": "parallel" | "meridian", "value_deg": v, "label": "88.5°S",
        "x_m": [...], "y_m": [...]}``, clipped to ``bounds`` (NaN breaks a line outside).
    """
    from lupex.terrain.geometry import latlon_to_xy_m, xy_to_latlon_deg

    left, bottom, right, top = bounds
    gx, gy = np.meshgrid(np.linspace(left, right, 41), np.linspace(bottom, top, 41))
    lat, lon = xy_to_latlon_deg(gx.ravel(), gy.ravel(), crs)
    lat_lo, lat_hi = float(np.min(lat)), float(np.max(lat))
    pole_inside = (min(lat_lo, lat_hi) < -89.999) or (max(lat_lo, lat_hi) > 89.999)
    d_lat = _nice(max(lat_hi - lat_lo, 1e-6), _NICE_DEG, n)
    lons = np.mod(lon, 360.0)
    if pole_inside or np.ptp(lons) > 180:
        lon_span = 360.0 if pole_inside else float(360 - np.ptp(np.mod(lon + 180, 360)))
    else:
        lon_span = float(np.ptp(lons))
    d_lon = _nice(max(lon_span, 1e-6), _NICE_LON, n + 3)
    lines: list[dict[str, Any]] = []
    t = np.linspace(0.0, 1.0, 361)
    for v in np.arange(np.ceil(lat_lo / d_lat) * d_lat, lat_hi + 1e-9, d_lat):
        if abs(v) >= 90.0:
            continue
        x, y = latlon_to_xy_m(np.full_like(t, v), t * 360.0 - 180.0, crs)
        lines.append(_clip("parallel", float(v), _lat_label(v), x, y, bounds))
    lat_far = lat_hi if lat_hi < 0 else lat_lo  # the parallel farthest from the pole
    lat_pole = -90.0 if lat_hi < 0 else 90.0
    for v in np.arange(-180.0, 180.0, d_lon):
        la = lat_pole + t * (lat_far - lat_pole) * 1.2
        x, y = latlon_to_xy_m(la, np.full_like(t, v), crs)
        lines.append(_clip("meridian", float(v), _lon_label(v), x, y, bounds))
    return [ln for ln in lines if sum(v is not None for v in ln["x_m"]) > 1]


def _clip(kind: str, v: float, label: str, x: np.ndarray, y: np.ndarray,
          bounds: list[float]) -> dict[str, Any]:
    left, bottom, right, top = bounds
    out = (x < left) | (x > right) | (y < bottom) | (y > top)
    x = np.where(out, np.nan, x)
    y = np.where(out, np.nan, y)
    return {"kind": kind, "value_deg": v, "label": label,
            "x_m": [None if not np.isfinite(a) else round(float(a), 2) for a in x],
            "y_m": [None if not np.isfinite(a) else round(float(a), 2) for a in y]}


def _lat_label(v: float) -> str:
    return f"{abs(v):g}°{'S' if v < 0 else 'N'}"


def _lon_label(v: float) -> str:
    v = (v + 180.0) % 360.0 - 180.0
    if v in (0.0, -180.0):
        return f"{abs(v):g}°"
    return f"{abs(v):g}°{'W' if v < 0 else 'E'}"


def is_lonlat(fc: dict[str, Any]) -> bool:
    """True when a GeoJSON FeatureCollection holds RFC 7946 lon/lat degrees (not metres)."""
    name = str(((fc.get("crs") or {}).get("properties") or {}).get("name", ""))
    if name and "4326" not in name and "CRS84" not in name and "30100" not in name:
        return False
    for f in fc.get("features", []):
        c = np.asarray(_coords(f.get("geometry") or {}), float).reshape(-1, 2)
        if c.size:
            return bool(np.all(np.abs(c[:, 0]) <= 360.0) and np.all(np.abs(c[:, 1]) <= 90.0))
    return True


def _coords(g: dict[str, Any]) -> list:
    c = g.get("coordinates", [])
    if g.get("type") == "Point":
        return [c]
    if g.get("type") in ("LineString", "MultiPoint"):
        return c
    if g.get("type") in ("Polygon", "MultiLineString"):
        return [p for ring in c for p in ring]
    return []


def plan_in_map(fc: dict[str, Any], crs: Any) -> dict[str, Any]:
    """A GeoJSON plan with its coordinates in the map's CRS [m] (for drawing).

    RFC 7946 plans (planetocentric lon/lat) are projected; plans already in the map's
    coordinates are returned unchanged.
    """
    if not is_lonlat(fc):
        return fc
    from lupex.terrain.geometry import latlon_to_xy_m

    def proj(pts: list) -> list:
        a = np.asarray(pts, float).reshape(-1, 2)
        x, y = latlon_to_xy_m(a[:, 1], a[:, 0], crs)
        return np.column_stack([x, y]).round(2).tolist()

    feats = []
    for f in fc.get("features", []):
        g = dict(f.get("geometry") or {})
        t = g.get("type")
        if t == "Point":
            g["coordinates"] = proj([g["coordinates"]])[0]
        elif t in ("LineString", "MultiPoint"):
            g["coordinates"] = proj(g["coordinates"])
        elif t in ("Polygon", "MultiLineString"):
            g["coordinates"] = [proj(r) for r in g["coordinates"]]
        feats.append({**f, "geometry": g})
    return {**{k: v for k, v in fc.items() if k != "crs"}, "features": feats}


def landing(rf: RunFolder) -> dict[str, Any] | None:
    """The landing site: the mission's chosen site when ``summary.json`` names one, else the
    best-ranked candidate of ``tables/sites.csv``; with the ellipse radius of the scenario's
    lander. None when the run has no site."""
    import pandas as pd

    p = P.find(rf, kind="table", name="sites")
    if p is None:
        return None
    try:
        df = pd.read_csv(rf.path / p["path"])
    except pd.errors.EmptyDataError:
        return None
    if df.empty:
        return None
    r = df.sort_values("rank").iloc[0] if "rank" in df.columns else df.iloc[0]
    choice = None
    sp = P.find(rf, kind="document", stage="mission", name="summary")
    if sp is not None and {"x_m", "y_m"} <= set(df.columns):
        import json

        ms = json.loads((rf.path / sp["path"]).read_text(encoding="utf-8"))
        if ms.get("landing_x_m") is not None and ms.get("landing_y_m") is not None:
            d2 = (df["x_m"] - float(ms["landing_x_m"])) ** 2 + \
                (df["y_m"] - float(ms["landing_y_m"])) ** 2
            if float(d2.min()) < 1.0:  # the mission landed on a ranked candidate
                r = df.loc[d2.idxmin()]
            choice = ms.get("landing_choice")
    lander = ((rf.manifest.get("scenario") or {}).get("lander") or {})
    out = {k: _num(r[k]) for k in r.index}
    if choice:
        out["landing_choice"] = str(choice)
    out["ellipse_radius_m"] = float(lander.get("ellipse_radius_m", np.nan))
    return out


def _num(v: Any) -> Any:
    if hasattr(v, "item"):
        v = v.item()
    return v
