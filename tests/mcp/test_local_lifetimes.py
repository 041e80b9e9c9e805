"""A local MCP server's life beyond one session: its process ends with its last session
(also when it ignores its stdin closing, or hangs), a server shared by sessions that come
and go keeps each one's connection its own, and a change of its tools while no session
listened reaches the next one. Real servers built with ``mcp``, over stdio and HTTP."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.mcp import MCPServerHTTP, MCPServerStdio
from rtagents.mcp.local import CLOSE_TIMEOUT_S

from .servers import LATER_SERVER, ODD_SERVER, STUBBORN_SERVER, http_notes_server

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]
HERE_ON_PATH = {"PYTHONPATH": os.getcwd()}


def running(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie, ended but not reaped, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def children_running(script: str) -> list[int]:
    """This process's children running ``script``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int(Path(entry, "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmdline = Path(entry, "cmdline").read_bytes().decode(errors="replace")
        except (OSError, ValueError):
            continue
        if parent == os.getpid() and script in cmdline and running(int(entry.name)):
            found.append(int(entry.name))
    return found


async def gone_within(pids: list[int], seconds: float) -> list[int]:
    """The processes of ``pids`` still running after ``seconds`` (then killed: no leftovers)."""
    with anyio.move_on_after(seconds):
        while any(running(pid) for pid in pids):
            await anyio.sleep(0.1)
    left = [pid for pid in pids if running(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    return left


async def test_a_server_that_outlives_its_stdin_is_stopped_when_its_session_ends(
    tmp_path: Path,
) -> None:
    """Like a server with a timer or a pool open: its stdin closing at the session's end
    does not stop it. It was left running once the close's wait ran out; its client now
    goes on closing it in the background (SIGTERM, then SIGKILL)."""
    pid_file = tmp_path / "pid"
    server = MCPServerStdio(
        sys.executable,
        [STUBBORN_SERVER],
        name="stubborn",
        env={"PID_FILE": str(pid_file), **HERE_ON_PATH},
    )
    agent = rtagents.Agent(name="a", tools=[server], output_modalities=["text"])
    async with Emulator(model=ScriptedModel(["hi"])) as emu:
        async with rtagents.connect(agent, transport=emu.transport()):
            pid = int(pid_file.read_text())
            assert running(pid)
    assert await gone_within([pid], CLOSE_TIMEOUT_S + 8) == []


async def test_a_hung_server_is_stopped_when_its_session_ends() -> None:
    """``block`` stops the whole server (its event loop blocked for 30 s): the call times
    out, the session ends, and the stuck process is stopped, not left running."""
    server = MCPServerStdio(
        sys.executable, [ODD_SERVER], name="odd", timeout=0.5, allowed_tools=["block"]
    )
    agent = rtagents.Agent(name="a", tools=[server], output_modalities=["text"])
    model = ScriptedModel([CallFunction("block", {"seconds": 30}), "it timed out"])
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, transport=emu.transport()) as session:
            pids = children_running(ODD_SERVER)
            assert len(pids) == 1
            await session.ask("go")
    assert await gone_within(pids, CLOSE_TIMEOUT_S + 8) == []


async def test_a_shared_http_server_left_by_one_session_as_another_enters_it() -> None:
    """Two calls share one server object: the first one's session ends just as the next
    one's starts. The leaving one closed the HTTP client of the connection the entering one
    had just made; each connection now closes its own."""
    async with http_notes_server() as url:
        server = MCPServerHTTP(url, name="notes")
        await server.__aenter__()  # the first call's session
        leaving = asyncio.ensure_future(server.__aexit__(None, None, None))  # it ends
        await asyncio.sleep(0)  # its close has begun
        try:
            await server.__aenter__()  # the next call's session starts
            await leaving
            with anyio.fail_after(5):
                result = await server.call_tool("lookup", {"key": "greeting"})
            assert result.content[0].text == "hello from MCP"  # type: ignore[union-attr]
        finally:
            await leaving
            await server.close()


async def test_a_change_of_tools_while_no_session_listened_reaches_the_next_session() -> None:
    """A phone app keeps one server open across calls (``async with server:`` around
    them). Its tools change while no call is on: the next call is offered them."""
    server = MCPServerStdio(sys.executable, [LATER_SERVER], name="later", env=HERE_ON_PATH)
    agent = rtagents.Agent(name="a", tools=[server], output_modalities=["text"])
    async with server:
        model = ScriptedModel([CallFunction("learn_soon", {}), "ok"])
        async with Emulator(model=model) as emu:
            async with rtagents.connect(agent, transport=emu.transport()) as first:
                await first.ask("learn")
        await anyio.sleep(1.5)  # the server's tools change half a second on: it says so
        async with Emulator(model=ScriptedModel(["hi"])) as emu:
            async with rtagents.connect(agent, transport=emu.transport()):
                with anyio.fail_after(5):  # offered at once, or by an update soon after
                    while "juggle" not in [t["name"] for t in emu.last.session["tools"]]:
                        await anyio.sleep(0.05)
                offered = [t["name"] for t in emu.last.session["tools"]]
    assert offered == ["learn_soon", "juggle"]
