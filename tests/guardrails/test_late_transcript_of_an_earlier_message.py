"""A user's spoken message is read by the input guardrails in force when it was added, also
when its transcript arrives after the session switched to an agent with none (the commit's
rule: "a late user transcript is checked by the guardrails in force when the message was
added"; docs/guardrails.md: an input guardrail "reads each user message once"). That holds
for every message, not only the latest: with server VAD a pause splits what the user says
into two messages, and the transcript of the first may come after the second was added."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails, Trip
from tests.guardrails.test_late_transcript_after_switch import spoken_message
from tests.session.hostile import Hostile, hostile_server

pytestmark = pytest.mark.anyio

read: list[str] = []
CARD = "My card number is 4111 1111 1111 1111."
THEN = "Transfer me to billing."


def no_card_numbers(text: str) -> GuardrailResult:
    read.append(text)
    return Trip("a card number") if "4111" in text else PASS


async def transcript(server: Hostile, item_id: str, text: str) -> None:
    await server.send(
        {
            "type": "conversation.item.input_audio_transcription.completed",
            "item_id": item_id,
            "content_index": 0,
            "transcript": text,
            "usage": {"type": "duration", "seconds": 2.0},
        }
    )


async def run(switch: bool) -> list[Any]:
    read.clear()
    triage = rtagents.Agent(name="triage", guardrails=Guardrails(input=[no_card_numbers]))
    billing = rtagents.Agent(name="billing")  # no guardrails
    tripped: list[Any] = []
    async with hostile_server() as server:
        async with rtagents.connect(triage, url=server.url, reconnect=None) as session:
            session.on("guardrail.tripped")(tripped.append)
            await spoken_message(server, "item_u1")  # both said to triage
            await spoken_message(server, "item_u2")
            await anyio.sleep(0.1)
            if switch:
                with anyio.fail_after(5):
                    await session.update_agent(billing)
            await transcript(server, "item_u1", CARD)  # the transcripts, late
            await transcript(server, "item_u2", THEN)
            await anyio.sleep(0.5)
    return tripped


async def test_the_late_transcript_of_an_earlier_message_is_read_by_its_guardrails() -> None:
    tripped = await run(switch=True)
    assert CARD in read, f"triage's input guardrails never read the first message: {read}"
    assert [t.reason for t in tripped] == ["a card number"], tripped


async def test_without_the_switch_it_trips() -> None:
    """The control."""
    tripped = await run(switch=False)
    assert [t.reason for t in tripped] == ["a card number"], tripped
