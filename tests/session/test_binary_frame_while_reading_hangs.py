"""A binary message, or a text message the server sends in fragments (both allowed by RFC
6455; websockets' ``send(list)`` fragments), arriving while the session's reader waits for its
next frame: the direct path hands it, and every byte after it, to websockets, but never wakes
the reader, which goes on waiting on the direct path's own waiter. Nothing wakes it again but
the connection's loss: keepalive pings are still answered, so no drop is seen. Every frame
after it goes unread, every tool call after it unanswered: the session hangs.

failures.md: a frame that is not JSON / of an unknown type is "a ``session.warning``", and
the session goes on; the rule is that "the call is answered"."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents.session.websocket import DirectConnection

from .hostile import hostile_server

pytestmark = pytest.mark.anyio


@rtagents.tool
def canary() -> str:
    """Still alive?"""
    return "tweet"


@pytest.mark.parametrize(
    "frame",
    [
        b'{"type": "mystery.binary", "event_id": "e1"}',  # a binary message
        ['{"type": "mystery.frag', 'mented", "event_id": "e1"}'],  # a fragmented text message
    ],
    ids=["binary", "fragmented"],
)
async def test_a_frame_off_the_direct_path_while_the_reader_waits_is_read(frame: Any) -> None:
    agent = rtagents.Agent(name="h", tools=[canary], tool_timeout=5)
    async with hostile_server() as server:
        async with rtagents.connect(agent, url=server.url) as session:
            warned = anyio.Event()
            session.on("session.warning")(lambda event: warned.set())
            await server.call("canary", {}, "c1")
            assert await server.output_for("c1") == "tweet"
            await server.wait_for(lambda e: e["type"] == "response.create")
            # A last text frame: once its warning is out, nothing else is on its way.
            await server.send({"type": "mystery.text"})
            with anyio.fail_after(5):
                await warned.wait()
            ws = session._runner.upstream.transport._ws
            assert isinstance(ws, DirectConnection)
            with anyio.fail_after(5):  # the reader is idle, waiting for the next frame
                while ws._waiter is None or ws._texts:
                    await anyio.sleep(0.005)
            assert server.ws is not None
            await server.ws.send(frame)
            await server.call("canary", {}, "c2")
            # Hangs: the output for c2 never comes (TimeoutError from wait_for's fail_after).
            assert await server.output_for("c2", within=5) == "tweet"
