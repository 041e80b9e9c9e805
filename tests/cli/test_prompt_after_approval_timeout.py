"""``rtagents run`` at a terminal: the agent's policy has a ``timeout`` and no handler, so
the command asks ``approve ...? [y/N]``. Nobody answers; the policy's timeout denies the
request (``! declined by timeout``) and the conversation goes on. The prompt is withdrawn
then: the next line the user types is a new question the agent hears, not an answer to a
prompt already over (docs/cli.md: only "a line typed at an approval prompt is that prompt's
answer")."""

from __future__ import annotations

import contextlib
import os
import pty
import sys
import time
from pathlib import Path

import pytest

from tests.cli.test_cli_terminal_approval import _read_until

ROOT = Path(__file__).resolve().parents[2]

AGENT = '''
import rtagents


@rtagents.tool(needs_approval=True)
def book(restaurant: str, people: int) -> str:
    """Book a table."""
    return f"booked {restaurant} for {people}"


agent = rtagents.Agent(
    name="host",
    tools=[book],
    output_modalities=["text"],
    approval=rtagents.ApprovalPolicy(timeout=1),
)
'''


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")
def test_a_line_typed_after_the_prompt_timed_out_is_the_users(tmp_path: Path) -> None:
    (tmp_path / "host_agent.py").write_text(AGENT)
    env = dict(os.environ, PYTHONPATH=f"{ROOT}{os.pathsep}{tmp_path}")
    pid, fd = pty.fork()
    if pid == 0:  # the child: rtagents run, at a terminal
        os.chdir(tmp_path)
        os.execve(
            sys.executable, [sys.executable, "-m", "rtagents", "run", "host_agent:agent"], env
        )
    out = bytearray()
    try:
        assert _read_until(fd, out, b"you> ", 30), out.decode(errors="replace")
        os.write(fd, b"Book a table at Noma for 2\n")
        assert _read_until(fd, out, b"[y/N]", 30), out.decode(errors="replace")
        # Nobody answers: the policy's timeout denies, and the agent answers the denial.
        assert _read_until(fd, out, b"declined by timeout", 10), out.decode(errors="replace")
        # The next prompt, after the decline (it may have come in the same read as it):
        # ``_read_until`` looks in the whole buffer it is given.
        rest = bytearray(out[out.index(b"declined by timeout") :])
        assert _read_until(fd, rest, b"you> ", 20), rest.decode(errors="replace")
        after_turn = bytearray()  # the turn is over and the command asks for the next line
        os.write(fd, b"Say hello\n")
        _read_until(fd, after_turn, b"user: Say hello", 8)
        after = after_turn.decode(errors="replace")
        assert "user: Say hello" in after, (
            f"the question typed after the timeout was lost:\n{after}"
        )
    finally:
        with contextlib.suppress(OSError):
            os.write(fd, b"exit\n")
        time.sleep(0.5)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, 9)
        os.waitpid(pid, 0)
        os.close(fd)
