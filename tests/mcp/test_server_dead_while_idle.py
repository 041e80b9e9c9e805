"""A local MCP server that dies while no call is running is noticed.

docs/mcp.md: "A server that dies, or whose connection breaks, gives its calls `unavailable`
outputs, and an `mcp.server.failed` event is emitted"; ``MCPServer._hold`` means to log
"went away" and keep why. A stdio server's process ending closes its stdout, which the
``mcp`` client takes quietly: ``async with client`` does not end, so ``_hold`` never sees it,
nothing is told, ``server.connected`` stays True, and ``connect()`` on the dead server is a
no-op. A server kept open across sessions (the documented phone-app pattern) that crashes
between calls then hands every later session a dead server: no error at connect, no event,
every call ``unavailable``, for good.
"""

from __future__ import annotations

import os
import signal
import sys

import anyio
import pytest

import rtagents
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.mcp import MCPConnectError, MCPServerStdio
from tests.mcp.servers import NOTES_SERVER
from tests.mcp.test_local_lifetimes import HERE_ON_PATH, children_running

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


async def test_a_server_that_dies_while_idle_is_told_as_failed() -> None:
    server = MCPServerStdio(sys.executable, [NOTES_SERVER], name="notes", env=HERE_ON_PATH)
    agent = rtagents.Agent(name="a", tools=[server], output_modalities=["text"])
    told: list[str] = []
    async with Emulator(model=ScriptedModel(["hi"])) as emu:
        async with rtagents.connect(agent, transport=emu.transport()) as session:
            (pid,) = children_running(NOTES_SERVER)
            os.kill(pid, signal.SIGKILL)  # it crashes between calls
            with anyio.move_on_after(8):
                async for event in session:
                    if event.type == "mcp.server.failed":
                        told.append(event.server)
                        break
                else:
                    pytest.fail("the session ended before the event this loop waits for")
    assert told == ["notes"], "a server that died was never told as failed"


async def test_a_server_kept_open_that_died_is_not_reached_as_if_alive() -> None:
    server = MCPServerStdio(sys.executable, [NOTES_SERVER], name="notes", env=HERE_ON_PATH)
    await server.connect()  # kept open across sessions, as docs/mcp.md shows
    try:
        (pid,) = children_running(NOTES_SERVER)
        os.kill(pid, signal.SIGKILL)
        await anyio.sleep(1.0)
        try:
            await server.connect()  # "Start (or reach) the server"
        except MCPConnectError:
            return  # told at connect: fine
        with anyio.fail_after(10):
            result = await server.call_tool("lookup", {"key": "greeting"})
        assert result.content[0].text == "hello from MCP"  # type: ignore[union-attr]
    finally:
        await server.close()
