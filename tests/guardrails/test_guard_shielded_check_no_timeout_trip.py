"""A guardrail that does not give way to cancellation (its slow call in a shielded scope, as
client libraries do for cleanup) is not tripped at its ``timeout``: the trip only comes when
the call returns, and the whole answer is spoken, unchecked, meanwhile. The docs: "takes
longer than timeout: a trip, decided_by='timeout'"."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails
from rtagents.emulator import Emulator, ScriptedModel

pytestmark = pytest.mark.anyio

LONG = (
    "Sure, and I can promise you a full refund today, no questions asked, whatever "
    "happened to your order last month, and the month before that one too."
)


async def test_a_check_that_ignores_cancellation_trips_at_its_timeout() -> None:
    release = anyio.Event()

    async def stubborn(text: str) -> GuardrailResult:
        with anyio.CancelScope(shield=True):  # e.g. a client's shielded request
            with anyio.move_on_after(30):
                await release.wait()
        return PASS

    agent = rtagents.Agent(
        name="shop", guardrails=Guardrails(output=[stubborn], timeout=0.3, every_chars=10)
    )
    events: list[Any] = []
    async with Emulator(model=ScriptedModel([LONG]), realtime=True, audio_chunk_ms=100) as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            await session.send_text("What are your opening hours?")
            try:
                with anyio.fail_after(15):
                    async for event in session:
                        events.append(event)
                        if event.type == "response.done":
                            break
                    else:
                        pytest.fail("the session ended first")
            finally:
                release.set()  # (let the stubborn check go, whatever happened)
    trips = [e for e in events if e.type == "guardrail.tripped"]
    assert [t.decided_by for t in trips][:1] == ["timeout"], "no trip before the answer ended"
    done = [e for e in events if e.type == "response.done"][-1]
    assert done.response.status == "cancelled"
