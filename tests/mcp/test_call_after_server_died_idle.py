"""A call to a local MCP server found dead while idle is ``unavailable``, as docs/mcp.md says.

docs/mcp.md: "A server that dies, or whose connection breaks, gives its calls `unavailable`
outputs". A stdio server that crashes between calls is found by the idle ping, which makes the
server no longer ``connected``; a call made after that fails in ``MCPServer._require`` with a
bare ``ConnectionError``, which is no ``ToolUnavailable``: the model is told ``error`` ("The tool
failed; tell the user, or try another way"), so it retries with other arguments.
"""

from __future__ import annotations

import json
import os
import signal
import sys

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ModelContext, ScriptedModel
from rtagents.mcp import MCPServerStdio
from rtagents.testing import sent_outputs
from tests.mcp.servers import NOTES_SERVER
from tests.mcp.test_local_lifetimes import HERE_ON_PATH, children_running

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


def echo(ctx: ModelContext) -> str:
    return " | ".join(o["output"] for o in ctx.pending_outputs)


async def test_a_call_after_the_idle_ping_found_the_server_dead_is_unavailable() -> None:
    server = MCPServerStdio(
        sys.executable, [NOTES_SERVER], name="notes", env=HERE_ON_PATH, needs_approval=False
    )
    agent = rtagents.Agent(name="a", tools=[server], output_modalities=["text"])
    turns = [CallFunction("lookup", {"key": "greeting"}, call_id="l"), echo]
    async with Emulator(model=ScriptedModel(turns)) as emu:
        async with rtagents.connect(agent, transport=emu.transport()) as session:
            (pid,) = children_running(NOTES_SERVER)
            os.kill(pid, signal.SIGKILL)  # it crashes between calls
            with anyio.fail_after(15):
                async for event in session:
                    if event.type == "mcp.server.failed":
                        break
                else:
                    pytest.fail("the session ended before the event this loop waits for")
                await session.send_text("look it up")
                async for event in session:
                    if event.type == "response.done" and sent_outputs(emu.last.received):
                        break
                else:
                    pytest.fail("the session ended before the event this loop waits for")
        outputs = sent_outputs(emu.last.received)
    body = json.loads(outputs["l"])
    assert body["error"] == "unavailable", body
