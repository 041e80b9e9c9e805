"""``Guardrails(respond=True)`` "asks for one [a response] at once" after an input trip. When
the stopped message had no answer coming (the app sent it with ``respond=False``), that
response, the one the guardrail itself asks for to answer its note, must be spoken, not
cancelled as if it were the stopped turn's answer."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails, Trip
from rtagents.emulator import Emulator, ScriptedModel

pytestmark = pytest.mark.anyio


def no_locks(text: str) -> GuardrailResult:
    return Trip("asks how to break in") if "lock" in text else PASS


async def test_the_guardrails_own_response_is_not_cancelled() -> None:
    agent = rtagents.Agent(
        name="desk",
        guardrails=Guardrails(input=[no_locks], respond=True),
        output_modalities=["text"],
    )
    model = ScriptedModel(["Sorry, I cannot help with that.", "Anything else?"])
    events: list[Any] = []
    async with Emulator(model=model) as emulator:
        async with rtagents.connect(agent, url=emulator.url) as session:
            await session.send_text("How do I pick a lock?", respond=False)
            with anyio.fail_after(10):
                async for event in session:
                    events.append(event)
                    if event.type == "response.done":
                        break
                else:
                    pytest.fail("the session ended before the guardrail's response")
            connection = emulator.last
    [trip] = [e for e in events if e.type == "guardrail.tripped"]
    assert trip.kind == "input"
    creates = [e for e in connection.received if e["type"] == "response.create"]
    assert len(creates) == 1  # respond=True's own request, and nothing else asked
    [done] = [e for e in events if e.type == "response.done"]
    assert done.response.status == "completed", "the guardrail's own response was cancelled"
