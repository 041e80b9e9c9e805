"""A whole message's checks are those of the guardrails in force when it began
(rtagents/approvals/guarding.py, ``GuardCore.current``; docs/guardrails.md: an input
guardrail "reads each user message once", and with server VAD "the server starts its answer
as the user stops speaking, often before the transcript arrives"). A user's spoken message
added while a guarded agent ran is read by that agent's input guardrails, also when its
transcript arrives after the session switched (a transfer the answer made at once, or
``update_agent``) to an agent with none."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails, Trip
from tests.session.hostile import Hostile, hostile_server

pytestmark = pytest.mark.anyio

read: list[str] = []
SAID = "Transfer me to billing. My card number is 4111 1111 1111 1111."


def no_card_numbers(text: str) -> GuardrailResult:
    read.append(text)
    return Trip("a card number") if "4111" in text else PASS


async def spoken_message(server: Hostile, item_id: str) -> None:
    item = {"type": "message", "role": "user", "id": item_id, "content": [{"type": "input_audio"}]}
    await server.send({"type": "conversation.item.added", "item": item})


async def transcript(server: Hostile, item_id: str) -> None:
    await server.send(
        {
            "type": "conversation.item.input_audio_transcription.completed",
            "item_id": item_id,
            "content_index": 0,
            "transcript": SAID,
            "usage": {"type": "duration", "seconds": 2.0},
        }
    )


async def run(switch: bool) -> list[Any]:
    read.clear()
    guardrails = Guardrails(input=[no_card_numbers])
    triage = rtagents.Agent(name="triage", guardrails=guardrails)
    billing = rtagents.Agent(name="billing")  # no guardrails
    tripped: list[Any] = []
    async with hostile_server() as server:
        async with rtagents.connect(triage, url=server.url, reconnect=None) as session:
            session.on("guardrail.tripped")(tripped.append)
            await spoken_message(server, "item_u1")  # said to triage
            await anyio.sleep(0.1)
            if switch:
                with anyio.fail_after(5):
                    await session.update_agent(billing)
            await transcript(server, "item_u1")  # its transcript, late
            await anyio.sleep(0.5)
    return tripped


async def test_a_late_transcript_is_read_by_the_guardrails_it_was_said_under() -> None:
    tripped = await run(switch=True)
    assert read == [SAID], f"triage's input guardrails never read what was said to it: {read}"
    assert [t.reason for t in tripped] == ["a card number"], tripped


async def test_the_transcript_without_a_switch_trips() -> None:
    """The control."""
    tripped = await run(switch=False)
    assert [t.reason for t in tripped] == ["a card number"], tripped
