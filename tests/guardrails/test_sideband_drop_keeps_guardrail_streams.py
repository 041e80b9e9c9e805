"""An output guardrail reads the whole answer so far, each time, and its trip cancels the
response while it is active (docs/guardrails.md, "Output guardrails"). A call's sideband
that drops attaches again to the same call: the call's session is not new, and the answer
it was speaking goes on (the caller hears it whatever the sideband does). What the
guardrails kept of that answer (its text, its response as active) is kept across the
sideband's reconnect (``GuardCore.dropped`` is for a new server session, the Realtime
API's own): a phrase split by the drop is read whole, and its trip cancels the response."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails, Reconnect, Trip
from tests.session.hostile import hostile_server, message_item

pytestmark = pytest.mark.anyio

read: list[str] = []
FAST = Reconnect(backoff=0.01, max_backoff=0.05, jitter=0)


def no_refund_promises(text: str) -> GuardrailResult:
    read.append(text)
    return Trip("it promised a refund") if "promise you a full refund" in text else PASS


async def test_an_answer_split_by_a_sideband_drop_is_read_whole_and_cancelled() -> None:
    read.clear()
    guardrails = Guardrails(output=[no_refund_promises], every_chars=10_000, every_ms=60_000)
    agent = rtagents.Agent(name="desk", guardrails=guardrails)
    events: list[Any] = []
    async with hostile_server() as server:
        async with rtagents.connect(
            agent, url=server.url, call_id="rtc_1", reconnect=FAST
        ) as session:
            session.on("*")(events.append)
            await server.send(
                {
                    "type": "response.created",
                    "response": {"id": "resp_1", "status": "in_progress", "output": []},
                }
            )
            await server.output_item("added", message_item("in_progress"))
            await server.transcript_delta("I promise you ")
            await anyio.sleep(0.1)
            first = server.ws
            await server.drop("close 1011")
            with anyio.fail_after(5):
                while not any(e.type == "session.reconnected" for e in events):
                    await anyio.sleep(0.02)
            assert server.ws is not first
            # The call's answer goes on, on the sideband's new connection.
            await server.transcript_delta("a full refund today.")
            await server.output_item(
                "done", message_item("completed", "I promise you a full refund today.")
            )
            await anyio.sleep(0.5)
            cancels = [e.get("response_id") for e in server.sent("response.cancel")]
    tripped = [e for e in events if e.type == "guardrail.tripped"]
    assert "I promise you a full refund today." in read, (
        f"the guardrail read the answer only from the drop on: {read}"
    )
    assert [t.reason for t in tripped] == ["it promised a refund"], tripped
    assert tripped[0].cancelled == "resp_1" and cancels == ["resp_1"], (tripped, cancels)
