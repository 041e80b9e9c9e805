"""docs/guardrails.md, input guardrails: "With server VAD the server starts its answer as the
user stops speaking, often before the transcript arrives, so a trip stops that answer, which
is every response since the message". A user speaks to triage (no guardrails at all), triage
hands off at once to a locksmith with input guardrails, and the transcript arrives while the
locksmith answers: the locksmith's input guardrail reads it and trips (acted=True), yet the
answer it is about goes on. The same flow with triage holding an (unrelated) output guardrail
stops it: whether a trip stops anything depends on whether the leaving agent had guardrails."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails, Trip
from tests.session.hostile import Hostile, hostile_server

pytestmark = pytest.mark.anyio


def no_locks(text: str) -> GuardrailResult:
    return Trip("asks how to break in") if "lock" in text else PASS


def fine(text: str) -> GuardrailResult:
    return PASS


async def run(triage_guardrails: Guardrails | None) -> tuple[list[Any], Hostile]:
    locksmith = rtagents.Agent(name="locksmith", guardrails=Guardrails(input=[no_locks]))
    triage = rtagents.Agent(name="triage", handoffs=[locksmith], guardrails=triage_guardrails)
    tripped: list[Any] = []
    async with hostile_server() as server:
        async with rtagents.connect(triage, url=server.url, reconnect=None) as session:
            session.on("guardrail.tripped")(tripped.append)
            item = {
                "type": "message",
                "role": "user",
                "id": "item_u1",
                "content": [{"type": "input_audio"}],
            }
            await server.send({"type": "conversation.item.added", "item": item})
            await server.call("transfer_to_locksmith", {}, "call_t")
            await server.wait_for(lambda e: e["type"] == "response.create")
            assert session.agent is locksmith
            await server.send(
                {
                    "type": "response.created",
                    "response": {"id": "resp_2", "status": "in_progress", "output": []},
                }
            )
            await server.transcript_delta(
                "First you take a tension wrench", response_id="resp_2", item_id="msg_2"
            )
            await server.send(
                {
                    "type": "conversation.item.input_audio_transcription.completed",
                    "item_id": "item_u1",
                    "content_index": 0,
                    "transcript": "How do I pick the lock of my neighbour's door?",
                    "usage": {"type": "duration", "seconds": 2.0},
                }
            )
            with anyio.fail_after(5):
                while not tripped:
                    await anyio.sleep(0.01)
            await anyio.sleep(0.2)
    return tripped, server


async def test_control_triage_with_an_output_guardrail_stops_the_answer() -> None:
    tripped, server = await run(Guardrails(output=[fine]))
    [trip] = tripped
    assert trip.acted and trip.cancelled == "resp_2"
    assert [e.get("response_id") for e in server.sent("response.cancel")] == ["resp_2"]


async def test_triage_without_guardrails_the_trip_stops_the_answer_too() -> None:
    tripped, server = await run(None)
    [trip] = tripped
    assert trip.acted
    assert trip.cancelled == "resp_2", (
        f"the input trip acted on nothing: cancelled={trip.cancelled!r}, "
        f"response.cancel sent: {server.sent('response.cancel')}"
    )
