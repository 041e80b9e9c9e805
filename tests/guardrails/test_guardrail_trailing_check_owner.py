"""A guardrail stream's checks are those of the agent it began under, also its checks that
come due after the session switched agents (session/guards.py, ``_owners``; docs/guardrails.md:
the answer is read "once more when the item ends, each time with the whole text so far").
That holds for every check of the stream, also one that a burst's tail gets by the
trailing timer (``every_ms`` after the last check), not only those an event started."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails, Trip
from rtagents.emulator import Emulator, ScriptedModel
from tests.session.live.harness import speak, spoken, until

pytestmark = pytest.mark.anyio

ANSWER = "Sure. I promise you a full refund today."
read: list[str] = []


def no_refund_promises(text: str) -> GuardrailResult:
    read.append(text)
    return Trip("it promised a refund") if "refund" in text else PASS


async def test_a_streams_trailing_check_after_a_switch_is_its_own_agents() -> None:
    read.clear()
    guardrails = Guardrails(output=[no_refund_promises], every_chars=1000, every_ms=800)
    triage = rtagents.Agent(name="triage", guardrails=guardrails)
    billing = rtagents.Agent(name="billing")  # no guardrails
    tripped = []
    async with Emulator(model=ScriptedModel([ANSWER])) as emu:
        async with rtagents.connect(triage, url=emu.live_url, api="live") as session:
            await speak(session)
            await until(session, lambda seen: "today." in spoken(seen))
            # triage's answer came in a burst: its check is the trailing one, due 800 ms on
            await session.update_agent(billing)
            with anyio.move_on_after(2.5):
                async for event in session:
                    if event.type == "guardrail.tripped":
                        tripped.append(event)
                        break
                else:
                    pytest.fail("the session ended")
    assert any("refund" in text for text in read), f"triage's answer was never checked: {read}"
    assert [t.reason for t in tripped] == ["it promised a refund"]
