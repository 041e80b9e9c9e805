"""A connection that drops while it is being set up (before it answered our configuration)
releases what it was asked: the next connection is configured and given the conversation
back at once. Before, its configuration waited for the first reply of that type, which the
next connection's reply then answered, and the session stalled for 30 s, then closed saying
the server never answered, with the tool's output lost."""

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
from rtagents.session import live
from rtagents.session.actions import Resolve, ToolTraits
from rtagents.session.realtime import RealtimeCore

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(20)]

FAST = Reconnect(backoff=0.01, max_backoff=0.05)


class SecondDrops(Emulator):
    """The second connection drops on our ``session.update``, never answering it."""

    def open_connection(self, model_name: str, call_id: str | None = None) -> Any:
        conn = super().open_connection(model_name, call_id)
        if len(self.connections) == 2:
            conn.add_fault(DropConnection(on_client="session.update"))
        return conn


async def test_a_second_drop_while_reconnecting_loses_no_time_and_no_output() -> None:
    @rtagents.tool
    async def charge(amount: int) -> str:
        """Charge the card."""
        await anyio.sleep(0.05)  # it finishes while the session is offline
        return f"charged {amount}"

    def answer(ctx: ModelContext) -> list[Any]:
        outputs = [i["output"] for i in ctx.items if i.get("type") == "function_call_output"]
        return [Say(f"Answer from {outputs}")]

    model = ScriptedModel([CallFunction("charge", {"amount": 5}, call_id="call_1"), answer])
    agent = rtagents.Agent(name="a", tools=[charge], output_modalities=["text"])
    answers: list[str] = []
    async with SecondDrops(model=model) as emu:
        async with rtagents.connect(agent, url=emu.url, reconnect=FAST) as session:
            session.on("response.output_text.done")(lambda e: answers.append(e.text))
            emu.last.add_fault(DropConnection(after="response.function_call_arguments.done"))
            await session.send_text("Charge me 5.")
            with anyio.fail_after(5):  # not the 30 s of a configuration never answered
                while not answers:
                    await anyio.sleep(0.02)
            assert session.closed_reason is None
        assert len(emu.connections) == 3
    assert answers == ["Answer from ['charged 5']"]


def test_a_realtime_core_releases_a_request_of_a_connection_that_dropped_unconfigured() -> None:
    core = RealtimeCore(lambda name, response_id: ToolTraits())
    core.disconnected()  # the first drop: the session is offline
    event_id, _ = core.request(
        rtagents.protocol.SessionUpdate(session={"type": "realtime"}), "session.updated"
    )
    assert core.disconnected() == [Resolve(event_id, None)]  # the new one drops: no reply


def test_a_live_core_releases_a_request_of_a_connection_that_dropped_unconfigured() -> None:
    core = live.LiveCore(lambda name, response_id: ToolTraits())
    core.disconnected()
    event_id, _ = core.request(rtagents.protocol.live.SessionUpdate(session={}), "session.updated")
    assert core.disconnected() == [Resolve(event_id, None)]
