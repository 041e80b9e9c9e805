"""The Realtime API's lost race: the server starts a response of its own as our
``response.create`` goes (server VAD, say), and refuses ours as busy. That response has our
output in its context (one conversation) and answers it: the batch is not asked for again
(GPT-Live's other delegations are another matter: see tests/session/live)."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, RaceResponse, ScriptedModel

pytestmark = pytest.mark.anyio


@rtagents.tool
def lookup(city: str) -> str:
    """Looks up a city."""
    return f"{city}: sunny"


async def test_a_lost_race_answers_the_batch_once() -> None:
    """The server's own response (started as our request arrived) has the output in its
    context and answers it: the batch is not asked for a second time."""
    agent = rtagents.Agent(name="r", tools=[lookup], output_modalities=["text"])
    model = ScriptedModel([CallFunction("lookup", {"city": "Paris"}), "Paris is sunny.", "Again."])
    async with Emulator(model=model, faults=[RaceResponse(nth=2)]) as emu:
        async with rtagents.connect(agent, transport=emu.transport()) as session:
            with anyio.fail_after(10):
                await session.ask("Weather in Paris?")
            await anyio.sleep(0.5)
        creates = [e for e in emu.last.received if e["type"] == "response.create"]
        done = [e for e in emu.last.sent if e["type"] == "response.done"]
    assert len(creates) == 2, creates  # the turn's, the batch's (lost the race)
    assert len(done) == 2, [d["response"]["output"] for d in done]  # not a third: "Again."
