"""docs/guardrails.md, "Fail closed": a guardrail that raises trips (``decided_by="error"``,
the reason says what happened). One that raises an exception whose text cannot be made (its
``__str__`` raises, as a library error formatting a hostile value does) never trips: turning
the exception into a reason (``guarding.raised``: ``str(exc)``) raises in its turn, the check
fails with a ``session.warning`` and the answer it was to stop streams on to the user."""

from __future__ import annotations

from typing import Any

import pytest

import rtagents
from rtagents import GuardrailResult, Guardrails
from rtagents.emulator import Emulator, ScriptedModel

from .reading import read_to_the_last_check

pytestmark = pytest.mark.anyio


class Unprintable:
    def __str__(self) -> str:
        raise RuntimeError("no text for this")


async def test_a_guardrail_raising_an_unprintable_error_trips() -> None:
    async def moderation(text: str) -> GuardrailResult:
        raise ValueError(Unprintable())

    agent = rtagents.Agent(
        name="shop", guardrails=Guardrails(output=[moderation]), output_modalities=["text"]
    )
    answer = "Of course, here is the whole answer, every word of it, nothing held back at all."
    events: list[Any] = []
    async with Emulator(model=ScriptedModel([answer])) as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            await session.send_text("Tell me.")
            await read_to_the_last_check(session, events, within=10)
    warnings = [e.message for e in events if e.type == "session.warning"]
    trips = [e for e in events if e.type == "guardrail.tripped"]
    assert [(t.guardrail, t.decided_by) for t in trips][:1] == [("moderation", "error")], warnings
