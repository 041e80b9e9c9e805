"""An input trip on GPT-Live stops the delegated work that answers the turn it read
(docs/guardrails.md, GPT-Live: "the delegations announced while it was the user's latest are
its answer"; fail closed). On client delegation (``LiveOptions(delegation="client")``) that
work is the agent's ``on_delegation`` hook: a hook answering a stopped turn must not have its
answer sent to the model (``session.commentary.append`` naming the delegation), whether the
trip comes while the hook runs or before the delegation is announced."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails, LiveOptions, Trip
from tests.guardrails.test_live_turn_switched_to_guarded_agent import say
from tests.session.live.server import live_server

pytestmark = pytest.mark.anyio


def no_card_numbers(text: str) -> GuardrailResult:
    return Trip("a card number") if "4111" in text else PASS


async def slow_hook(delegation: rtagents.Delegation) -> str:
    await anyio.sleep(0.6)  # the trip comes while it runs
    return f"Charging the card you gave: {delegation.user_text}"


def quick_hook(delegation: rtagents.Delegation) -> str:
    return f"Charging the card you gave: {delegation.user_text}"


def _agent(hook: Any) -> rtagents.Agent:
    guardrails = Guardrails(input=[no_card_numbers], every_chars=1, every_ms=20)
    return rtagents.Agent(
        guardrails=guardrails, on_delegation=hook, live=LiveOptions(delegation="client")
    )


async def _delegate(server: Any, delegation_id: str) -> None:
    delegation = {"type": "delegation", "id": delegation_id, "target": "client"}
    await server.send("session.delegation.created", offset_ms=500, delegation=delegation)


async def test_a_hook_running_when_its_turn_trips_is_not_answered() -> None:
    tripped: list[Any] = []
    async with live_server() as server:
        async with rtagents.connect(_agent(slow_hook), url=server.url, api="live") as session:
            session.on("guardrail.tripped")(tripped.append)
            await say(server, "input", "Charge my card 4111 1111 1111 1111 please.")
            await _delegate(server, "del_1")  # the hook starts at once
            await anyio.sleep(1.2)  # the trip, then the hook's end
            sent = server.of("session.commentary.append")
    assert [t.reason for t in tripped] == ["a card number"], tripped
    assert [s.get("delegation_id") for s in sent] == [], (
        f"the answer to the stopped turn's client delegation was sent: {sent}"
    )


async def test_a_delegation_announced_after_its_turn_tripped_is_not_answered() -> None:
    tripped: list[Any] = []
    async with live_server() as server:
        async with rtagents.connect(_agent(quick_hook), url=server.url, api="live") as session:
            session.on("guardrail.tripped")(tripped.append)
            await say(server, "input", "Charge my card 4111 1111 1111 1111 please.")
            await anyio.sleep(0.3)  # the trip
            assert [t.reason for t in tripped] == ["a card number"], tripped
            await _delegate(server, "del_1")  # announced for the stopped turn
            await anyio.sleep(0.5)
            sent = server.of("session.commentary.append")
    assert [s.get("delegation_id") for s in sent] == [], (
        f"the answer to the stopped turn's client delegation was sent: {sent}"
    )
