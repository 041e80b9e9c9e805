"""``session.drain()`` closes before the result of background work that timed out is sent.

tools.md: "A timed-out work is told to the model as a failure", and "``session.drain(grace)``
waits for background work too, and sends its results". A foreground call counts as running
until its output has left (``Dispatcher._send``), so a drain waits for it. But a background
work given up at its deadline (``BackgroundWork._expire``) is taken out of
``BackgroundWork.running`` at once (``_give_up`` -> ``_cancel``), and its result is sent
later, from a task spawned for it (``_tell``). A drain that looks between the two sees no
work left and closes; the task then finds the link closed and sends nothing, silently.

Here the drain starts as the work times out (an app that winds the call up when its survey
fails, from its ``background.failed`` handler): its first look falls in that window."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel

pytestmark = pytest.mark.anyio


async def test_drain_sends_the_result_of_work_that_timed_out() -> None:
    @rtagents.tool(background=True, timeout=0.2)
    async def survey() -> str:
        """Run a survey (never ends)."""
        await anyio.sleep_forever()
        return "never"

    events: list[Any] = []
    agent = rtagents.Agent(name="host", tools=[survey], output_modalities=["text"])
    model = ScriptedModel([CallFunction("survey", {}, call_id="call_s"), "Started."], then="ok")
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            session.on("*")(events.append)
            with anyio.fail_after(10):
                async with anyio.create_task_group() as tg:
                    # The app winds up once the work has failed: drain, which sends its result.
                    session.on("background.failed")(lambda _: tg.start_soon(session.drain, 10))
                    await session.send_text("Survey, please.")
                    async for event in session:
                        if event.type == "session.closed":
                            break
                    else:
                        pytest.fail("the stream ended without session.closed")
        received = list(emu.last.received)
    [failed] = [e for e in events if e.type == "background.failed"]
    assert failed.kind == "timeout"
    notes = [
        r["item"]["content"][0]["text"]
        for r in received
        if r["type"] == "conversation.item.create" and r["item"].get("role") == "system"
    ]
    assert len(notes) == 1, notes  # observed: [] (the model is never told)
    assert "call_s (survey) failed" in notes[0]
