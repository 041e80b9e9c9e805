"""failures.md (Secrets): errors show a URL without a password, "one holding an unescaped
`/`, `?` or `#` included"; ``rtagents call`` says it never prints its ``--emulator`` URL's
password (``shown = redact_url(base)``). Its URL check quotes urllib's ValueError, which
reads the password's head as the port: ``... is not a URL (Port could not be cast to
integer value as '<password head>')``. ``connect``'s ``endpoint`` handles the same case
("a password's /, ? or # must be %-escaped")."""

from __future__ import annotations

from tests.cli.harness import rtagents

HEAD = "Zq8rT2vLx9Wk"


def test_rtagents_call_never_prints_a_password_holding_a_slash() -> None:
    out = rtagents(
        "call",
        "--emulator",
        f"http://alice:{HEAD}/a1@127.0.0.1:9/v1",
        "--secret",
        "whsec_c2VjcmV0",
        "--webhook",
        "http://127.0.0.1:9/openai/webhook",
        timeout=30,
    )
    assert out.returncode != 0  # refused, as it should be
    assert HEAD not in out.stdout + out.stderr, out.stderr
