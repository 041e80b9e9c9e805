"""A webhook whose sender goes away while its body is being read (a network blip, a load
balancer's timeout, a client that gives up).

Rule broken: bad input of any kind gets a clear outcome, never an unhandled exception (the
calls app's docs: "never a 500"). ``read_body`` lets Starlette's ``ClientDisconnect`` out of
``CallServer._webhook``: the request ends in "Exception in ASGI application", a traceback
logged at ERROR by uvicorn for every webhook whose sender hung up mid-body. It should be
handled as the other refusals are (nothing to answer: return quietly, with at most a
warning line).
"""

from __future__ import annotations

import logging

import anyio
import pytest

import rtagents
from rtagents.calls import CallServer
from rtagents.testing import serve_asgi
from tests.calls.harness import SECRET, recording_api

pytestmark = pytest.mark.anyio


async def test_a_sender_gone_mid_body_is_no_unhandled_exception(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
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
                await anyio.sleep(0.3)  # the server is reading the body
            await anyio.sleep(0.5)  # the sender has gone: the server sees the disconnect
    unhandled = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info is not None]
    assert not unhandled, [(r.name, r.getMessage()) for r in unhandled]
    assert api.requests == []
