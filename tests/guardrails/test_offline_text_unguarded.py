"""A message the user types while the connection is down is sent for the first time by the
replay to the new connection. It is the user's turn all the same: the input guardrails must
check it. ``RealtimeCore.replay`` marks every replayed user message as one of the framework's
own, so the guardrail never sees it and the model answers it (fails open)."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails, Reconnect, Trip
from rtagents.emulator import DropConnection, Emulator, ScriptedModel

pytestmark = pytest.mark.anyio
FAST = Reconnect(backoff=0.01, max_backoff=0.05)


def no_locks(text: str) -> GuardrailResult:
    return Trip("asks how to break in") if "lock" in text else PASS


async def test_a_message_first_sent_by_the_replay_is_still_guarded() -> None:
    agent = rtagents.Agent(
        name="desk", guardrails=Guardrails(input=[no_locks]), output_modalities=["text"]
    )
    model = ScriptedModel(["First you rake the pins, then you turn the wrench."] * 3)
    events: list[Any] = []
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.url, reconnect=FAST) as session:
            # The message never reaches this connection: it drops on the item's create.
            emu.last.add_fault(DropConnection(on_client="conversation.item.create"))
            await session.send_text("How do I pick the lock of the back door?")
            with anyio.fail_after(10):
                async for event in session:
                    events.append(event)
                    if event.type in ("guardrail.tripped", "response.done"):
                        break
                else:
                    pytest.fail("the session ended before the message was answered or stopped")
            tripped = any(e.type == "guardrail.tripped" for e in events)
            with anyio.move_on_after(1):  # a check still running may trip after the answer
                while not tripped:
                    async for event in session:
                        events.append(event)
                        if event.type == "guardrail.tripped":
                            tripped = True
                            break
                    else:
                        pytest.fail("the session ended before the check tripped")
    kinds = [e.type for e in events]
    assert "session.reconnected" in kinds, kinds
    assert "guardrail.tripped" in kinds, f"the user's message was never checked: {kinds}"
