"""``lupex horizon``: command-line verbs (filled in by the horizon work)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this module's verbs to the lupex app."""
