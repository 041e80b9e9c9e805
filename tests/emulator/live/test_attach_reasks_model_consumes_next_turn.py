"""A model request the dropped connection left unanswered is asked again on the attached
connection, "its answer taken once" (docs/emulator.md, "The timeline": "a request the
dropped connection left unanswered (the model asked, a hosted MCP tool called) is made
again, its answer taken once"; ``Jobs.ask_again``: "whichever answer comes first is
taken").

The dropped connection's request is cancelled with its task group before the attach, so
its answer never comes: the model is asked a second time, and a ``ScriptedModel`` (the
emulator's model for tests) gives that second request its *next* turn. The backend's
follow-up, whose turn was being computed at the drop, answers with the turn after it
("(end of script)" here) instead of the answer the script holds for it; without the drop
the same script says "Answer: charged 5."."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import Reconnect
from rtagents.emulator import CallFunction, Emulator, ModelContext, ScriptedModel
from tests.session.live.harness import speak, spoken

pytestmark = pytest.mark.anyio
FAST = Reconnect(backoff=0.01, max_backoff=0.05)


@rtagents.tool
async def charge(amount: int) -> str:
    """Charge the customer's card."""
    return f"charged {amount}"


async def converse(drop: bool) -> tuple[str, int, list[str]]:
    emulators: list[Emulator] = []

    async def thinking(ctx: ModelContext) -> str:
        if drop:  # the connection drops while the model works out the follow-up's answer
            emulators[0].last.drop()
        await anyio.sleep(0.3)
        return "Answer: " + " | ".join(o["output"] for o in ctx.pending_outputs) + "."

    model = ScriptedModel([CallFunction("charge", {"amount": 5}, call_id="call_a"), thinking])
    seen: list[Any] = []
    async with Emulator(model=model) as emu:
        emulators.append(emu)
        agent = rtagents.Agent(tools=[charge])
        async with rtagents.connect(agent, url=emu.live_url, api="live", reconnect=FAST) as session:
            await speak(session)
            with anyio.move_on_after(3):
                async for event in session:
                    seen.append(event)
                    if event.type == "session.usage.updated" and spoken(seen):
                        break
                else:
                    pytest.fail("the session ended first")
    return spoken(seen), len(model.contexts), [e.type for e in seen]


async def test_without_a_drop_the_follow_up_says_the_answer() -> None:
    said, asked, _ = await converse(drop=False)
    assert said == "Answer: charged 5." and asked == 2


async def test_a_model_request_cut_by_a_drop_gets_its_own_turn_on_the_attached_connection() -> None:
    said, asked, types = await converse(drop=True)
    assert "session.reconnected" in types
    assert said == "Answer: charged 5.", (
        f"the model was asked {asked} times (2 without the drop); said {said!r}"
    )
