"""lupex.view: the browser viewer of a run folder (starlette + uvicorn, OpenLayers, geotiff.js).

- :func:`create_app` - the web application of one run folder (the page, its vendored scripts,
  the run's files with byte ranges, a small JSON/PNG API).
- :func:`serve` - run it on 127.0.0.1 and print the address (``lupex view RUN``).
- :func:`safe_file` - the one rule deciding which run files are served.

See docs/report.md.
"""

from lupex.view.app import create_app
from lupex.view.files import safe_file
from lupex.view.serve import serve

__all__ = ["create_app", "safe_file", "serve"]
