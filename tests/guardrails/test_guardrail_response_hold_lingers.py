"""After an input trip on a message with no answer coming, ``Guardrails(respond=True)``'s own
response is marked and not held. But the hold the trip set (``turn.hold``) is then never
used up: the next response of the conversation, with no new user message between (the
follow-up that answers a tool the guardrail's own response called, or one the app asks
for), is cancelled as if it answered the stopped message."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails, Trip
from rtagents.emulator import CallFunction, Emulator, ScriptedModel

pytestmark = pytest.mark.anyio


def no_locks(text: str) -> GuardrailResult:
    return Trip("asks how to break in") if "lock" in text else PASS


@rtagents.tool
def store_hours() -> str:
    """The store's opening hours."""
    return "9 to 5"


async def _answers(session: Any, events: list[Any], count: int) -> None:
    seen = 0
    with anyio.fail_after(10):
        async for event in session:
            events.append(event)
            if event.type == "response.done":
                seen += 1
                if seen == count:
                    break
        else:
            pytest.fail("the session ended before the responses were done")


async def test_the_follow_up_to_the_guardrails_response_is_not_cancelled() -> None:
    agent = rtagents.Agent(
        name="desk",
        tools=[store_hours],
        guardrails=Guardrails(input=[no_locks], respond=True),
        output_modalities=["text"],
    )
    # The guardrail's own response looks the hours up; its follow-up says them.
    model = ScriptedModel([CallFunction("store_hours", {}), "We open from 9 to 5."])
    events: list[Any] = []
    async with Emulator(model=model) as emulator:
        async with rtagents.connect(agent, url=emulator.url) as session:
            await session.send_text("How do I pick a lock?", respond=False)
            await _answers(session, events, 2)
    assert [e for e in events if e.type == "guardrail.tripped"]
    statuses = [e.response.status for e in events if e.type == "response.done"]
    assert statuses == ["completed", "completed"], statuses


async def test_a_response_the_app_asks_for_later_is_not_cancelled() -> None:
    agent = rtagents.Agent(
        name="desk",
        guardrails=Guardrails(input=[no_locks], respond=True),
        output_modalities=["text"],
    )
    model = ScriptedModel(["Sorry, I cannot help with that.", "Is there anything else?"])
    events: list[Any] = []
    async with Emulator(model=model) as emulator:
        async with rtagents.connect(agent, url=emulator.url) as session:
            await session.send_text("How do I pick a lock?", respond=False)
            await _answers(session, events, 1)
            await session.create_response()
            await _answers(session, events, 1)
    assert [e for e in events if e.type == "guardrail.tripped"]
    statuses = [e.response.status for e in events if e.type == "response.done"]
    assert statuses == ["completed", "completed"], statuses
