"""Stay alive / docs/guardrails.md: "A guardrail is a function of the text, sync or async";
any callable is accepted (``Guardrail.__post_init__`` checks only ``callable``).

Since 9f908d9, GPT-Live's re-arm keys ``Check.cuts`` by the ``Guardrail`` (a frozen
dataclass: hashed by its ``check``), so a guardrail whose check is a callable object that is
not hashable (an LLM judge written as a plain ``@dataclass``/attrs class with ``__call__``,
a pydantic model) breaks its turn after any trip: ``Check.text_for`` (in ``_one`` and again
in ``Trips._tripped``) or ``GuardCore.checked`` raises ``TypeError: unhashable type``, the
check's task dies (a ``session.warning``), and the stream is never checked again: a card
number said later in the turn is never read (fail open). Before 9f908d9 nothing hashed a
guardrail and these pass."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails, Trip
from tests.guardrails.test_live_turn_switched_to_guarded_agent import say
from tests.session.live.server import live_server

pytestmark = pytest.mark.anyio
CARD = re.compile(r"\d{4} \d{4} \d{4} \d{4}")


def no_locks(text: str) -> GuardrailResult:
    return Trip("asks how to pick a lock") if "lock" in text else PASS


@dataclass
class CardJudge:
    """A configurable judge (say, an LLM's prompt and model): a dataclass, so unhashable."""

    pattern: str = r"\d{4} \d{4} \d{4} \d{4}"

    async def __call__(self, text: str) -> GuardrailResult:
        return Trip("a card number") if re.search(self.pattern, text) else PASS


def no_card_numbers(text: str) -> GuardrailResult:
    return Trip("a card number") if CARD.search(text) else PASS


@dataclass
class LockJudge:
    """Another configurable judge, unhashable too."""

    word: str = "lock"

    def __call__(self, text: str) -> GuardrailResult:
        return Trip("asks how to pick a lock") if self.word in text else PASS


async def run(judge: Any, first: Any = no_locks) -> list[tuple[str, str, str]]:
    guardrails = Guardrails(
        input=[first, rtagents.Guardrail(judge, name="cards")], every_chars=1, every_ms=20
    )
    tripped: list[Any] = []
    problems: list[Any] = []
    async with live_server() as server:
        async with rtagents.connect(
            rtagents.Agent(guardrails=guardrails), url=server.url, api="live"
        ) as session:
            session.on("guardrail.tripped")(tripped.append)
            session.on("session.warning")(problems.append)
            session.on("error")(problems.append)
            await say(server, "output", "Hello, how can I help?")
            await say(server, "input", "Pick a lock? ")
            await anyio.sleep(0.3)  # its check is done: tripped
            await say(server, "input", "My card is 4111 1111 1111 1111.")
            await anyio.sleep(0.3)
            await say(server, "output", "Sorry, I cannot help with that.")  # the turn's end
            await anyio.sleep(0.3)
    trips = [(t.guardrail, t.reason, t.decided_by) for t in tripped]
    assert not problems, (problems, trips)
    return trips


async def test_a_hashable_judge_reads_the_card_after_the_trip() -> None:
    """The control: the same judge as a plain function's closure."""
    judge = CardJudge()

    async def cards(text: str) -> GuardrailResult:
        return await judge(text)

    trips = await run(cards)
    assert ("cards", "a card number", "guardrail") in trips, trips


async def test_an_unhashable_judge_reads_the_card_after_the_trip() -> None:
    trips = await run(CardJudge())
    assert all(by == "guardrail" for _, _, by in trips), trips
    assert ("cards", "a card number", "guardrail") in trips, trips


async def test_after_an_unhashable_judge_trips_the_turn_is_still_read() -> None:
    """The judge that trips is the unhashable one: ``GuardCore.checked`` raises as it
    re-arms the stream, which stays tripped for good, so nothing more of the turn is read."""
    trips = await run(no_card_numbers, first=rtagents.Guardrail(LockJudge(), name="locks"))
    assert ("locks", "asks how to pick a lock", "guardrail") in trips, trips
    assert ("cards", "a card number", "guardrail") in trips, trips
