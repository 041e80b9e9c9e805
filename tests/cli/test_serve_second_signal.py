"""``rtagents serve`` says (``--help``, docs/cli.md) that it serves "a CallServer (or any ASGI
app)" and that after the first SIGTERM "a second one exits at once". That holds for an app
without ``drain()`` too (any other ASGI app, or a CallServer wrapped in middleware):
DrainingServer exits on the second signal itself, SIGTERM or SIGINT. Left to uvicorn, which
forces an exit only on a second SIGINT, a second SIGTERM would do nothing while a response is
still streaming, and the process would wait for SIGKILL."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx2

from tests.cli.harness import env

APP = """
import asyncio
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse, StreamingResponse
from starlette.routing import Route


async def events(request):
    async def ticks():
        while True:
            yield b"tick\\n"
            await asyncio.sleep(0.2)

    return StreamingResponse(ticks())


async def ok(request):
    return PlainTextResponse("ok")


app = Starlette(routes=[Route("/events", events), Route("/", ok)])
"""


def test_a_second_sigterm_exits_at_once_for_any_asgi_app(tmp_path: Path) -> None:
    (tmp_path / "stream_app.py").write_text(APP)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "rtagents", "serve", "stream_app:app", "--port", str(port)],
        cwd=tmp_path,
        env=env(),
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                httpx2.get(url)
                break
            except httpx2.ConnectError:
                assert time.monotonic() < deadline and server.poll() is None
                time.sleep(0.1)

        def follow() -> None:  # a client on a long response (an event stream)
            try:
                with httpx2.stream("GET", f"{url}/events", timeout=30) as reply:
                    for _ in reply.iter_bytes():
                        pass
            except httpx2.HTTPError:
                pass

        threading.Thread(target=follow, daemon=True).start()
        time.sleep(0.5)
        server.send_signal(signal.SIGTERM)
        time.sleep(1)
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=4)
        except subprocess.TimeoutExpired:
            raise AssertionError("still running 4 s after the second SIGTERM") from None
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
