"""On GPT-Live, an agent's output guardrails read what is said while it runs the session
(docs/guardrails.md: "a handoff brings the new agent's own"). A Live turn has no items:
the model's speech is one stream until the user speaks. When the session switches,
mid-turn, to a guarded agent from one whose guardrails check nothing of that kind (an
agent with input guardrails only), what the guarded agent says in the rest of that turn is
read by its output guardrails: it is never let through unread because the turn began under
an agent whose guardrails had no output checks (the same as one that had none at all)."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails, Trip
from tests.guardrails.test_live_turn_switched_to_guarded_agent import say, switch
from tests.session.live.server import live_server

pytestmark = pytest.mark.anyio

read: list[str] = []


def no_refund_promises(text: str) -> GuardrailResult:
    read.append(text)
    return Trip("it promised a refund") if "refund" in text else PASS


def polite_caller(text: str) -> GuardrailResult:
    return PASS


async def run(billing: rtagents.Agent) -> list[Any]:
    read.clear()
    guardrails = Guardrails(output=[no_refund_promises], every_chars=1, every_ms=20)
    triage = rtagents.Agent(name="triage", guardrails=guardrails)
    tripped: list[Any] = []
    async with live_server() as server:
        async with rtagents.connect(triage, url=server.url, api="live") as session:
            session.on("guardrail.tripped")(tripped.append)
            await say(server, "output", "Hello, this is triage.")
            await say(server, "input", "My bill is wrong.")
            await switch(session, server, billing, 1)
            await say(server, "output", "Billing here, one moment. ")  # billing's turn begins
            await switch(session, server, triage, 2)  # back to triage, mid-turn
            await say(server, "output", "I promise you a full refund today.")
            await anyio.sleep(1.0)  # (its checks, trailing one included, are due by now)
    return tripped


async def test_a_guarded_agent_taken_mid_turn_from_input_only_guardrails_is_read() -> None:
    billing = rtagents.Agent(name="billing", guardrails=Guardrails(input=[polite_caller]))
    tripped = await run(billing)
    assert any("refund" in text for text in read), (
        f"triage's own speech was never read by its output guardrails: {read}"
    )
    assert [t.reason for t in tripped] == ["it promised a refund"], tripped


async def test_the_same_switch_from_an_agent_with_none_is_read() -> None:
    """The control (the commit's own case): billing has no guardrails at all."""
    tripped = await run(rtagents.Agent(name="billing"))
    assert [t.reason for t in tripped] == ["it promised a refund"], tripped


def no_card_numbers(text: str) -> GuardrailResult:
    read.append(text)
    return Trip("a card number") if "4111" in text else PASS


@pytest.mark.parametrize("billing_guardrails", ["output_only", "none"])
async def test_the_users_speech_after_a_switch_to_input_guardrails_is_read(
    billing_guardrails: str,
) -> None:
    """The same on the user's side (``_LIVE_IN``): a user turn begun under an agent with
    output guardrails only, then the session switched to one with input guardrails (the
    control: billing with none at all)."""
    read.clear()
    triage = rtagents.Agent(name="triage", guardrails=Guardrails(input=[no_card_numbers]))
    own = Guardrails(output=[polite_caller]) if billing_guardrails == "output_only" else None
    billing = rtagents.Agent(name="billing", guardrails=own)
    tripped: list[Any] = []
    async with live_server() as server:
        async with rtagents.connect(triage, url=server.url, api="live") as session:
            session.on("guardrail.tripped")(tripped.append)
            await say(server, "output", "Hello, this is triage.")
            await switch(session, server, billing, 1)
            await say(server, "input", "Hi billing, ")  # the user's turn, under billing
            await switch(session, server, triage, 2)  # back to triage, mid-turn
            await say(server, "input", "my card number is 4111 1111 1111 1111.")
            await say(server, "output", "Thank you.")  # the user's turn ends: its last check
            await anyio.sleep(1.0)
    assert any("4111" in text for text in read), (
        f"what the user said to triage was never read by its input guardrails: {read}"
    )
    assert [t.reason for t in tripped] == ["a card number"], tripped
