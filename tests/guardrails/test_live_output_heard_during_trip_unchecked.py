"""Fail closed, and docs/guardrails.md (GPT-Live): "both kinds are checked as streams
(debounced like an answer) ... after a trip the text is checked afresh"; "text that arrives
meanwhile [while a check runs] is checked when it finishes".

On GPT-Live the model speaks on after an output trip. The text it said while the tripping
check ran sits in the ``live:assistant`` stream, and the trip's ``GuardCore.rearm`` pops that
stream whole (``Trips._tripped``): those words are never read by any guardrail, although the
player played them before the trip stopped it."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails, Trip
from rtagents.emulator import Emulator, ScriptedModel
from tests.session.live.harness import speak, until

pytestmark = pytest.mark.anyio
READ: list[str] = []


async def slow_no_refunds(text: str) -> GuardrailResult:
    READ.append(text)
    await anyio.sleep(0.5)  # the rest of the answer comes while this check runs
    return Trip("promised a refund") if "refund" in text else PASS


async def test_text_said_while_an_output_trip_is_decided_is_still_checked() -> None:
    READ.clear()
    model = ScriptedModel(["refund, and the password is hunter2"])
    agent = rtagents.Agent(guardrails=Guardrails(output=[slow_no_refunds], every_chars=1))
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live") as session:
            await speak(session)
            events = await until(
                session, lambda seen: any(e.type == "guardrail.tripped" for e in seen)
            )
            with anyio.move_on_after(2.0):
                async for event in session:
                    events.append(event)
    said = "".join(
        e.delta for e in events if e.type == "transcript.delta" and e.role == "assistant"
    )
    assert "hunter2" in said, said  # the model did say it
    assert any("hunter2" in text for text in READ), f"never read: {READ}"
