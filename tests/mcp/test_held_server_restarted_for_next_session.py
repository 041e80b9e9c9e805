"""A server held open around sessions with ``async with server:`` that crashed while idle is
started again by the next session, as docs/mcp.md says.

docs/mcp.md: "A server held open is also pinged every 5 s while idle: one whose connection
closed between calls (a stdio server that crashed) is told the same way, is no longer
`connected`, and the next `connect()` (a session's, or yours) starts it again." and "A server
kept open across sessions (`async with server:` around them, or `await server.connect()` ...)".

With ``async with server:`` around the sessions (the phone-app pattern), the server's entry
count stays above zero, so the next session's entry (``MCPServer.__aenter__``) never calls
``_open``: the dead server is not started again, and every call of every later session fails.
"""

from __future__ import annotations

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


async def test_the_next_session_starts_a_held_server_that_died_while_idle_again() -> None:
    server = MCPServerStdio(
        sys.executable, [NOTES_SERVER], name="notes", env=HERE_ON_PATH, needs_approval=False
    )
    agent = rtagents.Agent(name="a", tools=[server], output_modalities=["text"])
    async with server:  # held open across the sessions (the phone-app pattern)
        (pid,) = children_running(NOTES_SERVER)
        os.kill(pid, signal.SIGKILL)  # it crashes between sessions
        with anyio.fail_after(15):  # the idle ping finds it
            while server.connected:
                await anyio.sleep(0.1)
        turns = [CallFunction("lookup", {"key": "greeting"}, call_id="l"), echo]
        async with Emulator(model=ScriptedModel(turns)) as emu:
            async with rtagents.connect(agent, transport=emu.transport()) as session:
                with anyio.fail_after(15):
                    await session.ask("look it up")
            outputs = sent_outputs(emu.last.received)
    assert outputs["l"] == "hello from MCP"
