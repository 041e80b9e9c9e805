"""Declarative handoffs on GPT-Live: its ``session.update`` changes the delegation backend's
instructions and tools, so a transfer goes through the same mechanism there; the Live
model's own instructions and voice stay (its update has no place for them)."""

from __future__ import annotations

from typing import Any

import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ModelContext, ScriptedModel

from .live.harness import speak, spoken, until

pytestmark = pytest.mark.anyio


@rtagents.tool
def refund(order: int) -> str:
    """Refund an order."""
    return f"refunded {order}"


async def test_a_handoff_changes_the_backends_instructions_and_tools() -> None:
    seen: list[tuple[str, list[str]]] = []

    def echo(ctx: ModelContext) -> str:
        seen.append((ctx.instructions, sorted(t["name"] for t in ctx.tools)))
        return " | ".join(o["output"] for o in ctx.pending_outputs)

    billing = rtagents.Agent(
        name="billing", instructions="You refund.", tools=[refund], handoffs=[lambda: triage]
    )
    triage = rtagents.Agent(name="triage", instructions="You triage.", handoffs=[billing])
    model = ScriptedModel(
        [
            CallFunction("transfer_to_billing", call_id="h1"),
            echo,
            CallFunction("refund", {"order": 7}),
            echo,
        ]
    )
    async with Emulator(model=model) as emu:
        async with rtagents.connect(triage, url=emu.live_url, api="live") as session:
            backend = session.config["delegation"]["responses"]
            assert [t["name"] for t in backend["tools"]] == ["transfer_to_billing"]
            await speak(session)
            events = await until(session, lambda seen: "billing has" in spoken(seen))
            assert session.agent is billing
            backend = session.config["delegation"]["responses"]
            await speak(session)
            events += await until(session, lambda seen: "refunded 7" in spoken(seen))
            frames: list[dict[str, Any]] = list(emu.last.received)
    assert sorted(t["name"] for t in backend["tools"]) == ["refund", "transfer_to_triage"]
    assert backend["instructions"] == "You refund."
    updates = [f for f in frames if f["type"] == "session.update"]
    assert len(updates) == 1
    [handoff] = [e for e in events if e.type == "handoff"]
    assert (handoff.from_agent, handoff.to_agent, handoff.call_id) == ("triage", "billing", "h1")
    # The backend's next turn ran as billing, with billing's tools.
    assert seen[-1] == ("You refund.", ["refund", "transfer_to_triage"])


async def test_a_handoff_to_an_agent_with_no_tools_keeps_the_sessions_delegation() -> None:
    """The FAQ agent only talks: on its own it would be client delegation, and GPT-Live
    refuses a change of kind ("The delegation type must match"), so every such transfer was
    refused. Its update keeps responses delegation, with no tools."""

    def echo(ctx: ModelContext) -> str:
        return " | ".join(o["output"] for o in ctx.pending_outputs)

    faq = rtagents.Agent(name="faq", instructions="You answer questions.")
    triage = rtagents.Agent(name="triage", instructions="You triage.", handoffs=[faq])
    model = ScriptedModel([CallFunction("transfer_to_faq", call_id="h1"), echo])
    async with Emulator(model=model) as emu:
        async with rtagents.connect(triage, url=emu.live_url, api="live") as session:
            await speak(session)
            events = await until(
                session,
                lambda seen: any(
                    e.type in ("tool.call.completed", "tool.call.failed") for e in seen
                ),
            )
            assert session.config["delegation"]["type"] == "responses"
    assert [e.type for e in events if e.type in ("tool.call.completed", "tool.call.failed")] == [
        "tool.call.completed"
    ]
    assert [e.type for e in events if e.type == "handoff"] == ["handoff"]
    assert session.agent is faq
