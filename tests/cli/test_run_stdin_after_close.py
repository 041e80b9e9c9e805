"""The session's end ends ``rtagents run``'s prompt. When the server drops the session while the
user is at the prompt (reconnecting gives up), ``session.closed`` cancels the wait for the next
line, and the command exits 1 at once. Otherwise ``talk`` would wait for a line to send into a
session that is gone: the command would neither exit nor fail until the user typed something (or
closed stdin)."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import pytest

from rtagents.cli import main
from rtagents.session import Reconnect
from rtagents.session.connect import connect
from tests.cli.harness import AGENT, emulator


def test_a_session_dropped_at_the_prompt_ends_the_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "my_agent_prompt.py").write_text(AGENT)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    quick = Reconnect(attempts=1, backoff=0.01, max_backoff=0.01)
    monkeypatch.setitem(connect.__kwdefaults__, "reconnect", quick)
    read_end, write_end = os.pipe()  # the user's terminal: open, nothing typed yet
    monkeypatch.setattr(sys, "stdin", os.fdopen(read_end, "r"))
    codes: list[int] = []
    with emulator("--fault", "drop:after=session.updated,code=1011") as (ws, _):
        runner = threading.Thread(
            target=lambda: codes.append(main(["run", "my_agent_prompt:agent", "--url", ws])),
            daemon=True,
        )
        runner.start()
        started = time.monotonic()
        runner.join(timeout=10)
        waited = time.monotonic() - started
        os.close(write_end)  # the user finally presses Ctrl-D
        runner.join(timeout=10)
    assert waited < 10, f"still running {waited:.0f} s after the session was dropped (exit {codes})"
    assert codes == [1]
