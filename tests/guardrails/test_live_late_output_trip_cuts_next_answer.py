"""CHANGELOG (c0a5ab9): "a late trip of an earlier turn no longer silences the answer to a
later one"; docs/guardrails.md, GPT-Live: "LocalVoice keeps the rest of that turn silent, and
plays the model's next turn, once the user has spoken".

c0a5ab9 made only an *input* trip look at whose turn is playing (``turn ==
live_core.user_turn``); an *output* trip (``live:assistant``, ``turn is None``) always emits
``StopPlayback``. The model's speech is one stream across its turns, so a slow check of the
model's turn 1 that trips after the user spoke and the model began answering turn 2 clears
the player in the middle of the answer to turn 2, which no check has stopped."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails, Trip
from tests.guardrails.test_live_late_trip_silences_next_answer import Player
from tests.guardrails.test_live_turn_switched_to_guarded_agent import say
from tests.session.live.server import live_server

pytestmark = pytest.mark.anyio


async def slow_no_refunds(text: str) -> GuardrailResult:
    await anyio.sleep(1.0)
    return Trip("promised a refund") if "refund" in text else PASS


async def test_a_late_output_trip_of_an_earlier_turn_does_not_cut_the_next_answer() -> None:
    player = Player()
    agent = rtagents.Agent(guardrails=Guardrails(output=[slow_no_refunds], every_chars=1))
    events: list[Any] = []
    async with live_server() as server:
        async with rtagents.connect(agent, url=server.url, api="live", player=player) as session:
            session.on("guardrail.tripped")(events.append)
            session.on("audio.interrupted")(events.append)
            player.saying = "turn 1"
            await say(server, "output", "You get a full refund.")  # turn 1: its slow check
            await say(server, "input", "Thanks. When are you open?")  # the user's next turn
            player.saying = "answer to the user's next turn"
            await say(server, "output", "We open at nine, ")
            await anyio.sleep(1.5)  # turn 1's trip comes now
    trips = [e for e in events if e.type == "guardrail.tripped"]
    assert [t.reason for t in trips][:1] == ["promised a refund"], trips
    assert player.cleared == [], f"the player was cleared during: {player.cleared}"
