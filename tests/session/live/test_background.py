"""Background tools on GPT-Live: the delegated call is answered "started" in its batch; the
work's result is told with the means GPT-Live has, commentary (``session.commentary.append``,
which the model says itself: no ``response.create`` for it), held until the server
acknowledges it and sent again to an attached connection if it never did."""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.session.actions import ToolTraits
from rtagents.session.live import LiveCore

from .frames import frame, kinds, sent
from .server import live_server

pytestmark = pytest.mark.anyio


async def test_the_result_is_commentary_after_the_started_batch() -> None:
    gate = anyio.Event()

    @rtagents.tool(background=True)
    async def book(table: int) -> str:
        """Book a table."""
        await gate.wait()
        return f"table {table} booked"

    events: list[Any] = []
    agent = rtagents.Agent(name="host", tools=[book])
    async with live_server() as server:
        async with rtagents.connect(agent, url=server.url, api="live") as session:
            session.on("*")(events.append)
            await server.delegate_calls("del_1", "resp_1", ("call_b", "book", '{"table": 4}'))
            await server.expect("response.create")
            [output] = [e["item"] for e in server.of("response.item.create")]
            assert json.loads(output["output"]) == {"status": "started", "task": "call_b"}
            gate.set()
            [note] = await server.expect("session.commentary.append")
            # Frames arrive in order: a request for the note would have come before this.
            await session.thinking("marker")
            await server.expect("session.thinking.append")
    assert note["content"] == "The background task call_b (book) finished: table 4 booked"
    assert "delegation_id" not in note or note["delegation_id"] is None
    assert len(server.of("response.create")) == 1  # the started batch's only
    assert [e.type for e in events if e.type.startswith("background.")] == [
        "background.started",
        "background.completed",
    ]


def test_an_unacknowledged_result_goes_again_to_an_attached_connection() -> None:
    core = LiveCore(lambda name, response_id: {"book": ToolTraits()}.get(name))
    session = {"id": "live_1", "model": "gpt-live-1", "expires_at": 1, "status": "active"}
    core.receive_frame(frame("session.started", session=session))
    assert core.session_id == "live_1"  # a drop attaches to it again
    told = core.background_finished("call_b", "system", "booked", reply=True)
    assert kinds(core, told) == ["session.commentary.append"]  # no response.create
    for action in told:
        core.sent(action.event)
    core.disconnected()
    again = core.replay()
    assert sent(core, again) == sent(core, told)  # the same event, its id too
    ref = sent(core, told)[0]["event_id"]
    core.receive_frame(
        frame("session.commentary.appended", client_event_id=ref, start_ms=0, end_ms=10)
    )
    core.disconnected()
    assert core.replay() == []  # acknowledged: never again
