"""``rtagents call --timeout`` takes a positive, finite number of seconds (``_seconds``). Any
other value is refused with exit 2 before any call is placed, as --refreeze refuses its own
(``_refreeze_seconds``). ``nan`` would make the deadline never pass (``now >= nan`` is always
false), so a call its app never accepts would be followed forever. A negative or zero timeout
would give up at once ("still ringing after -5 s")."""

from __future__ import annotations

import http.server
import subprocess
import threading
from collections.abc import Iterator

import pytest

from tests.cli.harness import emulator, rtagents

SECRET = "whsec_c2VjcmV0"


class _Accepts(http.server.BaseHTTPRequestHandler):
    """A webhook that answers 200 and never accepts the call (an app still deciding)."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Accepts)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/openai/webhook"
    server.shutdown()


def test_a_nan_timeout_never_gives_up(webhook: str) -> None:
    with emulator() as (_, http_url):
        try:
            done = rtagents(
                "call",
                "--emulator",
                http_url,
                "--webhook",
                webhook,
                "--secret",
                SECRET,
                "--say",
                "hi",
                "--timeout",
                "nan",
                timeout=8,
            )
        except subprocess.TimeoutExpired:
            raise AssertionError("--timeout nan: still following the call after 8 s") from None
    assert done.returncode == 2 and "--timeout" in done.stderr, done.stderr


@pytest.mark.parametrize("value", ["-5"])
def test_a_timeout_that_is_not_a_time_is_refused(value: str) -> None:
    done = rtagents(
        "call",
        "--emulator",
        "http://127.0.0.1:1/v1",
        "--webhook",
        "http://127.0.0.1:1/x",
        "--secret",
        SECRET,
        "--timeout",
        value,
    )
    assert done.returncode == 2 and "--timeout" in done.stderr, done.stderr
