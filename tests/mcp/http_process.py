"""The notes server over streamable HTTP in a process of its own, on a port of its own: for
tests that kill it (a server that dies, or restarts, under a session)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = str(Path(__file__).parents[2])
SERVE = (
    "import sys; from tests.mcp import notes_server; "
    "notes_server.server.run('streamable-http', port=int(sys.argv[1]))"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def launch(port: int, serve: str = SERVE) -> subprocess.Popen[bytes]:
    """``serve`` (Python source, given the port as ``sys.argv[1]``) in a process of its own,
    once it takes connections."""
    proc = subprocess.Popen(
        [sys.executable, "-c", serve, str(port)],
        env={**os.environ, "PYTHONPATH": ROOT},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(150):
        try:
            socket.create_connection(("127.0.0.1", port), 0.1).close()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the MCP server did not start")
