"""Ctrl-C ends ``rtagents run`` and ``rtagents demo`` without a traceback, on every Python
rtagents supports (``requires-python >= 3.10``; the README: "only Python 3.10+").

On 3.10, asyncio tasks have no ``uncancel``: AnyIO's runner cancels the main task on SIGINT
but cannot tell that cancel from another, so ``anyio.run`` raises the ``CancelledError``, not
``KeyboardInterrupt``. ``_cli_run`` suppresses only ``KeyboardInterrupt`` and ``cli.main``
catches ``Exception``: the ``CancelledError`` (a ``BaseException``) escapes as a ~60-line
traceback, exit 1, and ``--out`` is never written. CI runs 3.11 only, where it passes; run
this file with a 3.10 interpreter that has rtagents' dependencies:
``/path/to/py310-venv/bin/python -m pytest tests/cli/test_ctrl_c_on_python_310.py``."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.cli.harness import env

SLOW_AGENT = '''
import time, rtagents

@rtagents.tool
def get_weather(city: str) -> str:
    """Current weather for a city."""
    time.sleep(30)
    return f"sunny in {city}"

agent = rtagents.Agent(name="slow", instructions="Be brief.", tools=[get_weather])
'''


def _sigint_when(args: list[str], cue: str, cwd: Path) -> tuple[int | None, str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "rtagents", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=cwd,
        env=env(),
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    seen = ""
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 20
        while cue not in seen and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            seen += line
        assert cue in seen, seen
        proc.send_signal(signal.SIGINT)  # Ctrl-C
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            return None, seen
        return proc.returncode, seen + proc.stdout.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_ctrl_c_while_a_tool_runs(tmp_path: Path) -> None:
    (tmp_path / "slow_agent.py").write_text(SLOW_AGENT)
    out = tmp_path / "answer.wav"
    code, seen = _sigint_when(
        ["run", "slow_agent:agent", "--say", "What's the weather in Paris?", "--out", str(out)],
        "-> get_weather",
        tmp_path,
    )
    assert code is not None, "still running 15 s after Ctrl-C"
    assert "Traceback" not in seen, f"Python {sys.version_info[:2]}: {seen[-600:]}"
    assert code in (0, 130), seen[-300:]
    assert out.exists(), "--out is kept after Ctrl-C (_cli_run: 'Ctrl-C ends a voice chat')"


def test_ctrl_c_during_the_demo(tmp_path: Path) -> None:
    code, seen = _sigint_when(["demo", "--out", str(tmp_path / "d.wav")], "user: ", tmp_path)
    assert code is not None, "still running 15 s after Ctrl-C"
    assert "Traceback" not in seen, f"Python {sys.version_info[:2]}: {seen[-600:]}"
    assert code == 130, seen[-300:]
