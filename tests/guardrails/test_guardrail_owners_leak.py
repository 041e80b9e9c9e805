"""A session keeps nothing per answer once the answer's checks are over: the guardrails'
record of a stream (with whose guardrails check it) is let go when the stream ends. A long
session's memory does not
grow with every answer its guardrails read (a voice answer whose text was all read by the
trailing check before its item ended included)."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails
from rtagents.emulator import Emulator, ScriptedModel

pytestmark = pytest.mark.anyio

TURNS = 3


def anything_goes(text: str) -> GuardrailResult:
    return PASS


async def test_the_owners_of_ended_streams_are_let_go() -> None:
    agent = rtagents.Agent(
        name="helper", guardrails=Guardrails(output=[anything_goes], every_chars=1000, every_ms=50)
    )
    model = ScriptedModel([f"Answer {n}." for n in range(TURNS)])
    async with Emulator(model=model, realtime=True) as emu:  # audio paced as it plays
        async with rtagents.connect(agent, url=emu.url) as session:
            for n in range(TURNS):
                with anyio.fail_after(20):
                    await session.ask(f"question {n}")
            await anyio.sleep(0.5)  # every check has run (its trailing ones too)
            guards = session._runner._guards
            assert guards is not None and guards._core is not None
            streams = len(guards._core._streams)
    assert streams == 0, f"{streams} streams kept"
