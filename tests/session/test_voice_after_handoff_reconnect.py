"""After a handoff that kept the voice (the assistant had spoken, so the Realtime API would
refuse a new one), a reconnect must keep speaking in that voice: the user hears the same
voice across a network drop, not a different one picked up at the reconnect."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import Reconnect
from rtagents.emulator import CallFunction, Emulator, ScriptedModel

pytestmark = pytest.mark.anyio
FAST = Reconnect(backoff=0.01, max_backoff=0.05)


async def answered(session: Any, text: str) -> list[Any]:
    await session.send_text(text)
    events: list[Any] = []
    with anyio.fail_after(10):
        async for event in session:
            events.append(event)
            if event.type == "response.done" and any(
                item.type == "message" for item in event.response.output or []
            ):
                return events
        else:
            pytest.fail("the session ended before the answer")
    raise AssertionError("unreachable")


async def test_the_voice_kept_at_a_handoff_is_kept_across_a_reconnect() -> None:
    billing = rtagents.Agent(name="billing", voice="cedar", handoffs=[lambda: triage])
    triage = rtagents.Agent(name="triage", voice="marin", handoffs=[billing])
    model = ScriptedModel(
        [
            CallFunction("transfer_to_billing", call_id="h1"),
            "Billing here.",
            CallFunction("transfer_to_triage", call_id="h2"),
            "Triage again.",
            "Still triage.",
        ]
    )
    async with Emulator(model=model) as emu:
        async with rtagents.connect(triage, url=emu.url, reconnect=FAST) as session:
            await answered(session, "refund please")
            await answered(session, "back to triage")  # billing spoke: the voice stays cedar
            assert session.config["audio"]["output"]["voice"] == "cedar"
            emu.last.drop()
            with anyio.fail_after(10):
                async for event in session:
                    if event.type == "session.reconnected":
                        break
                else:
                    pytest.fail("the session ended before it reconnected")
            await answered(session, "are you there?")
            voice_after = session.config["audio"]["output"]["voice"]
            server_voice = emu.last.session["audio"]["output"]["voice"]
    # The user heard cedar all along; a reconnect must not switch to triage's marin.
    assert (voice_after, server_voice) == ("cedar", "cedar")
