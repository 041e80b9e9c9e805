"""A local MCP server the app connected by hand (``await server.connect()``) stays open
until the app closes it, whatever sessions use it meanwhile: the first session to end
closed it, and the next one started a second process."""

from __future__ import annotations

import sys

import pytest

import rtagents
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.mcp import MCPServerStdio
from tests.mcp.servers import NOTES_SERVER

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


async def test_a_server_connected_by_hand_outlives_the_sessions_that_use_it() -> None:
    server = MCPServerStdio(sys.executable, [NOTES_SERVER], name="notes")
    await server.connect()
    try:
        agent = rtagents.Agent(name="n", tools=[server], output_modalities=["text"])
        async with Emulator(model=ScriptedModel(["hi"])) as emu:
            for _ in range(2):
                async with rtagents.connect(agent, transport=emu.transport()):
                    assert server.connected
                assert server.connected, "the session's end closed a server the app opened"
    finally:
        await server.close()
    assert not server.connected


async def test_a_server_entered_by_its_sessions_alone_closes_with_the_last() -> None:
    server = MCPServerStdio(sys.executable, [NOTES_SERVER], name="notes")
    agent = rtagents.Agent(name="n", tools=[server], output_modalities=["text"])
    async with Emulator(model=ScriptedModel(["hi"])) as emu:
        async with rtagents.connect(agent, transport=emu.transport()):
            assert server.connected
    assert not server.connected
