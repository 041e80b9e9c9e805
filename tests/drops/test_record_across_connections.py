"""What a test reads of the wire: docs/testing.md's ``SessionRecord`` — ``outputs`` "the
``function_call_output`` the client sent for each call id, read from the wire
(``sent_outputs(emu.last.received)`` reads them from the client frames an emulator
received)", ``client_events`` "everything" — and the harness says "the session reconnects
after a drop, as connect() does by default".

1. After a reconnect, ``record.client_events`` holds only the last connection's frames
   (``_run`` copies ``emu.last.received``): what the client sent before the drop is gone, so a
   test cannot count ``response.create``s or outputs across the drop, which is where doubles
   happen.
2. ``sent_outputs`` reads only ``conversation.item.create``: a GPT-Live client's outputs go as
   ``response.item.create``, so it finds none, ever."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import Reconnect
from rtagents.emulator import CallFunction, DropConnection, Emulator, ScriptedModel, audio
from rtagents.testing import SessionRecord, run_session, sent_outputs

pytestmark = pytest.mark.anyio


@rtagents.tool
def charge(amount: int) -> str:
    """Charge the customer's card."""
    return f"charged {amount}"


async def test_the_record_keeps_what_the_client_sent_before_a_reconnect() -> None:
    agent = rtagents.Agent(name="shop", tools=[charge], output_modalities=["text"])
    script = [CallFunction("charge", {"amount": 5}, call_id="call_c1"), "Charged."]

    async def drive(session: rtagents.RealtimeSession, emu: Emulator) -> None:
        await session.send_text("Charge me 5.")

    def answered_after_reconnect(record: SessionRecord) -> bool:
        return bool(record.of("session.reconnected"))

    # The turn completes on the first connection (message, response.create, the output, the
    # batch's response.create), then the server drops it and the session reconnects.
    record = await run_session(
        agent,
        script,
        drive,
        until=answered_after_reconnect,
        within=10,
        socket=True,
        faults=[DropConnection(after="response.done", nth=2)],
    )
    assert record.of("session.reconnected")
    assert record.reply == "Charged."
    # The client sent two response.create (the user's turn, the batch's answer): the record
    # of the client's frames should show both.
    creates = record.sent("response.create")
    assert len(creates) == 2, f"the record shows {len(creates)} response.create"


async def test_sent_outputs_reads_a_gpt_live_clients_outputs() -> None:
    agent = rtagents.Agent(name="shop", tools=[charge])
    script = ScriptedModel([CallFunction("charge", {"amount": 5}, call_id="call_c1"), "Charged."])
    async with Emulator(model=script) as emu:
        async with rtagents.connect(
            agent, url=emu.live_url, api="live", reconnect=Reconnect(backoff=0.01)
        ) as session:
            await session.send_audio(audio.tone(600).tobytes())
            await session.send_audio(audio.silence(400).tobytes())
            said = ""
            with anyio.fail_after(10):
                async for event in session:
                    if event.type == "session.output_transcript.delta":
                        said += event.delta
                    if said == "Charged.":
                        break
                else:
                    pytest.fail("the session ended before the answer")
            received: list[dict[str, Any]] = list(emu.last.received)
    sent = [e["type"] for e in received if e.get("item", {}).get("type") == "function_call_output"]
    assert sent == ["response.item.create"]  # the client did send it
    assert sent_outputs(received) == {"call_c1": "charged 5"}
