"""GPT-Live: a tool's progress update made while the connection is down. The docs say the
app hears of each update (``progress.spoken`` or ``progress.dropped`` with the reason):
"not lost silently"."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents import Reconnect
from rtagents.emulator import CallFunction, DropConnection, Emulator, ModelContext, ScriptedModel

from .harness import speak, spoken, until

pytestmark = pytest.mark.anyio


def echo(ctx: ModelContext) -> str:
    return "Answer: " + " | ".join(o["output"] for o in ctx.pending_outputs)


async def test_a_progress_update_made_offline_is_reported() -> None:
    offline = anyio.Event()

    @rtagents.tool
    async def lookup(ctx: rtagents.ToolContext) -> str:
        """Look something up (slowly)."""
        await offline.wait()
        await ctx.progress("still checking")  # while the connection is down
        return "found it"

    model = ScriptedModel([CallFunction("lookup", {}, call_id="call_1"), echo])
    agent = rtagents.Agent(tools=[lookup])
    slow = Reconnect(backoff=0.5, max_backoff=0.5)
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live", reconnect=slow) as s:
            s.on("session.reconnecting")(lambda e: offline.set())
            emu.last.add_fault(DropConnection(after="response.function_call_arguments.done"))
            await speak(s)
            events = await until(s, lambda seen: "found it" in spoken(seen), within=15)
    told = [e for e in events if e.type in ("progress.spoken", "progress.dropped")]
    assert [e.type for e in events if e.type == "session.reconnecting"]
    assert told, "the progress update made while offline vanished without an event"
