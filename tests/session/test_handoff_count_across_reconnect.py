"""``max_handoffs`` bounds the transfers that follow each other since the user last spoke.
A reconnect gives the new Realtime session the conversation back, the user's old messages
among them: the server's ``conversation.item.added`` for those replayed messages is not the
user speaking, and must not start the count again."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import Reconnect
from rtagents.emulator import CallFunction, DropConnection, Emulator, ScriptedModel

pytestmark = pytest.mark.anyio
FAST = Reconnect(backoff=0.01, max_backoff=0.05)


async def test_a_replayed_user_message_does_not_reset_the_handoffs_in_a_row() -> None:
    billing = rtagents.Agent(
        name="billing", handoffs=[lambda: triage], max_handoffs=1, output_modalities=["text"]
    )
    triage = rtagents.Agent(
        name="triage", handoffs=[billing], max_handoffs=1, output_modalities=["text"]
    )
    model = ScriptedModel(
        [
            CallFunction("transfer_to_billing", call_id="h1"),
            CallFunction("transfer_to_triage", call_id="h2"),  # no user turn in between
            "Done.",
        ]
    )
    events: list[Any] = []
    async with Emulator(model=model) as emu:
        async with rtagents.connect(triage, url=emu.url, reconnect=FAST) as session:
            session.on("*")(events.append)
            # The connection drops when the request answering the first transfer goes out.
            emu.last.add_fault(DropConnection(on_client="response.create", nth=2))
            await session.send_text("refund please")
            with anyio.fail_after(10):
                async for event in session:
                    if event.type == "response.output_text.done":
                        break
                else:
                    pytest.fail("the session ended before the answer")
    assert [e for e in events if e.type == "session.reconnected"]
    second = [e for e in events if e.type.startswith("tool.call.") and e.call_id == "h2"]
    assert second and second[-1].type == "tool.call.failed", [e.type for e in second]
    assert [(e.from_agent, e.to_agent) for e in events if e.type == "handoff"] == [
        ("triage", "billing")
    ]
