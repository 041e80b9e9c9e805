"""A local MCP server's client lives in a task of its own: its task groups and cancel scopes
wrap none of the app's code. So a server that goes away fails its calls (``unavailable``),
never the app's ``connect()`` block; a start that fails or is cancelled leaves the caller's
task as it was, and no server process behind; and sessions in different tasks share one
server, whichever ends first."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.mcp import MCPConnectError, MCPServerHTTP, MCPServerStdio

from .servers import NOTES_SERVER

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]


def lookup_model(turns: int = 1) -> ScriptedModel:
    return ScriptedModel([CallFunction("lookup", {"key": "greeting"}), "done"] * turns)


async def test_an_http_server_that_goes_away_fails_its_call_not_the_session() -> None:
    # The server in a process of its own, killed: its port then refuses connections.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    serve = (
        f"import sys; sys.path.insert(0, {str(Path(NOTES_SERVER).parent)!r}); import notes_server; "
        f"notes_server.server.run('streamable-http', port={port})"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", serve], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        with anyio.fail_after(15):
            while True:
                try:
                    await (await anyio.connect_tcp("127.0.0.1", port)).aclose()
                    break
                except OSError:
                    await anyio.sleep(0.05)
        url = f"http://127.0.0.1:{port}/mcp"
        server = MCPServerHTTP(url, name="notes", needs_approval=False)
        agent = rtagents.Agent(name="a", tools=[server], output_modalities=["text"])
        async with Emulator(model=lookup_model()) as emu:
            async with rtagents.connect(agent, transport=emu.transport()) as session:
                process.kill()  # the server is gone
                process.wait()
                with anyio.fail_after(15):
                    events = await session.ask("what does the greeting say?")
                kinds = [e.type for e in events]
                [failed] = [e for e in events if e.type == "tool.call.failed"]
                assert failed.kind == "unavailable"
                assert "mcp.server.failed" in kinds
                assert session.closed_reason is None
            await anyio.sleep(0.1)  # no cancellation left behind for this task
    finally:
        process.kill()
        process.wait()


@pytest.mark.parametrize("how", ["a failed start", "a cancelled start"])
async def test_a_start_that_fails_or_is_cancelled_leaves_the_task_as_it_was(how: str) -> None:
    failing = how == "a failed start"
    server = MCPServerStdio(
        sys.executable,
        [NOTES_SERVER, "--slow-list"],
        name="slow",
        connect_timeout=1 if failing else 10,
    )
    agent = rtagents.Agent(name="a", tools=[server], output_modalities=["text"])
    async with Emulator() as emu:
        if failing:
            with pytest.raises(MCPConnectError, match=r"'slow' did not answer within 1 s"):
                async with rtagents.connect(agent, transport=emu.transport()):
                    pass
        else:
            with anyio.move_on_after(1) as waiting:
                async with rtagents.connect(agent, transport=emu.transport()):
                    pass
            assert waiting.cancelled_caught
        assert not server.connected
        await anyio.sleep(0.2)  # before: a cancel scope left out of order cancelled this
        plain = rtagents.Agent(name="plain", output_modalities=["text"])
        async with rtagents.connect(plain, transport=emu.transport()) as session:
            assert [e.type for e in await session.ask("hi")][-1] == "response.done"


async def test_sessions_in_two_tasks_share_one_server_whichever_ends_first() -> None:
    server = MCPServerStdio(sys.executable, [NOTES_SERVER], name="notes", needs_approval=False)
    agent = rtagents.Agent(name="a", tools=[server], output_modalities=["text"])
    outputs: dict[str, list[Any]] = {"first": [], "second": []}

    async def session(label: str, emu: Emulator, linger: float) -> None:
        async with rtagents.connect(agent, transport=emu.transport()) as s:
            for _ in range(2):
                events = await s.ask("go")
                outputs[label] += [e.output for e in events if e.type == "tool.call.completed"]
                await anyio.sleep(linger)

    async with Emulator(model=lookup_model(2)) as one, Emulator(model=lookup_model(2)) as two:
        with anyio.fail_after(20):
            async with anyio.create_task_group() as tg:
                tg.start_soon(session, "first", one, 0.1)
                tg.start_soon(session, "second", two, 1.0)  # outlives the first
    assert outputs == {"first": ["hello from MCP"] * 2, "second": ["hello from MCP"] * 2}
    assert not server.connected
