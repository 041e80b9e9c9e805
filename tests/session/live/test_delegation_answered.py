"""``delegation.answered``: the app's answer to a client delegation is on GPT-Live's timeline
(docs/live.md). Told once per answer the server acknowledges, naming the delegation it
answers and how (commentary or thinking); never for commentary that answers no delegation
(a progress update, the app's own aside)."""

from __future__ import annotations

import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.session import DelegationAnswered
from tests.session.live.harness import speak, until

pytestmark = pytest.mark.anyio


async def test_each_answer_is_told_once_with_its_delegation() -> None:
    answers = iter(["Your order ships tomorrow.", rtagents.Thinking("The store opens at nine.")])

    def on_delegation(delegation: rtagents.Delegation) -> str | rtagents.Thinking:
        return next(answers)

    model = ScriptedModel([CallFunction("track", {}), CallFunction("hours", {})])
    agent = rtagents.Agent(name="shop", on_delegation=on_delegation)
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live") as session:
            await session.commentary("One moment.")  # answers no delegation
            await speak(session)
            seen = await until(session, lambda s: any(e.type == "delegation.answered" for e in s))
            await speak(session)
            seen += await until(session, lambda s: any(e.type == "delegation.answered" for e in s))
        created = [e.delegation.id for e in seen if e.type == "session.delegation.created"]
    told = [(e.delegation_id, e.kind) for e in seen if isinstance(e, DelegationAnswered)]
    assert told == [(created[0], "commentary"), (created[1], "thinking")]
