"""A small MCP server (built with the ``mcp`` package) that the MCP examples connect to.

python examples/calendar_server.py                 # stdio
python examples/calendar_server.py --http 8931     # streamable HTTP at http://127.0.0.1:8931/mcp
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time

from mcp_types import ToolAnnotations

from rtagents.testing import mcp_server

calendar = mcp_server("calendar")
EVENTS: dict[str, list[str]] = {"monday": ["09:00 stand-up", "14:00 dentist"]}


@calendar.tool(annotations=ToolAnnotations(read_only_hint=True))
def list_events(day: str) -> str:
    """The events on a day."""
    events = EVENTS.get(day.lower(), [])
    return ", ".join(events) if events else f"nothing on {day}"


@calendar.tool(annotations=ToolAnnotations(read_only_hint=False))
def add_event(day: str, what: str) -> str:
    """Add an event to a day."""
    EVENTS.setdefault(day.lower(), []).append(what)
    return f"added {what!r} on {day}"


def start_http_server() -> tuple[subprocess.Popen[bytes], str]:
    """Run this server over HTTP in a subprocess; returns it and its MCP URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, __file__, "--http", str(port)])
    for _ in range(200):  # wait until it accepts connections
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    return proc, f"http://127.0.0.1:{port}/mcp"


if __name__ == "__main__":
    if "--http" in sys.argv:
        import uvicorn

        port = int(sys.argv[sys.argv.index("--http") + 1])
        uvicorn.run(
            calendar.streamable_http_app(), host="127.0.0.1", port=port, log_level="warning"
        )
    else:
        calendar.run("stdio")
