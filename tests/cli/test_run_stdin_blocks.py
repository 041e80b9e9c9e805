"""``rtagents run`` reads the user's lines from stdin in a thread of its own
(``_cli_talk.lines``), so the session goes on while the user thinks: a background tool's result,
an approval's timeout, keepalive pings and, offline, the embedded emulator itself.
``sys.stdin.readline()`` on the event loop's thread would stop all of them until the user typed
again. Here a background tool that takes 1 s finishes while the user reads the answer. Its
result is in the output before the user types "exit" 4 s later, and closing the session cancels
nothing."""

from __future__ import annotations

import contextlib
import queue
import subprocess
import sys
import threading
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
    assert proc.stdin is not None and proc.stdout is not None
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()
    seen: list[str] = []
    try:
        proc.stdin.write("book a table\n")
        proc.stdin.flush()
        # The user reads the answer, typing nothing; the tool is done after 1 s (a loaded
        # machine takes longer to start: its line is waited for, 30 s at most).
        deadline = time.monotonic() + 30
        while not any("a table for 2 at 8 pm" in line for line in seen):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            with contextlib.suppress(queue.Empty):
                seen.append(lines.get(timeout=left))
        proc.stdin.write("exit\n")
        proc.stdin.flush()
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    while not lines.empty():
        seen.append(lines.get())
    out = "".join(seen)
    assert "started" in out, out
    assert "cancelled by the session's close" not in out, out
    assert "a table for 2 at 8 pm" in out, out
