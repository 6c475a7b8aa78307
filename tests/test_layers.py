"""The one-way data flow: a lower layer never imports a higher one (docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "lupex"

# rank: a module may import only modules of lower or equal rank
LAYERS = {
    "errors": 0, "constants": 0, "io": 0, "times": 0,
    "vehicles": 1, "instruments": 1,
    "scenario": 2,
    "terrain": 3, "ephemeris": 3,
    "horizon": 4, "illumination": 5, "thermal": 6, "volatiles": 7,
    "sites": 8, "launch": 9, "traverse": 10, "mission": 11, "report": 12, "view": 12,
    "run": 13, "info": 13, "cli": 14,
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
