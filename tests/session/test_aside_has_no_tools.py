"""A filler (an out-of-band aside of ours) is made with the session's tools: the model may
call a tool in it, and the session then runs that call as if it were in the conversation.

Right behaviour: an aside is words only ("say nothing else"); it must not be able to call
tools (``tools: []`` / ``tool_choice: "none"`` on its response.create), and a call that an
aside response makes anyway must not run the tool again nor send a function_call_output
for an item the conversation does not hold."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ModelContext, Say, ScriptedModel

pytestmark = pytest.mark.anyio

FILLER = "Say that you are still looking."
runs: list[str] = []


@rtagents.tool
async def book(table: int) -> str:
    """Book a table (a slow, side-effecting service)."""
    runs.append("booked")
    await anyio.sleep(1.0)
    return f"table {table} booked"


class Voice:
    """A model that, in the aside, reaches for a tool whenever it is offered one (what a
    real model may do with tool_choice "auto")."""

    def __init__(self) -> None:
        self.script = ScriptedModel(
            [CallFunction("book", {"table": 4}, call_id="c1"), "Your table is booked."]
        )

    async def respond(self, ctx: ModelContext) -> list[Any]:
        if ctx.instructions == FILLER:
            if any(t.get("name") == "book" for t in ctx.tools):
                return [CallFunction("book", {"table": 4}, call_id="c_aside")]
            return [Say("Still looking.")]
        return await self.script.respond(ctx)


async def test_a_filler_aside_cannot_run_a_tool_again() -> None:
    runs.clear()
    agent = rtagents.Agent(
        name="host",
        tools=[book],
        filler_after_ms=200,
        filler_instructions=FILLER,
        output_modalities=["text"],
    )
    started: list[str] = []
    async with Emulator(model=Voice()) as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            await session.send_text("Book table 4.")
            with anyio.fail_after(10):
                async for event in session:
                    if event.type == "tool.call.started":
                        started.append(event.call_id)
                    if event.type == "response.output_text.done" and "booked" in event.text:
                        break
                else:
                    pytest.fail("the session ended before the booking was answered")
            await anyio.sleep(1.5)
    # Right: the booking ran once, for the conversation's call only.
    assert started == ["c1"], started
    assert runs == ["booked"], runs
