"""A refusal of the app's own ``create_response`` (a bad parameter, not a busy race) must
give up the app's request only. Today ``Orchestrator.refused`` calls ``Batches.give_up()``
for any non-busy refusal of the request in flight, and so forgets every tool output still
waiting for its answer: a call that finished while the app's request was in flight is never
answered by the model (no ``response.create`` is ever sent for its batch).

Right behaviour: the tool's batch still gets its one ``response.create`` once the app's
request has been refused."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from rtagents.session.actions import AskResponse, ToolTraits
from rtagents.session.orchestrator import Orchestrator
from tests.session.hostile import hostile_server

pytestmark = pytest.mark.anyio


def test_sans_io_a_refused_app_request_leaves_the_batch_owed() -> None:
    o = Orchestrator(lambda name, rid: ToolTraits(), "e")
    o.response_started("r1", in_conversation=True)
    o.call_arrived("c1", "slow", "{}", "r1", "item_c1")
    o.response_ended("r1")  # c1 still runs
    [app] = o.app_asked({"instructions": "say hi"})  # goes out: nothing active
    assert isinstance(app, AskResponse)
    o.call_finished("c1", "done")  # waits: the app's request is in flight
    decided = o.refused(app.ref, message="bad", code="invalid_value")
    asks = [d for d in decided if isinstance(d, AskResponse)]
    # Right: c1's output is still owed its answer.
    assert [a.call_ids for a in asks] == [("c1",)], decided


async def test_a_refused_app_request_does_not_swallow_a_tool_batch() -> None:
    release = anyio.Event()

    @rtagents.tool
    async def slow() -> str:
        """Slow work."""
        await release.wait()
        return "done"

    agent = rtagents.Agent(name="h", tools=[slow])
    async with hostile_server() as server:
        async with rtagents.connect(agent, url=server.url, reconnect=None) as session:
            await server.call("slow", {}, "c1")  # response r done; c1 runs
            await anyio.sleep(0.2)  # the client has read the response's end
            await session.create_response()  # the app's own request goes out now
            app = await server.wait_for(lambda e: e["type"] == "response.create")
            release.set()
            assert await server.output_for("c1") == "done"
            await anyio.sleep(0.1)  # the output is out while the app's request is in flight
            await server.send(
                {
                    "type": "error",
                    "error": {
                        "type": "invalid_request_error",
                        "code": "invalid_value",
                        "message": "Invalid value for 'voice'.",
                        "param": "response.voice",
                        "event_id": app["event_id"],
                    },
                }
            )
            await anyio.sleep(0.5)
            creates = server.sent("response.create")
            # Right: a second response.create answers c1's output.
            assert len(creates) == 2, f"only the app's refused request was sent: {creates}"
