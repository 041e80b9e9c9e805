"""A background result told as a user message (``Background(role="user")``) is not the
user's turn: an input guardrail tripping on what the user typed meanwhile must still stop
the answer to it (docs/guardrails.md: "a trip stops that answer")."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails, Trip
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.tools import Background

pytestmark = pytest.mark.anyio

ANSWER = (
    "Well, first you take a tension wrench, and then you rake the pins one by one, slowly, "
    "listening for each click, and then you turn the wrench and the door opens for you."
)


async def test_a_user_role_background_result_does_not_unguard_the_users_message() -> None:
    release, finished = anyio.Event(), anyio.Event()

    @rtagents.tool(background=Background(role="user"))
    async def make_report() -> str:
        """Build the monthly report (takes a while)."""
        await release.wait()
        finished.set()
        return "the report is ready"

    async def no_locks(text: str) -> GuardrailResult:
        if "lock" not in text:
            return PASS
        release.set()  # the report is done while the moderation call is out
        await finished.wait()
        await anyio.sleep(0.5)
        return Trip("asks how to break in")

    agent = rtagents.Agent(
        name="desk", tools=[make_report], guardrails=Guardrails(input=[no_locks])
    )
    model = ScriptedModel([CallFunction("make_report", {}), "Started.", ANSWER, "Report is ready."])
    events: list[Any] = []
    async with Emulator(model=model, realtime=True, audio_chunk_ms=100) as emulator:
        async with rtagents.connect(agent, url=emulator.url) as session:
            await session.ask("Make me the monthly report.")  # the call, answered "started"
            await session.ask("Thanks.")  # "Started."
            await session.send_text("How do I pick the lock of the back door?")
            with anyio.fail_after(30):
                async for event in session:
                    events.append(event)
                    if event.type == "guardrail.tripped":
                        break
                else:
                    pytest.fail("the session ended before the guardrail tripped")
                async for event in session:  # on until the answer to the message is done
                    events.append(event)
                    if event.type == "response.done":
                        break
                else:
                    pytest.fail("the session ended before the answer was done")
    kinds = [e.type for e in events]
    # The background result (a user-role message) came before the trip...
    assert "background.completed" in kinds
    assert kinds.index("background.completed") < kinds.index("guardrail.tripped")
    [trip] = [e for e in events if e.type == "guardrail.tripped"]
    assert trip.kind == "input"
    # ...and the answer to the message, still speaking, must be cancelled by the trip.
    assert trip.cancelled is not None, "the input trip stopped nothing: the answer is spoken"
    done = [e for e in events if e.type == "response.done"]
    assert done[0].response.status == "cancelled"
