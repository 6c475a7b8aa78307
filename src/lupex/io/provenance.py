"""Provenance records attached to every output: lupex version, time, the call and its
parameters."""

from __future__ import annotations

import datetime as _dt
import platform
import sys
from typing import Any


def provenance(call: str, **parameters: Any) -> dict[str, Any]:
    """Return a JSON-serialisable provenance record.

    Parameters
    ----------
    call : str
        The API function or CLI verb that made the output, e.g. ``"lupex.terrain.synth"``.
    **parameters
        The parameters that matter to reproduce it.
    """
    from lupex import __version__

    return {
        "software": "lupex",
        "lupex_version": __version__,
        "created_utc": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "call": call,
        "parameters": {k: _plain(v) for k, v in parameters.items()},
        "python": sys.version.split()[0],
        "platform": platform.platform(),
    }


def _plain(v: Any) -> Any:
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    return str(v)
