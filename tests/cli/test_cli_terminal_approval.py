"""`rtagents run` with lines typed at a terminal: the approval prompt must get the answer.

docs/cli.md: with no flag, at a terminal, a request the policy leaves to a person "asks
`approve ...? [y/N]`". The user types `y` at that prompt; the call must be approved.
"""

from __future__ import annotations

import contextlib
import os
import pty
import select
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

AGENT = '''
import rtagents


@rtagents.tool(needs_approval=True)
def book(restaurant: str, people: int) -> str:
    """Book a table."""
    return f"booked {restaurant} for {people}"


agent = rtagents.Agent(name="host", tools=[book], output_modalities=["text"])
'''


def _read_until(fd: int, out: bytearray, needle: bytes, within: float) -> bool:
    end = time.monotonic() + within
    while time.monotonic() < end:
        if needle in out:
            return True
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                return needle in out
            if not chunk:
                return needle in out
            out += chunk
    return needle in out


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")
def test_y_at_the_prompt_approves_the_call(tmp_path: Path) -> None:
    (tmp_path / "host_agent.py").write_text(AGENT)
    env = dict(os.environ, PYTHONPATH=f"{ROOT}{os.pathsep}{tmp_path}")
    pid, fd = pty.fork()
    if pid == 0:  # the child: rtagents run, at a terminal, lines typed on stdin
        os.chdir(tmp_path)
        os.execve(
            sys.executable, [sys.executable, "-m", "rtagents", "run", "host_agent:agent"], env
        )
    out = bytearray()
    try:
        assert _read_until(fd, out, b"you> ", 30), out.decode(errors="replace")
        os.write(fd, b"Book a table at Noma for 2\n")
        assert _read_until(fd, out, b"[y/N]", 30), out.decode(errors="replace")
        os.write(fd, b"y\n")
        # The answer is given: the call is decided within a few seconds, approved.
        _read_until(fd, out, b"<- book", 8)
        text = out.decode(errors="replace")
        assert "approved" in text and "booked Noma for 2" in text, text
        assert "user: y" not in text, "the 'y' typed at the approval prompt became a user message"
    finally:
        with contextlib.suppress(OSError):
            os.write(fd, b"exit\n")
        time.sleep(0.5)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, 9)
        os.waitpid(pid, 0)
        os.close(fd)
