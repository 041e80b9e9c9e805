"""A server event without its ``event_id`` (it only names the event) still does what it
says: a ``response.done`` that lacks one ends its response, and its batch is asked for,
where the whole frame was dropped as unreadable and the turn stalled. The session warns
that the id was left out."""

from __future__ import annotations

import json

import anyio
import pytest

import rtagents
from tests.session.hostile import call_item, hostile_server

pytestmark = pytest.mark.anyio


@rtagents.tool
def lookup(key: str) -> str:
    """Look a key up."""
    return f"value of {key}"


async def test_a_response_done_without_an_event_id_still_ends_its_turn() -> None:
    async with hostile_server() as server:
        agent = rtagents.Agent(name="h", tools=[lookup])
        with anyio.fail_after(15):
            async with rtagents.connect(agent, url=server.url) as session:
                warnings: list[str] = []
                session.on("session.warning")(lambda e: warnings.append(e.message))
                await server.call("lookup", {"key": "k"}, "c1", response_id="resp_1", done=False)
                item = call_item("lookup", {"key": "k"}, "c1")
                done = {"type": "response.done", "response": {"id": "resp_1", "output": [item]}}
                await server.send(json.dumps(done))  # (a str: sent as it is, no event_id)
                assert await server.output_for("c1") == "value of k"
                await server.wait_for(lambda e: e["type"] == "response.create")
    assert len(server.sent("response.create")) == 1
    assert any("event_id" in w for w in warnings), warnings
