"""The message hook runs once the trip has acted: a slow one (a sync hook that looks the
wording up) never holds up the ``response.cancel``, the cut or the event; an async one is
awaited (it was called and its coroutine dropped unawaited: the default line went out, with
a warning about a hook that answered a coroutine)."""

from __future__ import annotations

import asyncio
import time
import warnings

import pytest

import rtagents
from rtagents import Guardrails
from rtagents.approvals import GuardrailTrip
from rtagents.emulator import ScriptedModel
from tests.guardrails.test_output import LONG, FakePlayer, no_refunds, run_until_trip, sent

pytestmark = pytest.mark.anyio


async def test_an_async_message_hook_is_awaited() -> None:
    async def shaped(trip: GuardrailTrip) -> str:
        return f"Stopped by {trip.guardrail}; apologise."

    agent = rtagents.Agent(name="shop", guardrails=Guardrails(output=[no_refunds], message=shaped))
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # (a coroutine never awaited)
        events, connection = await run_until_trip(agent, ScriptedModel([LONG]), FakePlayer(300))
    assert [e for e in events if e.type == "session.warning"] == []
    notes = [i for i in connection.conversation.items if i.get("role") == "system"]
    assert [n["content"][0]["text"] for n in notes] == ["Stopped by no_refunds; apologise."]


async def test_a_slow_message_hook_does_not_hold_up_the_trip() -> None:
    player = FakePlayer(300)
    cleared_first: list[int] = []

    def slow(trip: GuardrailTrip) -> str:
        cleared_first.append(player.cleared)  # the trip's cut of the audio: done already?
        time.sleep(0.3)  # a lookup of the wording (a sync hook runs on the loop)
        return "Stopped."

    agent = rtagents.Agent(name="shop", guardrails=Guardrails(output=[no_refunds], message=slow))
    events, connection = await run_until_trip(agent, ScriptedModel([LONG]), player)
    assert cleared_first == [1], "the message hook ran before the trip cut the audio"
    assert len(sent(connection, "response.cancel")) == 1


async def test_an_async_hook_that_lets_out_its_own_cancellation_still_tells_the_model() -> None:
    async def shared(trip: GuardrailTrip) -> str:
        # The wording from a shared lookup that its owner cancelled.
        future = asyncio.get_running_loop().create_future()
        asyncio.get_running_loop().call_later(0.01, future.cancel)
        text: str = await future
        return text

    agent = rtagents.Agent(name="shop", guardrails=Guardrails(output=[no_refunds], message=shared))
    events, connection = await run_until_trip(agent, ScriptedModel([LONG]), FakePlayer(300))
    [warning] = [e for e in events if e.type == "session.warning"]
    assert "CancelledError" in warning.message
    notes = [i for i in connection.conversation.items if i.get("role") == "system"]
    assert [n["content"][0]["text"] for n in notes] == [
        "Your last answer was stopped by a guardrail (no_refunds): it promised a refund"
    ]
