"""Rule broken (docs/deployment.md, "gc.freeze() after the ramp"): freezing the heap while
sessions are up is "safe because a closed session is freed by reference counting alone ...
no part of it is left in a reference cycle, which ... a freeze would keep for good";
``rtagents serve --refreeze SECONDS`` does it every few minutes.

Not for a session whose agent uses a local MCP server over HTTP (``MCPServerHTTP``). Each
call's task carries the session's progress sink in a context variable
(``tools.context._progress_sink``, a bound method of the session's ``Dispatcher``), and the
``mcp`` client carries the sender's ``contextvars.Context`` with every message through its
memory streams (``ContextSendStream``), whose objects are in reference cycles. Frozen while
the session is up, those cycles are never collected once it closes, and they hold the
session's ``Dispatcher``: its ``CallSettings`` (the app's ``deps``), tools, approval broker,
tracer. Every call that was up at a refreeze stays in memory for the life of the process.

A function tool's session, frozen the same way, is freed (the control case); both APIs.
"""

from __future__ import annotations

import gc
import weakref
from typing import Any

import anyio
import pytest

import rtagents
from rtagents._asgi import freeze_heap
from rtagents.emulator import CallFunction, Emulator, ModelContext, Say, audio
from rtagents.mcp import MCPServerHTTP
from tests.mcp.servers import http_notes_server

pytestmark = pytest.mark.anyio
SESSIONS = 3


class Deps:
    """The app's per-call state (a database handle, the caller's account)."""


@rtagents.tool
async def lookup_fn(key: str) -> str:
    """Read a note."""
    return "hello"


class CallOnce:
    """Calls ``name`` each turn the user starts; answers once the output is there."""

    def __init__(self, name: str) -> None:
        self.name = name

    def respond(self, ctx: ModelContext) -> list[Any]:
        if ctx.pending_outputs:
            return [Say("ok")]
        return [CallFunction(self.name, {"key": "greeting"})]


async def one_call(session: rtagents.RealtimeSession, api: str) -> None:
    if api == "realtime":
        await session.send_text("read the greeting")
    else:
        await session.send_audio(audio.tone(600).tobytes())
        await session.send_audio(audio.silence(400).tobytes())
    with anyio.fail_after(10):
        async for event in session:
            if event.type == "tool.call.completed":
                return
            assert event.type != "tool.call.failed", event
        pytest.fail("the session ended before its tool call completed")


@pytest.mark.parametrize("api", ["realtime", "live"])
@pytest.mark.parametrize("kind", ["function-tool", "mcp-http"])
async def test_a_session_frozen_while_up_is_freed_once_closed(kind: str, api: str) -> None:
    async with http_notes_server() as mcp_url:
        tool_name = "lookup" if kind == "mcp-http" else "lookup_fn"
        async with Emulator(model=CallOnce(tool_name), record=0) as emu:
            url = emu.live_url if api == "live" else emu.url

            async def session_frozen_while_up(freeze: bool) -> weakref.ref[Deps]:
                # Short deadlines: asyncio keeps a cancelled timer (and the context it was
                # made in) until it is due; these are due before the check below.
                tools: list[Any] = (
                    [MCPServerHTTP(mcp_url, name="notes", timeout=0.5)]
                    if kind == "mcp-http"
                    else [lookup_fn]
                )
                agent = rtagents.Agent(
                    name="a", tools=tools, output_modalities=["text"], tool_timeout=0.5
                )
                deps = Deps()
                async with rtagents.connect(agent, url=url, api=api, deps=deps) as session:
                    await one_call(session, api)
                    if freeze:
                        freeze_heap()  # what `rtagents serve --refreeze` does, sessions up
                return weakref.ref(deps)

            await session_frozen_while_up(freeze=False)  # first imports and caches
            try:
                closed = [await session_frozen_while_up(freeze=True) for _ in range(SESSIONS)]
                await anyio.sleep(1.0)  # every cancelled deadline above is due
                gc.collect()
                kept = sum(ref() is not None for ref in closed)
            finally:
                gc.unfreeze()
                gc.collect()
    assert kept == 0, (
        f"{kept} of {SESSIONS} closed sessions ({kind}) are still in memory after a "
        "collection: frozen while up, they are kept in reference cycles for good"
    )
