"""Path safety for the viewer: map a URL path onto a regular file inside the run folder.

The server answers a request for a run file only when :func:`safe_file` returns a path; any
other request (``..`` segments, encoded traversal, an absolute path, a symbolic link that leaves
the folder, a folder, a hidden or temporary file, a NUL byte) gets the same plain 404, so a
client learns nothing about what lies outside the run folder.
"""

from __future__ import annotations

import os
from pathlib import Path

_BAD_CHARS = ("\x00", "\\", ":")


def safe_file(root: str | os.PathLike[str], rel: str) -> Path | None:
    """Return the regular file ``root/rel`` if it lies inside ``root``, else ``None``.

    Parameters
    ----------
    root : path-like
        The run folder (resolved here, so a run folder reached through a link works).
    rel : str
        The request path below the route prefix, already percent-decoded once by the server.
        It is decoded by nobody again: ``%2e%2e`` arriving here literally is a file name that
        does not exist, and a decoded ``..`` is refused.

    Returns
    -------
    Path or None
        The resolved file, or ``None`` for anything that is not a regular, visible file under
        ``root`` after resolving every symbolic link.
    """
    if not rel or any(c in rel for c in _BAD_CHARS) or rel.startswith("/"):
        return None
    parts = rel.split("/")
    if any(p in ("", ".", "..") or p.startswith(".") for p in parts):
        return None  # empty, dot or hidden segments (atomic writes use ".name.tmp")
    base = Path(root).resolve()
    try:
        target = (base / Path(*parts)).resolve(strict=True)
    except (OSError, RuntimeError):  # missing, or a symlink loop
        return None
    if not target.is_relative_to(base) or not target.is_file():
        return None
    return target
