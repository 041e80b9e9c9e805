"""``rtagents call --emulator URL`` with a URL httpx cannot send to (no ``http://``, as
``127.0.0.1:8765/v1`` is often typed; an unclosed ``[``) must fail as every other mistake on
the command line does: one line, ``rtagents call: ...``, exit 2. Today only
``httpx2.ConnectError`` is caught around the first request: ``UnsupportedProtocol`` (and the
``ValueError`` of a malformed host) escape as a bare traceback, exit 1. ``run --url`` has the
same mistakes covered (tests/cli/test_run_bad_url.py)."""

from __future__ import annotations

import pytest

from tests.cli.harness import rtagents

SECRET = "whsec_c2VjcmV0"


@pytest.mark.parametrize("emulator", ["127.0.0.1:8765/v1", "localhost:8765", "http://[::1/v1"])
def test_a_malformed_emulator_url_is_one_line(emulator: str) -> None:
    done = rtagents(
        "call",
        "--webhook",
        "http://127.0.0.1:1/openai/webhook",
        "--secret",
        SECRET,
        "--say",
        "hi",
        "--emulator",
        emulator,
    )
    assert "Traceback" not in done.stderr, done.stderr[-300:]
    assert done.returncode == 2 and done.stderr.startswith("rtagents call: "), done.stderr
