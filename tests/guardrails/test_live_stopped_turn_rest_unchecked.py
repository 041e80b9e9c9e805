"""docs/guardrails.md, GPT-Live: "both kinds are checked as streams ... and a turn gets its
last check when the other side starts speaking; after a trip the text is checked afresh".
Fail closed: what the user says is read by the input guardrails.

Since 2e23b3f an input trip no longer re-arms the user's turn stream
(``Trips._tripped``: only ``LIVE_OUT`` is re-armed): the key stays in ``GuardCore._tripped``
and ``GuardCore.heard`` drops every later word of that turn unread. What the user goes on
to say in the same turn (the model has not spoken yet) is never checked: another
guardrail's trip on it is never reported, and the model is never told of it."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails, Trip
from tests.guardrails.test_live_turn_switched_to_guarded_agent import say
from tests.session.live.server import live_server

pytestmark = pytest.mark.anyio
READ: list[str] = []


def no_locks(text: str) -> GuardrailResult:
    READ.append(text)
    return Trip("asks how to pick a lock") if "lock" in text else PASS


def no_card_numbers(text: str) -> GuardrailResult:
    return Trip("a card number") if "4111" in text else PASS


async def test_the_user_speaking_on_after_an_input_trip_is_checked_afresh() -> None:
    READ.clear()
    guardrails = Guardrails(input=[no_locks, no_card_numbers], every_chars=1, every_ms=20)
    agent = rtagents.Agent(guardrails=guardrails)
    tripped: list[Any] = []
    async with live_server() as server:
        async with rtagents.connect(agent, url=server.url, api="live") as session:
            session.on("guardrail.tripped")(tripped.append)
            await say(server, "output", "Hello, how can I help?")
            await say(server, "input", "How do I pick a lock? ")
            await anyio.sleep(0.3)  # the trip acts
            await say(server, "input", "Also, my card number is 4111 1111 1111 1111.")
            await anyio.sleep(0.5)  # (its checks, trailing one included, are due by now)
            await say(server, "output", "Sorry, I cannot help with that.")  # its last check
            await anyio.sleep(0.5)
    assert [t.reason for t in tripped][:1] == ["asks how to pick a lock"], tripped
    assert any("4111" in text for text in READ), f"the rest of the turn was never read: {READ}"
    assert "a card number" in [t.reason for t in tripped], [t.reason for t in tripped]
