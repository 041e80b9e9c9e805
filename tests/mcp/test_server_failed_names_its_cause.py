"""``mcp.server.failed`` for a streamable-HTTP server that dies while idle says nothing of
why: its ``error`` is "ExceptionGroup: unhandled errors in a TaskGroup (1 sub-exception)".

``MCPServer._hold`` hears of the death as the exception group the mcp client's task group
raises, and ``ServerWatch.server_failed`` words the event as ``f"{type(exc).__name__}:
{exc}"``: the group's own words, never its cause's. The log line of the same failure uses
``errors.said`` (the root cause, redacted: "ConnectError: All connection attempts failed"),
and so does the ``unavailable`` output of the calls that follow; the event, the one the app
is given, should say as much. (It is not redacted either, which ``said`` would be.)
"""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.mcp import MCPServerHTTP
from tests.mcp.http_process import free_port, launch

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


async def test_an_http_server_that_dies_while_idle_is_told_with_its_cause() -> None:
    port = free_port()
    proc = launch(port)
    server = MCPServerHTTP(f"http://127.0.0.1:{port}/mcp", name="notes")
    agent = rtagents.Agent(name="a", tools=[server], output_modalities=["text"])
    failed: list[Any] = []
    try:
        async with Emulator(model=ScriptedModel(["hi"])) as emu:
            async with rtagents.connect(agent, url=emu.url) as session:
                proc.kill()  # it dies between calls
                await anyio.to_thread.run_sync(proc.wait)
                with anyio.move_on_after(12):
                    async for event in session:
                        if event.type == "mcp.server.failed":
                            failed.append(event)
                            break
                    else:
                        pytest.fail("the session ended before the server's death was told")
    finally:
        proc.kill()
    assert [e.server for e in failed] == ["notes"], "the server's death was never told"
    error = failed[0].error
    assert "TaskGroup" not in error and not error.startswith("ExceptionGroup"), error
