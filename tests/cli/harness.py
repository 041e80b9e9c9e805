"""Helpers for the CLI review tests: the command in a subprocess, an emulator in another."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def env(**extra: str | None) -> dict[str, str]:
    out = {**os.environ, "PYTHONPATH": str(ROOT)}
    for key in ("OPENAI_API_KEY", "RTAGENTS_EMULATOR_API_KEY", "OPENAI_WEBHOOK_SECRET"):
        out.pop(key, None)
    for key, value in extra.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def rtagents(
    *args: str, cwd: Path | None = None, timeout: float = 14, **extra: str | None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rtagents", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env=env(**extra),
    )


@contextlib.contextmanager
def emulator(*options: str, **extra: str | None) -> Iterator[tuple[str, str]]:
    """``rtagents emulator --port 0 OPTIONS``: its websocket URL and REST base URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "rtagents", "emulator", "--port", "0", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env(**extra),
    )
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 10
        ws = http = None
        while (ws is None or http is None) and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if m := re.search(r"websocket URL: (\S+)", line):
                ws = m.group(1)
            if m := re.search(r"REST base URL: (\S+)", line):
                http = m.group(1)
        assert ws and http, "the emulator did not start"
        yield ws, http
    finally:
        proc.terminate()
        proc.wait(timeout=5)


AGENT = 'import rtagents\nagent = rtagents.Agent(name="a", instructions="Be brief.")\n'
