"""The viewer's web application (starlette): the page, its scripts, the run's files, the API.

Routes
------
``/``                         the page (static/index.html)
``/static/{path}``            the page's own scripts and the vendored OpenLayers / geotiff.js
``/run/{path}``               a file of the run folder, with byte ranges (206, Accept-Ranges)
``/api/config``               projection, layers, colours, plans, time window (JSON)
``/api/route``                the rover's track in time (JSON)
``/api/graticule``             latitude/longitude lines in map coordinates (JSON)
``/api/plan/{id}``             a GeoJSON plan in map coordinates
``/api/landing``               the landing site and its ellipse radius (JSON)
``/api/sky?x=&y=``            horizon and Sun/Earth tracks at a point (JSON)
``/api/sun.png?t=``           visible fraction of the Sun at an epoch, as a shadow overlay (PNG)
``/api/sun?t=``               the bounds of that overlay (JSON)

Anything else, and any run path that is not a regular file inside the run folder, is a plain
404 (:func:`lupex.view.files.safe_file`).
"""

from __future__ import annotations

import functools
import io
import os
from pathlib import Path
from typing import Any

import numpy as np
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from lupex.errors import LupexError
from lupex.report import products as P
from lupex.view.files import safe_file

STATIC = Path(__file__).resolve().parent / "static"
_TYPES = {".tif": "image/tiff", ".tiff": "image/tiff", ".geojson": "application/geo+json",
          ".json": "application/json", ".csv": "text/csv", ".png": "image/png",
          ".js": "text/javascript", ".css": "text/css", ".html": "text/html",
          ".md": "text/plain", ".toml": "text/plain"}


def _clean(v: Any) -> Any:
    """JSON-able copy with NaN/inf as null (JSON has no NaN; starlette refuses it)."""
    if isinstance(v, dict):
        return {str(k): _clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_clean(x) for x in v]
    if hasattr(v, "item") and getattr(v, "ndim", 1) == 0:
        v = v.item()
    if isinstance(v, float) and not np.isfinite(v):
        return None
    return v


def _json(v: Any, status: int = 200) -> Response:
    return JSONResponse(_clean(v), status_code=status)


def _not_found() -> Response:
    return PlainTextResponse("Not Found", status_code=404)


def _file(path: Path | None) -> Response:
    if path is None:
        return _not_found()
    media = _TYPES.get(path.suffix.lower(), "application/octet-stream")
    # FileResponse answers Range requests itself (206 + Content-Range, 416 when unsatisfiable)
    return FileResponse(path, media_type=media, headers={"Cache-Control": "no-cache"})


def _time(value: str | None) -> np.datetime64:
    if not value:
        raise LupexError("t: give an ISO 8601 UTC time, e.g. t=2028-09-01T12:00:00Z.")
    try:
        return np.datetime64(value.rstrip("Z"), "s")
    except ValueError:
        raise LupexError(f"t = {value!r} is not an ISO 8601 time.") from None


def _shadow_png(frac: np.ndarray) -> bytes:
    """RGBA PNG: transparent where the Sun is fully up, dark blue-grey shadow where it is not."""
    import matplotlib.image

    a = np.nan_to_num(1.0 - np.clip(frac, 0.0, 1.0), nan=0.0)
    rgba = np.zeros((*frac.shape, 4), np.uint8)
    rgba[..., 0], rgba[..., 1], rgba[..., 2] = 10, 14, 40
    rgba[..., 3] = np.round(200 * a).astype(np.uint8)
    buf = io.BytesIO()
    matplotlib.image.imsave(buf, rgba, format="png")
    return buf.getvalue()


def create_app(run_dir: str | os.PathLike[str]) -> Starlette:
    """The viewer application of one run folder.

    Parameters
    ----------
    run_dir : path-like
        A lupex run folder (must hold ``run.json``); only files inside it are served.
    """
    rf = P.open_run(run_dir)
    root = rf.path.resolve()

    @functools.cache
    def config() -> dict[str, Any]:
        from lupex.view.layers import viewer_config

        return viewer_config(rf)

    @functools.cache
    def terrain() -> tuple[Any, Any]:
        from lupex.report.sky import decimated_terrain

        return decimated_terrain(rf)

    @functools.lru_cache(maxsize=64)
    def frame(t: np.datetime64) -> tuple[list[float], bytes]:
        from lupex.report.sky import sun_frame

        bounds, frac = sun_frame(*terrain(), t)
        return bounds, _shadow_png(frac)

    async def index(request: Request) -> Response:
        return _file(STATIC / "index.html")

    async def static(request: Request) -> Response:
        return _file(safe_file(STATIC, request.path_params["path"]))

    async def run_file(request: Request) -> Response:
        return _file(safe_file(root, request.path_params["path"]))

    # the API endpoints are plain functions: starlette runs them in its thread pool, so a
    # horizon read or an ephemeris call never blocks the file server
    def api_config(request: Request) -> Response:
        return _json(config())

    def api_route(request: Request) -> Response:
        from lupex.report.route import rover_track, track_json

        proj = config().get("projection")
        tr = rover_track(rf, crs=proj["wkt"] if proj else None)
        return _json(None if tr is None else track_json(tr))

    def api_graticule(request: Request) -> Response:
        from lupex.report.geo import graticule

        proj = config().get("projection")
        return _json([] if proj is None else graticule(proj["wkt"], proj["extent"]))

    def api_plan(request: Request) -> Response:
        import json

        from lupex.report.geo import plan_in_map

        proj = config().get("projection")
        p = next((q for q in config()["plans"] if q["id"] == request.path_params["id"]), None)
        path = None if p is None else safe_file(root, p["url"].removeprefix("/run/"))
        if path is None or proj is None:
            return _not_found()
        return _json(plan_in_map(json.loads(path.read_text(encoding="utf-8")),
                                        proj["wkt"]))

    def api_landing(request: Request) -> Response:
        from lupex.report.geo import landing

        return _json(landing(rf))

    def api_sky(request: Request) -> Response:
        from lupex.report.sky import sky_at

        try:
            x, y = float(request.query_params["x"]), float(request.query_params["y"])
            return _json(sky_at(rf, x, y))
        except (KeyError, ValueError):
            return _json({"error": "give x and y in metres of the map's CRS"}, 400)
        except LupexError as exc:
            return _json({"error": str(exc)}, 400)

    def api_sun(request: Request) -> Response:
        try:
            bounds, _ = frame(_time(request.query_params.get("t")))
        except LupexError as exc:
            return _json({"error": str(exc)}, 400)
        return _json({"bounds": bounds})

    def api_sun_png(request: Request) -> Response:
        try:
            _, png = frame(_time(request.query_params.get("t")))
        except LupexError as exc:
            return PlainTextResponse(str(exc), 400)
        return Response(png, media_type="image/png")

    async def not_found(request: Request, exc: Exception) -> Response:
        return _not_found()

    routes = [
        Route("/", index),
        Route("/static/{path:path}", static),
        Route("/run/{path:path}", run_file, methods=["GET", "HEAD"]),
        Route("/api/config", api_config),
        Route("/api/route", api_route),
        Route("/api/graticule", api_graticule),
        Route("/api/plan/{id}", api_plan),
        Route("/api/landing", api_landing),
        Route("/api/sky", api_sky),
        Route("/api/sun", api_sun),
        Route("/api/sun.png", api_sun_png),
    ]
    return Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found})
