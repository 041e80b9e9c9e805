"""Exactly one ``response.create`` per batch, "never while another response is active (the
server answers ``conversation_already_has_active_response``)" (DESIGN, tool-call semantics);
docs/live.md: after a drop "What the server had stays", and "a response the attached
connection carries on keeps its calls".

A delegated call's output and the batch's ``response.create`` go out; the backend's
follow-up starts (its ``response.created`` names our request: the server read it) and the
connection drops while the backend is still working on it. The attached connection carries
that follow-up on (the emulator's default since 44ecb83), taking ~2 s. The session asks for
the batch again on the attached connection, and, refused as busy, asks again every
``UNSEEN_WAIT_S`` (0.5 s) until the carried response ends: four or five ``response.create``s
refused with ``conversation_already_has_active_response``, each an ``error`` event for the
app. Without the drop the batch is asked for once."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import Reconnect
from rtagents.emulator import CallFunction, DropConnection, Emulator, ModelContext, ScriptedModel
from tests.session.live.harness import speak, spoken

pytestmark = pytest.mark.anyio
FAST = Reconnect(backoff=0.01, max_backoff=0.05)


@rtagents.tool
async def charge(amount: int) -> str:
    """Charge the customer's card."""
    return f"charged {amount}"


async def slow_answer(ctx: ModelContext) -> str:
    await anyio.sleep(2.0)  # the backend takes a while over its follow-up
    return "Answer: " + " | ".join(o["output"] for o in ctx.pending_outputs) + "."


async def converse(drop: bool) -> tuple[str, int, list[str], list[str]]:
    model = ScriptedModel([CallFunction("charge", {"amount": 5}, call_id="call_a"), slow_answer])
    seen: list[Any] = []
    async with Emulator(model=model, keep_closed=10) as emu:
        agent = rtagents.Agent(tools=[charge])
        async with rtagents.connect(agent, url=emu.live_url, api="live", reconnect=FAST) as session:
            if drop:  # the follow-up (named by our request) has begun; its answer is not in
                emu.last.add_fault(DropConnection(after="response.in_progress", nth=2))
            await speak(session)
            with anyio.fail_after(6):
                async for event in session:
                    seen.append(event)
                    if event.type == "session.usage.updated" and "Answer" in spoken(seen):
                        break
                else:
                    pytest.fail("the session ended first")
        frames = [f for conn in emu.connections for f in conn.received]
        sent = [f for conn in emu.connections for f in conn.sent]
    creates = sum(1 for f in frames if f.get("type") == "response.create")
    busy = [
        f["error"]["message"]
        for f in sent
        if f.get("type") == "error"
        and f["error"].get("code") == "conversation_already_has_active_response"
    ]
    return spoken(seen), creates, busy, [e.type for e in seen]


async def test_without_a_drop_the_batch_is_asked_for_once() -> None:
    said, creates, busy, _ = await converse(drop=False)
    assert said == "Answer: charged 5." and creates == 1 and busy == []


async def test_a_response_carried_on_after_an_attach_is_not_polled_with_response_creates() -> None:
    said, creates, busy, types = await converse(drop=True)
    assert "session.reconnected" in types and said == "Answer: charged 5."
    # At most one hedge (the server might have lost the response); never a poll while the
    # server says, again and again, that a response is active.
    assert len(busy) <= 1, f"{creates} response.create for one batch; {len(busy)} refused busy"
