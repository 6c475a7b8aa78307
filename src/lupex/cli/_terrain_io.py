"""``lupex terrain`` sub-verbs (_terrain_io)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this module's verbs to the lupex terrain sub-app."""
