"""Fixtures of the thermal tests: the lupex CLI with the thermal and volatiles verbs."""

from __future__ import annotations

import pytest


@pytest.fixture
def cli_main():
    """``lupex.cli.main`` that returns on success and raises ``SystemExit`` on a non-zero exit.

    The CLI runs click in standalone mode (success exits 0). The thermal and volatiles verbs are
    registered here if the app does not list them yet.
    """
    from lupex import cli
    from lupex.cli import thermal, volatiles

    for name, mod in (("thermal", thermal), ("volatiles", volatiles)):
        if not any(g.name == name for g in cli.app.registered_groups):
            mod.register(cli.app)

    def run(argv):
        try:
            cli.main(argv)
        except SystemExit as e:
            if e.code not in (0, None):
                raise

    return run
