"""The one-way data flow: a lower layer never imports a higher one (docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "lupex"

# rank: a module may import only modules of lower or equal rank
LAYERS = {
    "errors": 0, "constants": 0, "io": 0,
    "terrain": 1, "ephemeris": 1,
    "horizon": 2, "illumination": 3, "thermal": 4, "volatiles": 5,
    "sites": 6, "traverse": 7, "mission": 8, "report": 9,
    "chain": 10, "info": 10, "cli": 11,
}


def _layer(parts: list[str]) -> str | None:
    return parts[0] if parts and parts[0] in LAYERS else None


def _violations() -> list[str]:
    bad = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC).with_suffix("").parts
        own = _layer(list(rel))
        if own is None:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                parts = name.split(".")
                if parts[0] != "lupex":
                    continue
                other = _layer(parts[1:])
                if other and LAYERS[other] > LAYERS[own]:
                    bad.append(f"{path.relative_to(SRC)} imports {name}")
    return bad


def test_no_upward_imports() -> None:
    assert _violations() == []


def test_checker_catches_an_upward_import(tmp_path, monkeypatch) -> None:
    # a deliberately wrong module proves the checker can fail
    fake = SRC / "terrain" / "_layer_probe_tmp.py"
    fake.write_text("import lupex.illumination\n")
    try:
        assert any("_layer_probe_tmp" in v for v in _violations())
    finally:
        fake.unlink()
