"""A server held open across sessions (``async with server:``) that crashed during a call is no
longer ``connected``, and the next session starts it again (docs/mcp.md: "the next
`connect()` (a session's, or yours, or a session's inside your own `async with server:`)
starts it again"). It was still taken for connected, and the next session was handed the dead
connection for its whole life."""

from __future__ import annotations

import sys

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ModelContext, ScriptedModel
from rtagents.mcp import MCPServerStdio
from rtagents.testing import sent_outputs

from .servers import NOTES_SERVER
from .test_local_lifetimes import HERE_ON_PATH

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


def echo(ctx: ModelContext) -> str:
    return " | ".join(o["output"] for o in ctx.pending_outputs)


async def test_the_next_session_starts_a_held_server_that_crashed_in_a_call_again() -> None:
    server = MCPServerStdio(
        sys.executable, [NOTES_SERVER], name="notes", env=HERE_ON_PATH, needs_approval=False
    )
    agent = rtagents.Agent(name="a", tools=[server], output_modalities=["text"])
    async with server:  # held open across the sessions (the phone-app pattern)
        crash = [CallFunction("crash", {}, call_id="c"), echo]
        async with Emulator(model=ScriptedModel(crash)) as emu:
            async with rtagents.connect(agent, transport=emu.transport()) as session:
                with anyio.fail_after(15):
                    await session.ask("crash it")
            assert '"unavailable"' in sent_outputs(emu.last.received)["c"]
        # The server is dead; its death was found by the call.
        still_connected = server.connected  # (was True: ``_client`` kept)
        turns = [CallFunction("lookup", {"key": "greeting"}, call_id="l1"), echo]
        async with Emulator(model=ScriptedModel(turns)) as emu:
            async with rtagents.connect(agent, transport=emu.transport()) as session:
                with anyio.fail_after(15):
                    await session.ask("look it up")
            outputs = sent_outputs(emu.last.received)
    assert outputs["l1"] == "hello from MCP", (still_connected, outputs)
