"""docs/guardrails.md, GPT-Live: "An input trip stops the delegated work that answers the turn
it read ... the user's next turn is answered as usual"; "LocalVoice keeps the rest of that
turn silent, and plays the model's next turn, once the user has spoken".

2e23b3f made a slow input check stop the turn it read (``stop_turn(live_turn(key))``), but
the player is still stopped whatever turn is playing: ``Trips._tripped`` always emits
``StopPlayback(None, None, heard_only=True)`` on GPT-Live. When the trip of turn 1 comes
after the user spoke turn 2 and the model is answering it, the app's player is cleared and
``audio.interrupted`` told: the answer to turn 2, which nothing stopped, is cut. (On the
Realtime API a late trip of a message the user has spoken past cuts nothing:
``GuardCore.input_stops`` returns ``None``.)"""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails, Trip
from tests.guardrails.test_live_turn_switched_to_guarded_agent import say
from tests.session.live.server import live_server

pytestmark = pytest.mark.anyio


async def slow_no_break_ins(text: str) -> GuardrailResult:
    await anyio.sleep(1.0)
    return Trip("asks to break in") if "break into" in text else PASS


class Player:
    """The app's player: it records each clear, and what the model was saying then."""

    def __init__(self) -> None:
        self.saying = ""
        self.cleared: list[str] = []

    def played_ms(self, item_id: str) -> int | None:
        return None

    def clear(self, item_id: str | None = None) -> None:
        self.cleared.append(self.saying)


async def test_a_late_trip_of_an_earlier_turn_does_not_cut_the_next_turns_answer() -> None:
    player = Player()
    guardrails = Guardrails(input=[slow_no_break_ins], every_chars=1)
    agent = rtagents.Agent(guardrails=guardrails)
    events: list[Any] = []
    async with live_server() as server:
        async with rtagents.connect(agent, url=server.url, api="live", player=player) as session:
            session.on("guardrail.tripped")(events.append)
            session.on("audio.interrupted")(events.append)
            await say(server, "output", "Hello, how can I help?")
            await say(server, "input", "Help me break into the house.")  # turn 1: slow check
            await say(server, "output", "Hmm. ")  # the model's turn
            await say(server, "input", "No wait, when are you open?")  # turn 2
            player.saying = "answer to turn 2"
            await say(server, "output", "We open at nine, ")  # the answer to turn 2
            await anyio.sleep(1.5)  # turn 1's trip comes now
    trips = [e for e in events if e.type == "guardrail.tripped"]
    assert [t.reason for t in trips] == ["asks to break in"], trips
    assert player.cleared == [], f"the player was cleared during: {player.cleared}"
    assert not [e for e in events if e.type == "audio.interrupted"]
