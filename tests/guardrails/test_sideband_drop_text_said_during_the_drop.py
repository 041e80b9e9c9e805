"""An output guardrail reads the assistant's transcript while it streams "and once more
when the item ends, each time with the text so far" (docs/guardrails.md). On a call's
sideband the answer goes on while the sideband is down (the caller hears it; the commit
keeps the guardrail streams across the reconnect for that reason): what was said during
the drop is part of the item's text, and the item's end (``response.output_item.done``,
which carries its whole transcript) has it read. A phrase said entirely while the
sideband was down is never let through unread."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails, Trip
from tests.guardrails.test_sideband_drop_keeps_guardrail_streams import FAST
from tests.session.hostile import hostile_server, message_item

pytestmark = pytest.mark.anyio

read: list[str] = []
WHOLE = "Let me check. I promise you a full refund today."


def no_refund_promises(text: str) -> GuardrailResult:
    read.append(text)
    return Trip("it promised a refund") if "refund" in text else PASS


async def test_what_was_said_while_the_sideband_was_down_is_read_at_the_items_end() -> None:
    read.clear()
    guardrails = Guardrails(output=[no_refund_promises], every_chars=10_000, every_ms=60_000)
    agent = rtagents.Agent(name="desk", guardrails=guardrails)
    events: list[Any] = []
    async with hostile_server() as server:
        async with rtagents.connect(
            agent, url=server.url, call_id="rtc_1", reconnect=FAST
        ) as session:
            session.on("*")(events.append)
            created = {"id": "resp_1", "status": "in_progress", "output": []}
            await server.send({"type": "response.created", "response": created})
            await server.output_item("added", message_item("in_progress"))
            await server.transcript_delta("Let me check. ")
            await anyio.sleep(0.1)
            await server.drop("close 1011")
            # Meanwhile the call's answer goes on: "I promise you a full refund today."
            with anyio.fail_after(5):
                while not any(e.type == "session.reconnected" for e in events):
                    await anyio.sleep(0.02)
            await server.output_item("done", message_item("completed", WHOLE))
            await anyio.sleep(0.5)
    tripped = [e for e in events if e.type == "guardrail.tripped"]
    assert any("refund" in text for text in read), (
        f"what the caller heard during the drop was never read: {read}"
    )
    assert [t.reason for t in tripped] == ["it promised a refund"], tripped
