"""Progress and fillers on GPT-Live, against the emulator's Live server over a real socket:
a tool's update is commentary (``session.commentary.append``), which the Live model speaks
while the tool runs; the filler is the server's own acknowledgement of a delegation, after
``acknowledgement_delay_ms`` (``Agent.filler_after_ms`` when ``LiveOptions`` sets none)."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ModelContext, ScriptedModel
from rtagents.tools import ToolContext

from .live.harness import speak, spoken, until

pytestmark = pytest.mark.anyio

UPDATE = "Checking the calendar now."


def answer(ctx: ModelContext) -> str:
    return "You are " + ctx.pending_outputs[0]["output"]


async def test_a_tools_update_is_commentary_spoken_while_it_runs() -> None:
    """The tool returns only once the Live server has taken its update into the timeline
    (``session.commentary.appended``, as the model starts saying it): the commentary
    reached the server before the call's output, was said, and the batch was asked for
    once."""
    appended = anyio.Event()

    @rtagents.tool
    async def check_calendar(ctx: ToolContext) -> str:
        """When is the user free?"""
        await ctx.progress(UPDATE)
        with anyio.fail_after(5):
            await appended.wait()
        return "free at 3 pm"

    def watch(event: dict[str, Any]) -> None:
        if event["type"] == "session.commentary.appended":
            appended.set()

    model = ScriptedModel([CallFunction("check_calendar", {}, call_id="c1"), answer])
    agent = rtagents.Agent(name="t", instructions="Be brief.", tools=[check_calendar])
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live") as session:
            emu.last.watch(watch)
            await speak(session)
            events = await until(session, lambda seen: "free at 3 pm" in spoken(seen))
        received = list(emu.last.received)
    kinds = [f["type"] for f in received]
    commentary = kinds.index("session.commentary.append")
    assert received[commentary]["content"] == UPDATE
    assert received[commentary].get("delegation_id") is None  # Responses delegation: general
    assert commentary < kinds.index("response.item.create") < kinds.index("response.create")
    assert kinds.count("response.create") == 1
    said = spoken(events)
    assert UPDATE in said and said.index(UPDATE) < said.index("free at 3 pm")
    [progress] = [e for e in events if e.type == "progress.spoken"]
    assert (progress.call_id, progress.text) == ("c1", UPDATE)


async def test_the_filler_on_live_is_the_servers_acknowledgement_delay() -> None:
    """``filler_after_ms`` becomes the delegation's ``acknowledgement_delay_ms``, unless
    ``LiveOptions`` sets its own; ``filler_instructions`` has no place there (a warning)."""
    agent = rtagents.Agent(name="t", tools=[], filler_after_ms=800, filler_instructions="Hm.")
    own = rtagents.Agent(
        name="t",
        filler_after_ms=800,
        live=rtagents.LiveOptions(acknowledgement_delay_ms=200),
    )
    async with Emulator(model=ScriptedModel([])) as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live") as session:
            assert emu.last.session["delegation"]["acknowledgement_delay_ms"] == 800
            warnings = await until(session, lambda seen: seen[-1].type == "session.warning")
            assert "filler_instructions" in warnings[-1].message
        async with rtagents.connect(own, url=emu.live_url, api="live"):
            assert emu.last.session["delegation"]["acknowledgement_delay_ms"] == 200
