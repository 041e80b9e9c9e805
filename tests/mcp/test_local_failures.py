"""Local MCP servers that fail to start: a clear error within the connect timeout, never an
exception group; and one server entered twice shares one connection."""

from __future__ import annotations

import sys
import time

import anyio
import pytest

import rtagents
from rtagents.emulator import Emulator
from rtagents.mcp import MCPConnectError, MCPServerHTTP, MCPServerStdio

from .servers import NOTES_SERVER

pytestmark = pytest.mark.anyio


async def test_an_http_server_that_never_answers_initialize() -> None:
    accepted: list[anyio.abc.SocketStream] = []

    async def hold(stream: anyio.abc.SocketStream) -> None:
        accepted.append(stream)  # read nothing, answer nothing
        await anyio.sleep_forever()

    listener = await anyio.create_tcp_listener(local_host="127.0.0.1", local_port=0)
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    async with listener, anyio.create_task_group() as tg:
        tg.start_soon(listener.serve, hold)
        server = MCPServerHTTP(f"http://127.0.0.1:{port}/mcp", name="mute", connect_timeout=1)
        agent = rtagents.Agent(name="m", tools=[server])
        started = time.monotonic()
        async with Emulator() as emu:
            with pytest.raises(MCPConnectError, match=r"'mute' did not answer within 1 s") as info:
                async with rtagents.connect(agent, url=emu.url):
                    pass
        assert time.monotonic() - started < 6
        assert isinstance(info.value, rtagents.ConnectError)
        tg.cancel_scope.cancel()


async def test_a_server_that_cannot_start_names_the_cause() -> None:
    server = MCPServerStdio(sys.executable, ["-c", "import sys; sys.exit(3)"], name="dead")
    with pytest.raises(MCPConnectError, match="'dead'") as info:
        async with server:
            pass
    assert "TaskGroup" not in str(info.value)


async def test_entering_a_server_twice_shares_one_connection() -> None:
    server = MCPServerStdio(sys.executable, [NOTES_SERVER], name="notes")
    async with server:
        client = server._client
        async with server:
            assert server._client is client
        assert server._client is client  # the inner exit did not close it
        agent = rtagents.Agent(name="n", tools=[server])
        async with Emulator() as emu, rtagents.connect(agent, url=emu.url):
            assert server._client is client  # connect() reused it too
        assert server._client is client
    assert server._client is None


async def test_two_sessions_share_one_server_and_each_hears_its_failures() -> None:
    from rtagents.emulator import CallFunction, ScriptedModel

    server = MCPServerStdio(sys.executable, [NOTES_SERVER], name="notes")
    agent = rtagents.Agent(
        name="n",
        tools=[server],
        approval=rtagents.ApprovalPolicy(rules=[rtagents.allow()]),
        output_modalities=["text"],
    )
    heard: dict[str, list[str]] = {"a": [], "b": []}
    async with server:
        async with Emulator(model=ScriptedModel([CallFunction("crash"), "gone"])) as emu:
            async with (
                rtagents.connect(agent, transport=emu.transport()) as a,
                rtagents.connect(agent, transport=emu.transport()) as b,
            ):
                a.on("mcp.server.failed")(lambda e: heard["a"].append(e.server))
                b.on("mcp.server.failed")(lambda e: heard["b"].append(e.server))
                await a.ask("crash it")
    assert heard == {"a": ["notes"], "b": ["notes"]}  # neither listener replaced the other
