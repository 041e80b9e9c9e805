"""CHANGELOG: "Any answer after the deadline is now a trip (decided_by="timeout"), as an
approval's is." ``SessionGuards._one`` decides it by ``scope.cancel_called``, which only
becomes True if the event loop got to run the deadline's timer. An async check that blocks
the loop (a sync HTTP client inside ``async def``, a common mistake) past its timeout and
then returns PASS finishes in one step: the timer never ran, ``cancel_called`` is False,
and its late PASS counts - the message goes through.

Right behaviour (as approvals do with ``anyio.current_time() >= deadline``): decide by the
clock: an answer at or past the deadline is a trip with decided_by="timeout"."""

from __future__ import annotations

import time
from typing import Any

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails
from rtagents.emulator import Emulator, ScriptedModel

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]


async def blocking_moderation(text: str) -> GuardrailResult:
    time.sleep(0.4)  # noqa: ASYNC251 - the point: it blocks the loop past the 0.1 s timeout
    return PASS  # after the deadline: must not count


async def test_a_blocking_check_that_passes_late_trips() -> None:
    agent = rtagents.Agent(
        name="desk",
        guardrails=Guardrails(input=[blocking_moderation], timeout=0.1),
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
