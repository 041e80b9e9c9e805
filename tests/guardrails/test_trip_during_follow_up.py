"""An input trip while the answer's tool calls are being answered: the response that answers
their outputs (the follow-up) is stopped whether it is under way when the trip comes (it is
cancelled, and the trip names it) or only asked for (no response is active: it is cancelled
as it starts, and the trip names none, as ``GuardrailTripped.cancelled`` says). A scripted
server sets the order, so that each case is the one it says, however busy the machine."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import PASS, GuardrailResult, Guardrails, Trip
from tests.session.hostile import Hostile, hostile_server

pytestmark = pytest.mark.anyio

CREATED = {"type": "response.created", "response": {"id": "resp_2", "status": "in_progress"}}


def is_follow_up(event: dict[str, Any]) -> bool:
    return event["type"] == "response.create" and not event.get("response")


async def run(started: bool) -> tuple[list[Any], Hostile]:
    """The user asks for a wire, the answer calls ``wire_money``, and its output is sent with
    a response asked for; then the fraud check trips: once the server has begun that
    response (``started``), or before it has. The trips, and the server."""
    go, seen_created = anyio.Event(), anyio.Event()
    tripped: list[Any] = []

    async def fraud_check(text: str) -> GuardrailResult:
        await go.wait()
        return Trip("looks like fraud") if "grandson" in text else PASS

    @rtagents.tool
    def wire_money(to: str, amount: int) -> str:
        """Send money."""
        return f"sent {amount} to {to}"

    agent = rtagents.Agent(
        name="bank", tools=[wire_money], guardrails=Guardrails(input=[fraud_check])
    )
    async with hostile_server() as server:
        async with rtagents.connect(agent, url=server.url, reconnect=None) as session:
            session.on("guardrail.tripped")(tripped.append)
            session.on("response.created")(lambda event: seen_created.set())
            await session.send_text("Wire 5 to my grandson, he needs bail")
            await server.wait_for(lambda e: e["type"] == "response.create")
            await server.call("wire_money", {"to": "grandson", "amount": 5}, "call_1")
            await server.output_for("call_1")
            await server.wait_for(lambda e: e is not server.received[0] and is_follow_up(e))
            assert len([e for e in server.received if is_follow_up(e)]) == 2
            if started:
                seen_created = anyio.Event()  # the follow-up's, not the call's
                await server.send(CREATED)
                with anyio.fail_after(5):
                    await seen_created.wait()
            go.set()
            with anyio.fail_after(5):
                while not tripped:
                    await anyio.sleep(0.01)
            if not started:
                assert server.sent("response.cancel") == []  # nothing is active to cancel
                await server.send(CREATED)
                await server.wait_for(lambda e: e["type"] == "response.cancel")
            await anyio.sleep(0.2)  # (a second cancel would come by now)
    return tripped, server


async def test_a_trip_while_the_follow_up_is_under_way_cancels_it_by_name() -> None:
    tripped, server = await run(started=True)
    [trip] = tripped
    assert trip.acted and trip.cancelled == "resp_2"
    assert [e.get("response_id") for e in server.sent("response.cancel")] == ["resp_2"]


async def test_a_trip_while_the_follow_up_is_asked_for_cancels_it_as_it_starts() -> None:
    tripped, server = await run(started=False)
    [trip] = tripped
    assert trip.acted and trip.cancelled is None  # none was active when it tripped
    assert [e.get("response_id") for e in server.sent("response.cancel")] == ["resp_2"]
