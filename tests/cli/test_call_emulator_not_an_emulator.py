"""``rtagents call --emulator URL`` where URL answers 200 but is not the emulator (an app's
port given by mistake, a dev server or proxy that answers every path with its page, any
JSON API): one line saying the URL is not the emulator's REST base, exit 2, never a
traceback."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.user_cli import rtagents


def _server(body: bytes, kind: str) -> Iterator[str]:
    class Page(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length", 0)))
            self.send_response(200)
            self.send_header("content-type", kind)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("body", "kind"),
    [(b"<!doctype html><p>my app</p>", "text/html"), (b'{"ok": true}', "application/json")],
)
def test_a_url_that_is_not_the_emulator_is_one_line(tmp_path: Path, body: bytes, kind: str) -> None:
    for base in _server(body, kind):
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
        assert "Traceback" not in done.stderr, done.stderr[-300:]
        assert done.returncode in (1, 2), done
