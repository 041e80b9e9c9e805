"""A streamable-HTTP MCP server with resumable streams (an event store: the SSE events carry
ids) that dies while one of its calls is in flight: the call is told to the model as the
tool's own error, and no ``mcp.server.failed`` comes with it.

docs/mcp.md: "A server that dies, or whose connection breaks (... a call in flight whose
stream ends with no response), gives its calls `unavailable` outputs, and an
`mcp.server.failed` event is emitted." A resumable server's stream that ends makes the mcp
client reconnect with ``Last-Event-ID``; once the server is gone its attempts run out, and it
answers the orphaned request with its own ``CONNECTION_CLOSED`` error, "SSE stream ended and
reconnection attempts were exhausted", which ``rtagents.mcp.errors._CONNECTION_GONE`` does
not list: ``MCPServer.call_tool`` takes it for the server's answer (``Liveness.answered()``).
Observed: ``kind='error'``, "MCPError: SSE stream ended and reconnection attempts were
exhausted", and ``mcp.server.failed`` only 5 s later, from the idle ping.
"""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ModelContext, ScriptedModel
from rtagents.mcp import MCPServerHTTP
from tests.mcp.http_process import free_port, launch

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]

SERVE = """
import itertools, sys
from mcp.server.streamable_http import EventStore
from tests.mcp import notes_server

class Store(EventStore):  # ids for the events: the client may resume a stream
    def __init__(self):
        self.ids = itertools.count(1)
    async def store_event(self, stream_id, message):
        return str(next(self.ids))
    async def replay_events_after(self, last_event_id, send_callback):
        return None

notes_server.server.run(
    "streamable-http", port=int(sys.argv[1]), event_store=Store(), retry_interval=100
)
"""


def answer(ctx: ModelContext) -> str:
    return "done: " + " | ".join(o["output"][:40] for o in ctx.pending_outputs) + "."


async def test_a_call_in_flight_when_a_resumable_http_server_dies_is_unavailable() -> None:
    port = free_port()
    proc = launch(port, SERVE)
    server = MCPServerHTTP(f"http://127.0.0.1:{port}/mcp", name="notes", needs_approval=False)
    agent = rtagents.Agent(name="a", tools=[server], output_modalities=["text"], tool_timeout=30)
    # notes_server's ``crash`` ends the server's process (os._exit) while it handles the call.
    model = ScriptedModel([CallFunction("crash", {}, call_id="c"), answer])
    events: list[Any] = []
    try:
        async with Emulator(model=model) as emu:
            async with rtagents.connect(agent, url=emu.url) as session:
                await session.send_text("crash it")
                with anyio.fail_after(20):
                    async for event in session:
                        events.append(event)
                        if event.type == "response.output_text.done":
                            break
                    else:
                        pytest.fail("the session ended before the answer")
    finally:
        proc.kill()
        await anyio.to_thread.run_sync(proc.wait)
    [failed] = [e for e in events if e.type == "tool.call.failed" and e.call_id == "c"]
    assert failed.kind == "unavailable", (failed.kind, failed.message)
    assert json.loads(failed.output)["error"] == "unavailable"
    # Told with the call, before the model's answer to it (not by the idle ping, 5 s on).
    assert [e for e in events if e.type == "mcp.server.failed"], [e.type for e in events]
