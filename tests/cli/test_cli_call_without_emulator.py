"""`rtagents call` when no emulator is running (the newcomer forgot `rtagents emulator`).

The command says "lost the emulator at http://127.0.0.1:PORT/v1: [Errno 111] Connection
refused": "lost" reads as a connection that was up and dropped, when nothing was ever
listening. `rtagents run --url` says "cannot connect to ..." for the same fault; a call
should say it could not reach the emulator (and that `rtagents emulator` starts one).
"""

from __future__ import annotations

import socket
from pathlib import Path

from tests.cli.user_cli import rtagents


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_no_emulator_is_said_as_such(tmp_path: Path) -> None:
    base = f"http://127.0.0.1:{_free_port()}/v1"
    done = rtagents(
        tmp_path,
        "call",
        "--webhook",
        "http://127.0.0.1:9/openai/webhook",
        "--secret",
        "whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0",
        "--say",
        "hi",
        "--emulator",
        base,
    )
    assert done.returncode != 0
    assert "lost the emulator" not in done.stderr, done.stderr
    assert "rtagents emulator" in done.stderr or "cannot" in done.stderr, done.stderr
