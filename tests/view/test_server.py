"""The viewer's server: only files inside RUN, byte ranges, the JSON API.

Requests are sent as raw HTTP over a socket to a live uvicorn server, so ``..`` and encoded
forms reach the server exactly as typed (an HTTP client library would normalise them first).
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import numpy as np
import pytest

from lupex.view.files import safe_file


def raw_get(base: str, target: str, headers: dict[str, str] | None = None,
            method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    host, port = base.removeprefix("http://").split(":")
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}:{port}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    with socket.create_connection((host, int(port)), timeout=30) as s:
        s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *hdrs = head.decode("latin-1").split("\r\n")
    h = {k.lower(): v.strip() for k, _, v in (x.partition(":") for x in hdrs)}
    if h.get("transfer-encoding") == "chunked":
        out, rest = b"", body
        while rest:
            size, _, rest = rest.partition(b"\r\n")
            n = int(size, 16)
            if n == 0:
                break
            out, rest = out + rest[:n], rest[n + 2:]
        body = out
    return int(status_line.split()[1]), h, body


@pytest.fixture(scope="module")
def outside(handmade) -> Path:
    """A secret file beside the run folder and symbolic links to it from inside the run."""
    secret = handmade.parent / "secret.txt"
    secret.write_text("top secret")
    link = handmade / "tables" / "link_out.csv"
    if not link.exists():
        os.symlink(secret, link)
    dlink = handmade / "maps" / "up"
    if not dlink.exists():
        os.symlink(handmade.parent, dlink)
    return secret


TRAVERSALS = [
    "/run/../secret.txt",
    "/run/../../etc/passwd",
    "/run/maps/../../secret.txt",
    "/run/%2e%2e/secret.txt",
    "/run/%2E%2E%2Fsecret.txt",
    "/run/..%2fsecret.txt",
    "/run/..%5csecret.txt",
    "/run//etc/passwd",
    "/run/%2fetc%2fpasswd",
    "/run/tables/link_out.csv",
    "/run/maps/up/secret.txt",
    "/run/maps",
    "/run/",
    "/run/maps/dem.tif%00.png",
    "/static/../app.py",
    "/static/%2e%2e/app.py",
    "/etc/passwd",
]


@pytest.mark.parametrize("target", TRAVERSALS)
def test_outside_or_odd_paths_are_a_plain_404(server, outside, target) -> None:
    status, _, body = raw_get(server, target)
    assert status == 404
    assert body == b"Not Found"  # nothing else: no path, no listing, no traceback


def test_inside_files_are_served(server, handmade) -> None:
    status, h, body = raw_get(server, "/run/tables/traverse.csv")
    assert status == 200
    assert body == (handmade / "tables" / "traverse.csv").read_bytes()
    assert h["accept-ranges"] == "bytes"


def test_byte_ranges(server, handmade) -> None:
    blob = (handmade / "maps" / "dem.tif").read_bytes()
    status, h, body = raw_get(server, "/run/maps/dem.tif", {"Range": "bytes=100-1123"})
    assert status == 206
    assert h["content-range"] == f"bytes 100-1123/{len(blob)}"
    assert body == blob[100:1124]
    status, h, body = raw_get(server, "/run/maps/dem.tif", {"Range": "bytes=-16"})
    assert status == 206 and body == blob[-16:]
    status, h, _ = raw_get(server, "/run/maps/dem.tif", {"Range": f"bytes={len(blob) + 10}-"})
    assert status == 416  # unsatisfiable


def test_safe_file_unit(handmade, outside) -> None:
    assert safe_file(handmade, "maps/dem.tif") == (handmade / "maps" / "dem.tif").resolve()
    for bad in ("../secret.txt", "/etc/passwd", "maps/../../secret.txt", "tables/link_out.csv",
                "maps/up/secret.txt", "maps", "", "maps/./dem.tif", "a\\b", "maps/.hidden",
                "maps/dem.tif\x00"):
        assert safe_file(handmade, bad) is None, bad


def test_config_lists_the_manifest_maps_with_units(server) -> None:
    status, _, body = raw_get(server, "/api/config")
    cfg = json.loads(body)
    assert status == 200
    got = {la["id"]: (la["units"], la["kind"]) for la in cfg["layers"]}
    assert got == {"dem": ("m", "continuous"), "sun_fraction_mean": ("1", "continuous"),
                   "psr": ("1", "mask"), "t_surface_max_k": ("K", "continuous")}
    assert cfg["projection"]["code"] == "IAU_2015:30135"
    # the polar constants of the page's inverse: 2 R k0 with R = 1737.4 km, k0 = 1
    assert cfg["projection"]["polar"]["two_r_k0_m"] == pytest.approx(2 * 1737400.0)
    assert cfg["window"] == ["2028-09-01T00:00:00Z", "2028-09-03T00:00:00Z"]


def test_route_and_plans_in_map_coordinates(server) -> None:
    from lupex_test_runs import grid  # noqa: F401  (same folder set-up as conftest)

    route = json.loads(raw_get(server, "/api/route")[2])
    np.testing.assert_allclose(route["x_m"], np.linspace(-2000, 2000, 11), atol=0.01)
    assert route["action"][5] == "science"
    plan = json.loads(raw_get(server, "/api/plan/traverse")[2])
    xy = np.array(plan["features"][0]["geometry"]["coordinates"])
    # lon/lat in the file back to metres: pyproj round trip, 1 mm
    np.testing.assert_allclose(xy[:, 0], np.linspace(-2000, 2000, 11), atol=1e-3)
    np.testing.assert_allclose(xy[:, 1], -1000.0, atol=1e-3)
    site = json.loads(raw_get(server, "/api/landing")[2])
    assert (site["rank"], site["x_m"], site["ellipse_radius_m"]) == (1, -2000.0, 400.0)


def test_server_binds_localhost_by_default() -> None:
    import inspect

    from lupex.view.serve import serve

    assert inspect.signature(serve).parameters["host"].default == "127.0.0.1"
