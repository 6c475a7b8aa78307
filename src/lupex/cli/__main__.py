"""``python -m lupex.cli``: the same as the ``lupex`` command."""

from lupex.cli import main

main()
