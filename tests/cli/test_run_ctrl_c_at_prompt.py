"""Ctrl-C at ``rtagents run``'s prompt ends the command. The typed lines are read by a daemon
thread of their own (``_cli_talk.lines``), so a ``readline`` still blocked when the session is
cancelled keeps no exit waiting. Read by AnyIO's worker thread
(``anyio.to_thread.run_sync(sys.stdin.readline, abandon_on_cancel=True)``), which is not a
daemon, the interpreter's shutdown would wait for it. The command would then not exit after
Ctrl-C until the user also pressed Enter (or Ctrl-D)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.cli.harness import AGENT, env


def test_ctrl_c_at_the_prompt_exits(tmp_path: Path) -> None:
    (tmp_path / "my_agent_sigint.py").write_text(AGENT)
    proc = subprocess.Popen(
        [sys.executable, "-m", "rtagents", "run", "my_agent_sigint:agent"],
        stdin=subprocess.PIPE,  # the terminal: open, the user typing nothing
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=tmp_path,
        env=env(),
        preexec_fn=_as_from_a_terminal,
    )
    try:
        assert proc.stdout is not None and proc.stdin is not None
        proc.stdin.write("hello\n")
        proc.stdin.flush()
        deadline = time.monotonic() + 15
        seen = ""
        while "You said: hello" not in seen and time.monotonic() < deadline:
            seen += proc.stdout.readline()
        assert "You said: hello" in seen, seen
        time.sleep(0.5)  # at the prompt again, waiting for the next line
        proc.send_signal(signal.SIGINT)  # Ctrl-C
        try:
            code = proc.wait(timeout=8)
        except subprocess.TimeoutExpired:
            code = None
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert code is not None, "still running 8 s after Ctrl-C (waiting for a line on stdin)"


def _as_from_a_terminal() -> None:
    """The command starts as a shell starts it: Ctrl-C is neither ignored nor blocked, whatever
    the test's worker process inherited or was left with by a test before (a disposition to
    ignore it, or a mask that blocks it, passes to a child; a handler does not)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
