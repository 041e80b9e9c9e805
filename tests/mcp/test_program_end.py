"""A program whose last session used a local MCP server that ignores its stdin closing (a
non-daemon thread runs on, as a server with a pool or a timer does) must end, and must not
leave the server running: the docs promise it is closed in the background (SIGTERM, then
SIGKILL) once the 2 s close wait runs out."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(30)

STUBBORN_SERVER = str(Path(__file__).with_name("stubborn_server.py"))
ROOT = str(Path(__file__).parents[2])


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_program_ends_and_leaves_no_server_when_its_server_ignores_stdin_closing(
    tmp_path: Path,
) -> None:
    pid_file = tmp_path / "pid"
    program = textwrap.dedent(
        f"""
        import sys, anyio
        from rtagents.mcp import MCPServerStdio

        async def main():
            server = MCPServerStdio(
                sys.executable, [{STUBBORN_SERVER!r}], name="stubborn",
                env={{"PID_FILE": {str(pid_file)!r}, "PYTHONPATH": {ROOT!r}}},
            )
            async with server:
                pass

        anyio.run(main)
        print("ended")
        """
    )
    child = subprocess.Popen(
        [sys.executable, "-c", program],
        env={**os.environ, "PYTHONPATH": ROOT},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        # About 5 s on an idle machine (start ~1.5 s, close 2 s, SIGTERM ~0.1 s); a loaded
        # one (a parallel test run) takes longer: a program that hangs never ends at all.
        out, _ = child.communicate(timeout=15)
        ended = out.decode().strip()
    except subprocess.TimeoutExpired:
        ended = "still running after 15 s"
    finally:
        server_pid = int(pid_file.read_text()) if pid_file.exists() else None
        left = server_pid is not None and running(server_pid)
        with contextlib.suppress(ProcessLookupError):  # the program, if it is still there
            os.killpg(child.pid, signal.SIGKILL)
        child.wait()
        if left:
            os.kill(server_pid, signal.SIGKILL)  # and the server it left (its own group)
    assert ended == "ended", f"the program did not end: {ended}"
    assert not left, "the MCP server process was left running"
