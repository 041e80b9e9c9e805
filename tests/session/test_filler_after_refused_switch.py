"""A switch the server refuses changes nothing: the session stays on the agent the server
runs (docs/handoffs.md: "A transfer refused or denied changes nothing"; ``update_agent``:
"If the server refuses the new configuration, the session stays with the agent it had").
That includes the agent's filler: an agent without ``filler_after_ms`` gets no filler, also
after a refused ``update_agent`` or transfer to an agent that has one."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.errors import SessionConfigError

pytestmark = pytest.mark.anyio


@rtagents.tool
async def slow_lookup(q: str) -> str:
    """Look something up (slowly)."""
    await anyio.sleep(0.8)
    return "found " + q


def billing() -> rtagents.Agent:
    # "robot" is a voice the emulator refuses: the switch to billing is refused.
    return rtagents.Agent(
        name="billing",
        voice="robot",
        filler_after_ms=50,
        output_modalities=["text"],
    )


async def _fillers(session: rtagents.RealtimeSession, text: str) -> list[str]:
    events = []
    with anyio.fail_after(10):
        await session.send_text(text)
        async for event in session:
            events.append(event.type)
            if event.type == "response.output_text.done" and "tool.call.completed" in events:
                break
        else:
            pytest.fail("the session ended before the answer")
    return [t for t in events if t == "filler.requested"]


async def test_a_refused_update_agent_leaves_no_filler_of_the_refused_agent() -> None:
    triage = rtagents.Agent(name="triage", tools=[slow_lookup], output_modalities=["text"])
    model = ScriptedModel([CallFunction("slow_lookup", {"q": "x"}, call_id="c1"), "ok"])
    async with Emulator(model=model) as emu:
        async with rtagents.connect(triage, url=emu.url) as session:
            with pytest.raises(SessionConfigError):
                await session.update_agent(billing())
            assert session.agent is triage
            fillers = await _fillers(session, "look up x")
    assert fillers == [], "triage has no filler_after_ms, yet a filler was asked for"


async def test_a_refused_transfer_leaves_no_filler_of_the_refused_agent() -> None:
    target = billing()
    triage = rtagents.Agent(
        name="triage", tools=[slow_lookup], handoffs=[target], output_modalities=["text"]
    )
    model = ScriptedModel(
        [
            CallFunction("transfer_to_billing", call_id="h1"),
            "Could not transfer.",
            CallFunction("slow_lookup", {"q": "x"}, call_id="c1"),
            "ok",
        ]
    )
    async with Emulator(model=model) as emu:
        async with rtagents.connect(triage, url=emu.url) as session:
            with anyio.fail_after(10):
                events = await session.ask("billing please")
            failed = [e for e in events if e.type == "tool.call.failed"]
            assert [e.call_id for e in failed] == ["h1"]  # the transfer was refused
            assert session.agent is triage
            fillers = await _fillers(session, "look up x")
    assert fillers == [], "triage has no filler_after_ms, yet a filler was asked for"
