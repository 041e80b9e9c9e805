"""A long session's guardrail state does not grow with every user message: what it keeps
to check each message once (``GuardCore._seen``) is bounded, as the journal of those
messages is (``Reconnect(max_items=...)``). A session of hours with guardrails keeps no id
of every message the user ever said."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents import GuardrailResult, Guardrails
from rtagents.emulator import Emulator, ScriptedModel

pytestmark = pytest.mark.anyio

TURNS = 600
MAX_ITEMS = 40
BOUND = 256  # generous: the journal keeps at most MAX_ITEMS items


def passes(text: str) -> GuardrailResult:
    return GuardrailResult(tripped=False)


async def test_guardrail_state_does_not_grow_with_every_user_message() -> None:
    agent = rtagents.Agent(
        name="guarded",
        output_modalities=["text"],
        guardrails=Guardrails(input=[passes], output=[passes]),
        tracing=None,
    )
    async with Emulator(model=ScriptedModel([], then="Fine.")) as emu:
        async with rtagents.connect(
            agent, url=emu.url, reconnect=rtagents.Reconnect(max_items=MAX_ITEMS)
        ) as session:
            with anyio.fail_after(25):
                for i in range(TURNS):
                    await session.ask(f"message {i}")
            await anyio.sleep(0.2)  # the last checks end
            core = session._runner.guards._core
            assert core is not None
            seen = len(core._seen)
            journaled = len(session._runner.core.journal.items())
    assert journaled <= MAX_ITEMS
    assert seen <= BOUND, f"{seen} user message ids kept after {TURNS} user messages"
