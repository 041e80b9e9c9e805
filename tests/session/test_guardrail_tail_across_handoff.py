"""An output guardrail reads the assistant's answer "once more when the item ends, each time
with the whole text so far" (docs/guardrails.md), and guardrails fail closed. An answer the
leaving agent spoke in the response that made its transfer is that agent's (docs/handoffs.md:
that response was made with the leaving agent's settings): its whole text is checked by the
leaving agent's output guardrails, also when the last check comes due after the switch to a
target that has none."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails, Trip
from rtagents.emulator import CallFunction, Emulator, Say, ScriptedModel

pytestmark = pytest.mark.anyio

seen: list[str] = []


async def no_refund_promises(text: str) -> GuardrailResult:
    seen.append(text)
    await anyio.sleep(0.3)  # a moderation call
    return Trip("it promised a refund") if "refund" in text.lower() else PASS


ANSWER = "Sure thing, let me pass you on, and I promise you a full refund today."


async def test_the_leaving_agents_answer_is_checked_whole_across_the_handoff() -> None:
    seen.clear()
    billing = rtagents.Agent(name="billing", output_modalities=["text"])
    triage = rtagents.Agent(
        name="triage",
        handoffs=[billing],
        guardrails=Guardrails(output=[no_refund_promises], every_chars=5, timeout=3),
        output_modalities=["text"],
    )
    model = ScriptedModel(
        [[Say(ANSWER), CallFunction("transfer_to_billing", call_id="h1")], "Billing here."]
    )
    tripped = []
    async with Emulator(model=model) as emu:
        async with rtagents.connect(triage, url=emu.url) as session:
            await session.send_text("I want my money back")
            with anyio.move_on_after(3):
                async for event in session:
                    if event.type == "guardrail.tripped":
                        tripped.append(event)
                        break
                else:
                    pytest.fail("the session ended")
            assert session.agent is billing  # the transfer went through
    assert seen, "the output guardrail never ran"
    assert any(ANSWER in text for text in seen), f"the whole answer was never checked: {seen}"
    assert [t.reason for t in tripped] == ["it promised a refund"]
