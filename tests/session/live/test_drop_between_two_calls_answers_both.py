"""Every call of a delegated batch gets exactly one output and the model's answer comes,
also when the connection drops between two calls of one backend response (DESIGN:
exactly-once tool outputs across reconnects, one ``response.create`` per batch; docs/
live.md: a call cut off by a drop "is answered without running ... and the turn goes on").

The backend's response makes two calls. The connection drops right after the first call's
``response.function_call_arguments.done``: the server had made the second call already
(its response, kept for the attach, waits for both outputs) but its ``output_item.added``
never reached the client: it goes out on the attached connection. When the emulator lost
the events not yet sent at a drop, the batch's ``response.create`` was refused with
``missing_tool_output`` naming the second call, which the session never answered: a
``session.warning``, and the turn stalled for ever (nothing was said)."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents import Reconnect
from rtagents.emulator import CallFunction, DropConnection, Emulator, ModelContext, ScriptedModel
from tests.session.live.harness import speak, spoken

pytestmark = pytest.mark.anyio
FAST = Reconnect(backoff=0.01, max_backoff=0.05)


def echo(ctx: ModelContext) -> str:
    return "Answer: " + " | ".join(o["output"] for o in ctx.pending_outputs)


async def test_a_call_the_drop_hid_is_answered_and_the_turn_goes_on() -> None:
    runs: list[int] = []

    @rtagents.tool
    async def charge(amount: int) -> str:
        """Charge the customer's card."""
        runs.append(amount)
        return f"charged {amount}"

    calls = [
        CallFunction("charge", {"amount": 5}, call_id="call_a"),
        CallFunction("charge", {"amount": 6}, call_id="call_b"),
    ]
    seen: list[object] = []
    async with Emulator(model=ScriptedModel([calls, echo])) as emu:
        agent = rtagents.Agent(tools=[charge])
        async with rtagents.connect(agent, url=emu.live_url, api="live", reconnect=FAST) as session:
            emu.last.add_fault(DropConnection(after="response.function_call_arguments.done"))
            await speak(session)
            with anyio.move_on_after(3):
                async for event in session:
                    seen.append(event)
                    if "Answer:" in spoken(seen) and spoken(seen).count("|") == 1:
                        break
                else:
                    pytest.fail(f"the session ended first: {[e.type for e in seen][-10:]}")  # type: ignore[attr-defined]
        last = emu.connections[-1]
        outputs = [
            i["call_id"] for i in last.conversation.items if i.get("type") == "function_call_output"
        ]
    warnings = [e.message for e in seen if e.type == "session.warning"]  # type: ignore[attr-defined]
    assert "session.reconnected" in [e.type for e in seen]  # type: ignore[attr-defined]
    assert runs.count(5) == 1 and runs.count(6) <= 1
    assert not [w for w in warnings if "No tool output found" in w], warnings
    assert sorted(outputs) == ["call_a", "call_b"], f"outputs the server has: {outputs}"
    assert "Answer:" in spoken(seen), f"the turn stalled; said {spoken(seen)!r}"
