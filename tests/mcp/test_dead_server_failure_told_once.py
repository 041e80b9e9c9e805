"""A local MCP server that died is told as ``mcp.server.failed`` once, not once per call.

``MCPServerFailed``'s own contract: "A local MCP server died, or stopped answering ...;
its calls get error outputs. Told once until the server answers again." A dead stdio
server never answers again, yet every later call to it emits another event (the transport
failure path in ``MCPServer.call_tool`` tells the listeners directly, bypassing the
once-until-it-answers bookkeeping of ``Liveness``).
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ModelContext, ScriptedModel
from rtagents.mcp import MCPServerStdio
from rtagents.testing import sent_outputs
from tests.mcp.servers import NOTES_SERVER

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


def echo(ctx: ModelContext) -> str:
    return " | ".join(o["output"] for o in ctx.pending_outputs)


async def test_a_dead_server_is_reported_once_not_once_per_call() -> None:
    server = MCPServerStdio(
        sys.executable,
        [NOTES_SERVER],
        env={"PYTHONPATH": os.getcwd()},
        name="notes",
        needs_approval=False,
    )
    agent = rtagents.Agent(name="n", tools=[server], output_modalities=["text"])
    turns = [
        CallFunction("crash", {}, call_id="c"),
        echo,
        [
            CallFunction("lookup", {"key": "a"}, call_id="l1"),
            CallFunction("lookup", {"key": "b"}, call_id="l2"),
        ],
        echo,
        CallFunction("lookup", {"key": "c"}, call_id="l3"),
        echo,
    ]
    events: list[Any] = []
    async with Emulator(model=ScriptedModel(turns)) as emu:
        async with rtagents.connect(agent, transport=emu.transport()) as session:
            await session.send_text("crash it")
            done = 0
            with anyio.fail_after(30):
                async for event in session:
                    events.append(event)
                    if event.type == "response.done":
                        done += 1
                        if done in (2, 4):
                            await session.send_text("again")
                        if done == 6:
                            break
                else:
                    pytest.fail("the session ended before the event this loop waits for")
        outputs = sent_outputs(emu.last.received)
    for call_id in ("l1", "l2", "l3"):
        assert json.loads(outputs[call_id])["error"] == "unavailable"
    failed = [e for e in events if e.type == "mcp.server.failed"]
    assert len(failed) == 1, (
        f"the dead server was reported {len(failed)} times (once per call), "
        "though it never answered again"
    )
