"""A streamable-HTTP MCP server that dies while one of its calls is in flight.

docs/mcp.md: "A server that dies, or whose connection breaks [...] gives its calls
`unavailable` outputs, and an `mcp.server.failed` event is emitted." docs/failures.md: "a
local MCP server dies | `mcp.server.failed`, and `tool.call.failed` with
`kind="unavailable"`". Over stdio that holds. Over streamable HTTP, the call in flight when
the process dies is told to the model as an ordinary tool error (`error`: "The tool failed;
tell the user, or try another way"), and no `mcp.server.failed` comes with it: the mcp client
answers the orphaned request with its own `CONNECTION_CLOSED` error, "SSE stream ended without
a response", which ``rtagents.mcp.errors._closed`` does not know (it knows only "Connection
closed"), so ``MCPServer.call_tool`` takes it for the server's answer
(``Liveness.answered()``). Both APIs share the code; both are checked.
"""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ModelContext, ScriptedModel, audio
from rtagents.mcp import MCPServerHTTP
from tests.mcp.http_process import free_port, launch

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


def answer(ctx: ModelContext) -> str:
    return "done: " + " | ".join(o["output"][:40] for o in ctx.pending_outputs) + "."


@pytest.mark.parametrize("api", ["realtime", "live"])
async def test_a_call_in_flight_when_an_http_server_dies_is_unavailable(api: str) -> None:
    port = free_port()
    proc = launch(port)
    server = MCPServerHTTP(f"http://127.0.0.1:{port}/mcp", name="notes", needs_approval=False)
    agent = rtagents.Agent(name="a", tools=[server])
    # notes_server's ``crash`` ends the server's process (os._exit) while it handles the call.
    model = ScriptedModel([CallFunction("crash", {}, call_id="c"), answer])
    events: list[Any] = []
    try:
        async with Emulator(model=model) as emu:
            url = emu.live_url if api == "live" else emu.url
            async with rtagents.connect(agent, url=url, api=api) as session:
                if api == "live":
                    await session.send_audio(audio.tone(600).tobytes())
                    await session.send_audio(audio.silence(400).tobytes())
                else:
                    await session.send_text("crash it")
                said = ""
                with anyio.fail_after(20):
                    async for event in session:
                        events.append(event)
                        if event.type == "transcript.delta" and event.role == "assistant":
                            said += event.delta
                            if said.endswith("."):
                                break
                    else:
                        pytest.fail("the session ended before the answer")
    finally:
        proc.kill()
        await anyio.to_thread.run_sync(proc.wait)
    [failed] = [e for e in events if e.type == "tool.call.failed" and e.call_id == "c"]
    told = json.loads(failed.output)
    # Observed: kind 'error', message "MCPError: SSE stream ended without a response".
    assert failed.kind == "unavailable", (failed.kind, failed.message)
    assert told["error"] == "unavailable", told
    # The failure is told to the app with the call, as it is over stdio.
    assert [e for e in events if e.type == "mcp.server.failed"], [e.type for e in events]
