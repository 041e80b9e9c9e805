"""When an output guardrail trips on the Realtime API, the response is cancelled
(``response.cancel``) if it is still active (docs/guardrails.md). An item none of whose
deltas came (a sideband down while it streamed, a server that streams none) is read whole at
its ``response.output_item.done``, and a trip on it cancels its response, still active then
(``response.done`` comes after its items, and a function call may follow in it), as a trip
on a streamed item does."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails, Trip
from tests.session.hostile import hostile_server, message_item

pytestmark = pytest.mark.anyio

WHOLE = "I promise you a full refund today."


def no_refund_promises(text: str) -> GuardrailResult:
    return Trip("it promised a refund") if "refund" in text else PASS


async def test_a_trip_on_an_item_read_only_whole_cancels_its_active_response() -> None:
    guardrails = Guardrails(output=[no_refund_promises])
    agent = rtagents.Agent(name="desk", guardrails=guardrails)
    events: list[Any] = []
    async with hostile_server() as server:
        async with rtagents.connect(agent, url=server.url) as session:
            session.on("*")(events.append)
            created = {"id": "resp_1", "status": "in_progress", "output": []}
            await server.send({"type": "response.created", "response": created})
            await server.output_item("added", message_item("in_progress"))
            await server.output_item(
                "done", message_item("completed", WHOLE)
            )  # no delta came: the item's end says its whole text
            with anyio.fail_after(5):
                while not any(e.type == "guardrail.tripped" for e in events):
                    await anyio.sleep(0.02)
            await anyio.sleep(0.2)
            tripped = [e for e in events if e.type == "guardrail.tripped"]
            cancels = server.sent("response.cancel")
    assert [t.reason for t in tripped] == ["it promised a refund"], tripped
    assert tripped[0].cancelled == "resp_1", (
        f"the trip left its active response running: cancelled={tripped[0].cancelled!r}, "
        f"response.cancel sent: {cancels}"
    )
    assert [c.get("response_id") for c in cancels] == ["resp_1"]
