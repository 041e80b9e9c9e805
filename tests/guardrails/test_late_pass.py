"""A guardrail that takes longer than ``Guardrails.timeout`` trips (docs/guardrails.md:
"takes longer than `timeout` | a trip, decided_by="timeout""), the same fail-closed rule as
approvals, where "an answer after [the deadline] never counts, not even a yes from a handler
that ignores its cancellation (a prompt it shields, code that catches everything)".

``SessionGuards._one`` decides the timeout by ``scope.cancelled_caught``: a check that
shields its slow call (or swallows its cancellation) and then returns ``PASS`` after the
deadline raises nothing into the scope, so its late PASS counts and the message the guardrail
was there to stop is answered. The right behaviour: any answer after the deadline is a trip
with ``decided_by="timeout"`` (check ``scope.cancel_called``, as ``authorize`` does)."""

from __future__ import annotations

import contextlib
import time
from typing import Any

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails
from rtagents.emulator import Emulator, ScriptedModel

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]


async def shielded_moderation(text: str) -> GuardrailResult:
    with anyio.CancelScope(shield=True):  # a request the app will not tear down halfway
        await anyio.sleep(0.5)
    return PASS  # after the 0.1 s timeout: must not count


async def swallowing_moderation(text: str) -> GuardrailResult:
    with contextlib.suppress(BaseException):  # code that catches everything
        await anyio.sleep(0.5)
    return PASS


async def blocking_moderation(text: str) -> GuardrailResult:
    time.sleep(0.4)  # noqa: ASYNC251 - a sync client in async code: it holds the loop
    return PASS


@pytest.mark.parametrize("check", [shielded_moderation, swallowing_moderation, blocking_moderation])
async def test_a_guardrail_that_answers_after_its_timeout_trips(check: Any) -> None:
    agent = rtagents.Agent(
        name="desk",
        guardrails=Guardrails(input=[check], timeout=0.1),
        output_modalities=["text"],
    )
    events: list[Any] = []
    async with Emulator(model=ScriptedModel(["Here is how."])) as emulator:
        async with rtagents.connect(agent, url=emulator.url) as session:
            await session.send_text("anything")
            with anyio.move_on_after(1.5):
                async for event in session:
                    events.append(event)
    trips = [e for e in events if e.type == "guardrail.tripped"]
    assert [(t.kind, t.decided_by) for t in trips] == [("input", "timeout")], [
        e.type for e in events
    ]
