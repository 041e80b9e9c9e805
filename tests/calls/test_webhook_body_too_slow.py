"""A sender that declares a body and trickles it (or never sends the rest) held a task of the
calls server for as long as it kept the connection open: ``read_body`` had no time limit. It
is answered 408 once ``BODY_TIMEOUT_S`` has passed, and nothing is asked of the API."""

from __future__ import annotations

import anyio
import pytest

import rtagents
import rtagents._asgi
from rtagents.calls import CallServer
from rtagents.testing import serve_asgi
from tests.calls.harness import SECRET, recording_api

pytestmark = pytest.mark.anyio


async def test_a_body_that_does_not_come_is_answered_408(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rtagents._asgi, "BODY_TIMEOUT_S", 0.5)
    async with recording_api() as api:
        app = CallServer(
            agent=rtagents.Agent(), webhook_secret=SECRET, api_key="sk-x", base_url=api.url
        )
        async with serve_asgi(app) as url:
            host, port = url.removeprefix("http://").split(":")
            head = (
                "POST /openai/webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                "Content-Length: 1000\r\n\r\n"
            )
            async with await anyio.connect_tcp(host, int(port)) as sock:
                await sock.send(head.encode() + b'{"type": "realtime.call.incoming"')
                with anyio.fail_after(5):
                    answer = await sock.receive()
    assert answer.startswith(b"HTTP/1.1 408"), answer[:80]
    assert api.requests == []
