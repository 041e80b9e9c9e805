"""``session.update_agent(other)`` that the server refuses leaves the session half-switched.

The server refuses the new configuration (here an unknown voice; the everyday case is a
new voice once the assistant has spoken: ``cannot_update_voice``), ``update_agent`` raises
``SessionConfigError``, but the session has already taken the new agent locally: its tools
are looked up, its policy applied, while the server still runs the old agent's
instructions and tools. The model's next call of an old tool is answered ``unknown_tool``.

Right behaviour (as for a refused transfer, docs/handoffs.md): a refusal takes back the
agent the server runs: ``session.agent`` and the tools calls look up stay the old agent's,
so the model's call of its tool runs."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.errors import SessionConfigError

pytestmark = pytest.mark.anyio


@rtagents.tool
def lookup(q: str) -> str:
    """Look something up."""
    return "found " + q


@rtagents.tool
def refund(order: str) -> str:
    """Refund an order."""
    return "refunded"


async def test_a_refused_update_agent_leaves_the_session_on_the_agent_the_server_runs() -> None:
    triage = rtagents.Agent(name="triage", tools=[lookup], output_modalities=["text"])
    billing = rtagents.Agent(
        name="billing", tools=[refund], voice="robot", output_modalities=["text"]
    )
    model = ScriptedModel([CallFunction("lookup", {"q": "x"}, call_id="c1"), "ok"])
    async with Emulator(model=model) as emu:
        async with rtagents.connect(triage, url=emu.url) as session:
            with pytest.raises(SessionConfigError):
                await session.update_agent(billing)
            with anyio.fail_after(10):
                events = await session.ask("look up x")
            agent = session.agent.name
    ended = ("tool.call.completed", "tool.call.failed")
    outcome = [(e.type, getattr(e, "kind", None)) for e in events if e.type in ended]
    assert outcome == [("tool.call.completed", None)], outcome
    assert agent == "triage"
