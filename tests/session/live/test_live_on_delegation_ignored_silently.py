"""GPT-Live: an agent with tools and an ``on_delegation`` hook runs on responses delegation
("auto"), where the hook is never called. The session warns of the symmetric mistake (tools
on client delegation: "nothing would call them"), but not of this one: the hook is dropped
without a word."""

from __future__ import annotations

import pytest

import rtagents
from rtagents.emulator import Emulator, ScriptedModel

from .harness import speak, spoken, until

pytestmark = pytest.mark.anyio


@rtagents.tool
def weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


async def test_an_on_delegation_hook_that_will_never_run_is_warned_of() -> None:
    called: list[str] = []

    def hook(delegation: rtagents.Delegation) -> str:
        called.append(delegation.id)
        return "On it."

    agent = rtagents.Agent(name="a", tools=[weather], on_delegation=hook)
    async with Emulator(model=ScriptedModel(["Hello there."])) as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live") as session:
            await speak(session)
            events = await until(session, lambda seen: "Hello there." in spoken(seen))
    warned = [e for e in events if e.type == "session.warning" and "on_delegation" in e.message]
    assert called or warned, "on_delegation was neither called nor warned about"
