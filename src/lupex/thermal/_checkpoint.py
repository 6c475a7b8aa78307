"""Checkpoints of a long thermal-map run: what to save, when it still applies, how to save it.

A checkpoint is one ``.npz`` file (written to a temporary name, then renamed: a crash never
leaves half a checkpoint) holding the arrays of the run's state and a JSON header with the
phase, the epoch, the spin-up history and the *key*: a hash of every input that changes the
result. A checkpoint whose key differs from the current run's is ignored (the run starts
afresh and says so).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

FORMAT = 1
"""Bumped whenever the saved layout or the numerics change what a resumed run would compute."""


def _feed(h, obj: Any) -> None:
    if obj is None:
        h.update(b"<none>")
    elif isinstance(obj, np.ndarray):
        a = np.ascontiguousarray(obj)
        h.update(f"<nd {a.dtype.str} {a.shape}>".encode())
        h.update(a.view(np.uint8).reshape(-1) if a.size else b"")
    elif isinstance(obj, dict):
        h.update(b"<dict>")
        for k in sorted(obj, key=str):
            _feed(h, str(k))
            _feed(h, obj[k])
    elif isinstance(obj, (list, tuple)):
        h.update(f"<seq {len(obj)}>".encode())
        for x in obj:
            _feed(h, x)
    elif isinstance(obj, (str, int, float, bool, np.generic)):
        h.update(f"<{type(obj).__name__} {obj!r}>".encode())
    elif all(hasattr(obj, a) for a in ("data", "indices", "indptr", "shape")):  # scipy sparse
        h.update(f"<sparse {obj.shape}>".encode())
        for a in (obj.data, obj.indices, obj.indptr):
            _feed(h, np.asarray(a))
    elif hasattr(obj, "__dict__"):  # e.g. a hierarchical view-factor operator: its arrays
        h.update(f"<obj {type(obj).__name__}>".encode())
        _feed(h, {k: v for k, v in vars(obj).items() if not callable(v)})
    else:  # no memory addresses: the key must be the same in the next process
        h.update(re.sub(r" at 0x[0-9a-fA-F]+", "", repr(obj)).encode())


def input_key(**inputs: Any) -> str:
    """A hex digest of ``inputs`` (arrays by dtype, shape and bytes; dicts by sorted key)."""
    h = hashlib.blake2b(digest_size=20)
    _feed(h, FORMAT)
    _feed(h, inputs)
    return h.hexdigest()


def save(path: Path, header: dict, arrays: dict[str, np.ndarray]) -> None:
    """Write ``arrays`` and the JSON ``header`` to ``path`` atomically."""
    from lupex.io.atomic import atomic_path

    with atomic_path(path, suffix=".npz") as tmp, open(tmp, "wb") as f:
        np.savez(f, __header__=np.frombuffer(json.dumps(header).encode(), np.uint8), **arrays)


def load(path: Path) -> tuple[dict, dict[str, np.ndarray]] | None:
    """``(header, arrays)`` of a checkpoint, or None when there is none or it is unreadable."""
    if not Path(path).exists():
        return None
    try:
        with np.load(path) as z:
            header = json.loads(bytes(z["__header__"]).decode())
            arrays = {k: z[k] for k in z.files if k != "__header__"}
    except Exception:
        return None
    return header, arrays


class DeferredInterrupt:
    """Ctrl-C while a block is being computed is noted (``pending``) and acted on between blocks.

    Installed only in the main thread (the only one that receives SIGINT); elsewhere it does
    nothing and ``pending`` stays False.
    """

    def __init__(self) -> None:
        self.pending = False

    @contextlib.contextmanager
    def installed(self) -> Iterator[DeferredInterrupt]:
        if threading.current_thread() is not threading.main_thread():
            yield self
            return

        def _note(signum, frame):
            self.pending = True

        try:
            previous = signal.signal(signal.SIGINT, _note)
        except ValueError:  # not allowed here (e.g. an embedded interpreter)
            yield self
            return
        try:
            yield self
        finally:
            signal.signal(signal.SIGINT, previous)
