"""A handoff that kept the voice (the assistant had spoken) records it for the next
connection (``served_voice``). A later handoff the server refuses leaves the session on the
agent it ran, in that same voice, but ``runner.use(target)`` (``served.switched``) forgot the
kept voice before the refusal, and taking the source back ``again`` does not restore it: a
reconnect then switches the user to the agent's own voice."""

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


async def test_a_refused_handoff_keeps_the_kept_voice_for_a_reconnect() -> None:
    # The server refuses this one's configuration (two output modalities).
    broken = rtagents.Agent(name="broken", output_modalities=["text", "audio"])
    billing = rtagents.Agent(name="billing", voice="cedar", handoffs=[lambda: triage])
    triage = rtagents.Agent(name="triage", voice="marin", handoffs=[billing, broken])
    model = ScriptedModel(
        [
            CallFunction("transfer_to_billing", call_id="h1"),
            "Billing here.",
            CallFunction("transfer_to_triage", call_id="h2"),
            "Triage again.",
            CallFunction("transfer_to_broken", call_id="h3"),
            "Still triage.",
            "Still triage after the drop.",
        ]
    )
    async with Emulator(model=model) as emu:
        async with rtagents.connect(triage, url=emu.url, reconnect=FAST) as session:
            await answered(session, "refund please")
            await answered(session, "back to triage")  # billing spoke: the voice stays cedar
            events = await answered(session, "something else")
            assert [e for e in events if e.type == "tool.call.failed" and e.call_id == "h3"]
            assert session.agent is triage
            assert emu.last.session["audio"]["output"]["voice"] == "cedar"
            emu.last.drop()
            with anyio.fail_after(10):
                async for event in session:
                    if event.type == "session.reconnected":
                        break
                else:
                    pytest.fail("the session ended before it reconnected")
            await answered(session, "are you there?")
            server_voice = emu.last.session["audio"]["output"]["voice"]
    assert server_voice == "cedar", "the reconnect switched the user to triage's own voice"
