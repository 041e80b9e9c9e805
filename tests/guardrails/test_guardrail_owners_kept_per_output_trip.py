"""What the session's guardrails keep of a stream they checked is let go once the stream is
done with, however its checks ended: a trip mid-stream included. A long session whose output
guardrail trips now and then does not keep an entry for every trip: the record of what
tripped (a key never trips twice) holds the latest ones only."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents import GuardrailResult, Guardrails
from rtagents.emulator import Emulator, ScriptedModel

pytestmark = pytest.mark.anyio

TURNS = 400
BOUND = 256  # the latest trips a session remembers (many more than can be in flight)


def no_secrets(text: str) -> GuardrailResult:
    return GuardrailResult(tripped="secret" in text, reason="a secret")


async def test_guardrail_owners_are_let_go_after_a_trip_mid_stream() -> None:
    agent = rtagents.Agent(
        name="guarded",
        output_modalities=["text"],
        guardrails=Guardrails(output=[no_secrets], every_chars=20),
        tracing=None,
    )
    answer = "hello " * 10 + "secret " + "and more words " * 30
    trips = 0
    async with Emulator(model=ScriptedModel([], then=answer)) as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            with anyio.fail_after(25):
                for i in range(TURNS):
                    events = await session.ask(f"message {i}")
                    trips += sum(e.type == "guardrail.tripped" for e in events)
            await anyio.sleep(0.3)  # every check has ended; the session idles
            guards = session._runner.guards
            owners = len(guards._core._tripped) if guards._core else 0
            streams = len(guards._core._streams) if guards._core else 0
    assert trips >= TURNS // 2, trips  # the guardrail tripped, mostly mid-stream
    assert streams == 0
    assert owners <= BOUND, f"{owners} trips kept after {trips} trips, none checked now"
