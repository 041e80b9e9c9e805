"""A local stdio MCP server whose start is cancelled while its handshake is pending (the
process runs but has not answered ``initialize`` yet) must be stopped promptly.

docs/mcp.md: "a start that fails or is cancelled leaves no process behind". Today the
cancellation itself takes ``close_timeout`` (5 s) and the process runs on for up to
``close_timeout + LEFT_CLOSING_S`` (about 15 s): ``MCPServer.close`` only sets the holder's
``stop`` event, which ``_hold`` cannot see while it is still inside ``async with client``'s
handshake (bounded only by ``connect_timeout``), so close times out, warns "did not close in
time", and leaves the process for the background cancel 10 s later.
"""

from __future__ import annotations

import os
import signal
import sys
import textwrap
import time
from pathlib import Path

import anyio
import pytest

from rtagents.mcp import MCPServerStdio

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


async def test_a_start_cancelled_during_the_handshake_stops_the_process_promptly(
    tmp_path: Path,
) -> None:
    script = tmp_path / "mute_server.py"
    pid_file = tmp_path / "pid"
    script.write_text(
        textwrap.dedent(
            """
            import os, time
            with open(os.environ["PID_FILE"], "w") as f:
                f.write(str(os.getpid()))
            time.sleep(120)  # reads nothing, answers nothing: initialize never completes
            """
        )
    )
    server = MCPServerStdio(
        sys.executable,
        [str(script)],
        name="mute",
        env={"PID_FILE": str(pid_file)},
        connect_timeout=30,  # a slow-starting server is given time; a cancel still ends it
    )
    started = time.monotonic()
    with anyio.move_on_after(1):
        await server.connect()
    cancelled_in = time.monotonic() - started
    pid = int(pid_file.read_text())
    try:
        # The mcp client's own escalation (stdin closed, 2 s, SIGTERM) takes ~2 s.
        with anyio.move_on_after(4):
            while running(pid):
                await anyio.sleep(0.1)
        left = running(pid)
    finally:
        if running(pid):
            os.kill(pid, signal.SIGKILL)
        await server.close()
    assert not left, "the server process still runs 4 s after its start was cancelled"
    assert cancelled_in < 4, f"cancelling the start took {cancelled_in:.1f} s (asked at 1 s)"
