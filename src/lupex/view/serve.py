"""Run the viewer: uvicorn on 127.0.0.1 unless told otherwise, the address printed."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable

from lupex.errors import ParameterError


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on ``host`` right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def serve(run_dir: str | os.PathLike[str], *, host: str = "127.0.0.1", port: int = 8765,
          open_browser: bool = True, announce: Callable[[str], None] = print) -> None:
    """Serve the viewer of ``run_dir`` until interrupted.

    Parameters
    ----------
    run_dir : path-like
        The run folder; only files inside it are served.
    host : str
        Address to bind; 127.0.0.1 keeps the viewer on this machine. Another address exposes
        the run folder to the network.
    port : int
        TCP port; 0 picks a free one.
    open_browser : bool
        Open the page in the default browser once the server listens.
    announce : callable
        Receives the line with the address to open.
    """
    import threading
    import webbrowser

    import uvicorn

    from lupex.view.app import create_app

    if not 0 <= port <= 65535:
        raise ParameterError(f"--port {port}: use 0..65535 (0 picks a free port).")
    app = create_app(run_dir)
    if port == 0:
        port = free_port(host)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
            s.bind((host, port))
    except OSError as exc:
        raise ParameterError(f"--port {port}: cannot listen on {host} ({exc.strerror}); pick "
                             "another port with --port N (0 picks a free one).") from None
    announce(f"lupex view: {url}  (Ctrl-C stops)")
    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    uvicorn.run(app, host=host, port=port, log_level="warning")
