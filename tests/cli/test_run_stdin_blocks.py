"""``rtagents run`` reads the user's lines from stdin in a thread of its own
(``_cli_talk.lines``), so the session goes on while the user thinks: a background tool's result,
an approval's timeout, keepalive pings and, offline, the embedded emulator itself.
``sys.stdin.readline()`` on the event loop's thread would stop all of them until the user typed
again. Here a background tool that takes 1 s finishes while the user reads the answer. Its
result is in the output before the user types "exit" 4 s later, and closing the session cancels
nothing."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from tests.cli.harness import env

AGENT = '''
import anyio
import rtagents


@rtagents.tool(background=True)
async def book_table(people: int = 2) -> str:
    """Book a table."""
    await anyio.sleep(1)
    return f"a table for {people} at 8 pm"


agent = rtagents.Agent(name="a", instructions="Book tables.", tools=[book_table])
'''


def test_a_background_result_arrives_while_the_user_is_thinking(tmp_path: Path) -> None:
    (tmp_path / "bg_agent.py").write_text(AGENT)
    proc = subprocess.Popen(
        [sys.executable, "-m", "rtagents", "run", "bg_agent:agent"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=tmp_path,
        env=env(),
    )
    assert proc.stdin is not None
    try:
        proc.stdin.write("book a table\n")
        proc.stdin.flush()
        time.sleep(4)  # the user reads the answer; the tool is done after 1 s
        out, _ = proc.communicate(input="exit\n", timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "started" in out, out
    assert "cancelled by the session's close" not in out, out
    assert "a table for 2 at 8 pm" in out, out
