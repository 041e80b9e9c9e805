"""docs/guardrails.md: "Several guardrails of the same kind run at once; the first to trip
acts, and a later trip of the same item is still reported (``acted=False``)".

On GPT-Live an output trip ``rearm``s the model's stream (``Trips._tripped``: ``LIVE_OUT``
is re-armed at once), so the second output guardrail's trip of the very same check finds
nothing tripped and acts again: two ``guardrail.tripped`` with ``acted=True``, the player
stopped twice, the model told twice. (2e23b3f fixed this for input only.)"""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails, Trip
from rtagents.emulator import Emulator, ScriptedModel
from tests.session.live.harness import speak, until

pytestmark = pytest.mark.anyio


def no_refunds(text: str) -> GuardrailResult:
    return Trip("promised a refund") if "refund" in text else PASS


async def no_records(text: str) -> GuardrailResult:
    await anyio.sleep(0.2)  # the second verdict on the same check comes a little later
    return Trip("talks of records") if "record" in text else PASS


async def test_only_the_first_output_trip_of_one_check_acts_on_live() -> None:
    said = "a refund and a record"
    model = ScriptedModel([said])
    guardrails = Guardrails(output=[no_refunds, no_records], every_chars=10_000, every_ms=50)
    agent = rtagents.Agent(guardrails=guardrails)
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live") as session:
            await speak(session)
            events = await until(
                session, lambda seen: any(e.type == "guardrail.tripped" for e in seen)
            )
            with anyio.move_on_after(1.5):
                async for event in session:
                    events.append(event)
            frames = list(emu.last.received)
    trips = [e for e in events if e.type == "guardrail.tripped"]
    assert len(trips) == 2, [(t.guardrail, t.acted) for t in trips]
    assert [t.acted for t in trips] == [True, False], [(t.guardrail, t.acted) for t in trips]
    told = [f for f in frames if f["type"] == "session.thinking.append"]
    assert len(told) == 1, f"the model was told {len(told)} times"
