"""``current_call()`` "in a tool, an approval handler or an event handler of a session a
``CallServer`` runs" is that session's call. A local MCP server is shared by the sessions of
an agent (each call's): its connection lives in a task of its own, started by the first
session that needed it, and made in that session's context. What the server tells later (it
died: ``mcp.server.failed``; its tools changed: ``mcp.tools.changed``) reached every session
from that task, in the first call's context: a handler of the second call's session that
hung up ``current_call()`` hung up the first call. (The server also kept the first call's
handle, and what it holds, for as long as it lived.)"""

from __future__ import annotations

import os
import signal
import sys
import time
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.calls.control import CallHandle, current_call, enter_call
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.mcp import MCPServerStdio
from tests.mcp.servers import NOTES_SERVER
from tests.mcp.test_local_lifetimes import HERE_ON_PATH, children_running

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


async def _never(*args: Any) -> None:
    raise AssertionError("not in this test")


async def test_a_shared_servers_news_is_told_in_each_calls_own_context() -> None:
    server = MCPServerStdio(
        sys.executable, [NOTES_SERVER], name="notes", env=HERE_ON_PATH, needs_approval=False
    )
    agent = rtagents.Agent(name="a", tools=[server], output_modalities=["text"])
    seen: dict[str, str] = {}
    both_told = anyio.Event()

    async with Emulator(model=ScriptedModel([])) as emu:

        async def one_call(call_id: str, opened: anyio.Event) -> None:
            enter_call(CallHandle(call_id, _never))  # as the calls app does, per call

            def failed(event: Any) -> None:
                seen[call_id] = current_call().call_id
                if len(seen) == 2:
                    both_told.set()

            async with rtagents.connect(agent, url=emu.url) as session:
                session.on("mcp.server.failed")(failed)
                opened.set()
                with anyio.fail_after(30):
                    await both_told.wait()

        async with anyio.create_task_group() as tg:
            first, second = anyio.Event(), anyio.Event()
            tg.start_soon(one_call, "rtc_first", first)
            await first.wait()  # the first call's session starts the server
            tg.start_soon(one_call, "rtc_second", second)
            await second.wait()
            (pid,) = children_running(NOTES_SERVER)
            os.kill(pid, signal.SIGKILL)  # told to both sessions, from the server's task
    assert seen == {"rtc_first": "rtc_first", "rtc_second": "rtc_second"}


async def test_a_sync_tools_late_result_is_told_in_its_calls_context() -> None:
    """A sync tool given up at its deadline reports its late result from its worker thread
    (``tool.call.abandoned``): its handlers ran in the thread's empty context, where
    ``current_call()`` raised."""

    @rtagents.tool(timeout=0.2)
    def blocking() -> str:
        """Blocks for 0.6 s."""
        time.sleep(0.6)
        return "done late"

    seen: list[str] = []
    late = anyio.Event()

    def abandoned(event: Any) -> None:
        try:
            seen.append(current_call().call_id)
        finally:
            late.set()

    model = ScriptedModel([CallFunction("blocking", {}, call_id="b"), "ok"], then="ok")
    async with Emulator(model=model) as emu:
        enter_call(CallHandle("rtc_this", _never))
        async with rtagents.connect(rtagents.Agent(tools=[blocking]), url=emu.url) as session:
            session.on("tool.call.abandoned")(abandoned)
            await session.send_text("go")
            with anyio.fail_after(5):
                await late.wait()
    assert seen == ["rtc_this"]
