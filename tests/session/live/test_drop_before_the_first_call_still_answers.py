"""A delegated turn whose connection drops before the backend announced its call still gets
its answer (DESIGN: a reconnect delivers outputs exactly once and the turn goes on; docs/
live.md: "what the server had stays"; docs/emulator.md: the attached connection gets the
session's state, "the delegated batch waiting for its outputs").

The Live model says an acknowledgement and delegates a call; the connection drops while it
speaks, or right after ``session.delegation.created`` (or the backend's ``response.created``
/``response.in_progress``), before the call's ``output_item.added``. The session
re-attaches to the same Live session, whose work goes on on the attached connection. It
was the dropped connection's in the emulator (the model's turn, a streaming backend
response): the tool never ran, nothing more was said, no warning came, and the session
idled for ever."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import Reconnect
from rtagents.emulator import (
    CallFunction,
    DropConnection,
    Emulator,
    ModelContext,
    Say,
    ScriptedModel,
)
from tests.session.live.harness import speak, spoken

pytestmark = pytest.mark.anyio
FAST = Reconnect(backoff=0.01, max_backoff=0.05)


async def _until_said(session: Any, seen: list[object], words: str) -> None:
    """Read the session's events into ``seen`` until ``words`` are said, or 3 s pass."""
    with anyio.move_on_after(3):
        async for event in session:
            seen.append(event)
            if words in spoken(seen):
                return
        pytest.fail(f"the session ended first: {[e.type for e in seen][-10:]}")  # type: ignore[attr-defined]


def echo(ctx: ModelContext) -> str:
    return "Answer: " + " | ".join(o["output"] for o in ctx.pending_outputs)


@pytest.mark.parametrize(
    "after",
    [
        "session.output_transcript.delta",  # while the model says its acknowledgement
        "response.created",  # (after session.delegation.created or response.in_progress: the same)
    ],
)
async def test_a_drop_before_the_call_is_announced_still_answers_the_turn(after: str) -> None:
    runs: list[int] = []

    @rtagents.tool
    async def charge(amount: int) -> str:
        """Charge the customer's card."""
        runs.append(amount)
        return f"charged {amount}"

    call = CallFunction("charge", {"amount": 5}, call_id="call_a")
    model = ScriptedModel([[Say("One moment please."), call], echo])
    seen: list[object] = []
    async with Emulator(model=model) as emu:
        agent = rtagents.Agent(tools=[charge])
        async with rtagents.connect(agent, url=emu.live_url, api="live", reconnect=FAST) as session:
            emu.last.add_fault(DropConnection(after=after))
            await speak(session)
            await _until_said(session, seen, "Answer: charged 5")
        connections = len(emu.connections)
    types = [e.type for e in seen]  # type: ignore[attr-defined]
    assert connections == 2 and "session.reconnected" in types
    assert "Answer: charged 5" in spoken(seen), (
        f"the turn stalled after the attach: runs={runs}, said={spoken(seen)!r}, "
        f"warnings={[e.message for e in seen if e.type == 'session.warning']}"  # type: ignore[attr-defined]
    )
    assert runs == [5]


async def test_a_follow_up_cut_by_a_drop_answers_its_own_batch() -> None:
    """The same loss, for the follow-up: two delegations (a slow call A, then a fast call B
    of the user's next turn). B's output is in, our ``response.create`` starts B's
    follow-up (it names our request), and the connection drops right after its
    ``response.created``; the follow-up goes on on the attached connection. When the
    emulator lost it, the session asked again, which the emulator handed to A's delegation
    (still waiting for its output): ``missing_tool_output`` for call_A, a
    ``session.warning``, and B's answer was not said until A's tool was done."""
    ran: list[str] = []

    @rtagents.tool
    async def slow_lookup(x: str) -> str:
        """Slow."""
        ran.append(x)
        await anyio.sleep(2.0)
        return f"slow {x}"

    @rtagents.tool
    def fast_lookup(x: str) -> str:
        """Fast."""
        ran.append(x)
        return f"fast {x}"

    def said(ctx: ModelContext) -> str:
        return "Answer: " + " | ".join(o["output"] for o in ctx.pending_outputs) + "."

    model = ScriptedModel(
        [
            CallFunction("slow_lookup", {"x": "A"}, call_id="call_A"),
            CallFunction("fast_lookup", {"x": "B"}, call_id="call_B"),
            said,
            said,
        ]
    )
    seen: list[object] = []
    async with Emulator(model=model) as emu:
        agent = rtagents.Agent(tools=[slow_lookup, fast_lookup])
        async with rtagents.connect(agent, url=emu.live_url, api="live", reconnect=FAST) as session:
            # the third response.created: B's follow-up (A's response, B's, then B's answer)
            emu.last.add_fault(DropConnection(after="response.created", nth=3))
            await speak(session)
            with anyio.move_on_after(0.4):
                async for event in session:
                    seen.append(event)
            await speak(session)  # the next turn, while A's tool runs
            with anyio.move_on_after(1.5):  # A's tool is still running all this time
                async for event in session:
                    seen.append(event)
    types = [e.type for e in seen]  # type: ignore[attr-defined]
    warnings = [e.message for e in seen if e.type == "session.warning"]  # type: ignore[attr-defined]
    assert "session.reconnected" in types and "call_A" not in str(
        [e.call_id for e in seen if e.type == "tool.call.completed"]  # type: ignore[attr-defined]
    )
    assert warnings == [], warnings
    assert "Answer: fast B." in spoken(seen), f"B's answer was not said: {spoken(seen)!r}"


async def test_a_drop_after_the_follow_up_completed_still_says_the_answer() -> None:
    """The same loss at the other end of the turn: the backend's follow-up (asked for by
    our ``response.create``) completes with the answer, and the connection drops right
    after its ``response.completed``, before the Live model says it: it says it on the
    attached connection (when the utterance was the dropped connection's, nothing was ever
    said; the session rightly does not ask again: the server named our request)."""

    @rtagents.tool
    async def charge(amount: int) -> str:
        """Charge the customer's card."""
        return f"charged {amount}"

    model = ScriptedModel([CallFunction("charge", {"amount": 5}, call_id="call_a"), echo])
    seen: list[object] = []
    async with Emulator(model=model) as emu:
        agent = rtagents.Agent(tools=[charge])
        async with rtagents.connect(agent, url=emu.live_url, api="live", reconnect=FAST) as session:
            emu.last.add_fault(DropConnection(after="response.completed", nth=2))
            await speak(session)
            await _until_said(session, seen, "Answer: charged 5")
    assert "session.reconnected" in [e.type for e in seen]  # type: ignore[attr-defined]
    assert "Answer: charged 5" in spoken(seen), f"the answer was never said: {spoken(seen)!r}"
