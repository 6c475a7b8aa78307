"""lupex: plan and simulate a lunar south-pole ice-prospecting mission.

Data flow one way, each arrow a subpackage (see ``docs/architecture.md``)::

    terrain + ephemeris -> horizon -> illumination -> thermal -> volatiles
        -> sites -> traverse -> mission -> report

A lower layer never imports a higher one (``tests/test_layers.py`` enforces it).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("lupex")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

from lupex.errors import LupexError

__all__ = ["LupexError", "__version__"]
