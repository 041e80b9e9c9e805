"""Fail closed; docs/guardrails.md: a stream is checked "each time with the whole text so
far" (so that what straddles two deltas is read whole).

On GPT-Live a trip re-armed its stream from what the tripping check did not read, for every
guardrail, not only the one that tripped. A card number whose first half was in the
tripping check (read by ``no_card_numbers`` too, incomplete, so it passed) and whose second
half came after was never read whole by any check. Now only the guardrails that tripped
read on from the cut (``Check.cuts``); the others read the whole stream."""

from __future__ import annotations

import re
from typing import Any

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails, Trip
from tests.guardrails.test_live_turn_switched_to_guarded_agent import say
from tests.session.live.server import live_server

pytestmark = pytest.mark.anyio
CARD = re.compile(r"\d{4} \d{4} \d{4} \d{4}")
READ: list[str] = []


def no_locks(text: str) -> GuardrailResult:
    return Trip("asks how to pick a lock") if "lock" in text else PASS


def no_card_numbers(text: str) -> GuardrailResult:
    READ.append(text)
    return Trip("a card number") if CARD.search(text) else PASS


async def run(first: str) -> list[str]:
    READ.clear()
    guardrails = Guardrails(input=[no_locks, no_card_numbers], every_chars=1, every_ms=20)
    tripped: list[Any] = []
    async with live_server() as server:
        async with rtagents.connect(
            rtagents.Agent(guardrails=guardrails), url=server.url, api="live"
        ) as session:
            session.on("guardrail.tripped")(tripped.append)
            await say(server, "output", "Hello, how can I help?")
            await say(server, "input", first)
            await anyio.sleep(0.3)  # its check is done
            await say(server, "input", "1111 1111.")
            await anyio.sleep(0.3)
            await say(server, "output", "Sorry, I cannot help with that.")  # the turn's end
            await anyio.sleep(0.3)
    return [t.reason for t in tripped]


async def test_without_a_trip_the_number_is_read_whole() -> None:
    assert "a card number" in await run("My card is 4111 1111 ")


async def test_another_guardrails_trip_does_not_blind_it_to_the_number() -> None:
    reasons = await run("Pick a lock? My card is 4111 1111 ")
    assert "asks how to pick a lock" in reasons
    assert "a card number" in reasons, f"{reasons}; it read: {READ}"
