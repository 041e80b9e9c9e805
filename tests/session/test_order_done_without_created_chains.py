"""A response the server ends without ever sending its ``response.created`` (the Realtime API
does: ``response.done`` alone) while our ``response.create`` is in flight: it is the answer
to that request. When that answer is itself another tool call (a chain of calls, common),
the call runs and is answered, and its batch must be asked for too: one ``response.create``
per batch. Otherwise the session stalls with the model's call answered and no turn asked."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from tests.session.hostile import call_item, hostile_server

pytestmark = pytest.mark.anyio


@rtagents.tool
def lookup(key: str) -> str:
    """Look a key up."""
    return f"value of {key}"


async def test_a_chained_call_in_a_response_done_without_created_is_asked_for() -> None:
    async with hostile_server() as server:
        agent = rtagents.Agent(name="h", tools=[lookup])
        with anyio.fail_after(15):
            async with rtagents.connect(agent, url=server.url):
                await server.call("lookup", {"key": "a"}, "c1")
                assert await server.output_for("c1") == "value of a"
                await server.wait_for(lambda e: e["type"] == "response.create")
                # The answer to our request: another call, its response never "created".
                item = call_item("lookup", {"key": "b"}, "c2")
                await server.output_item("done", item, response_id="resp_2")
                await server.send(
                    {
                        "type": "response.done",
                        "response": {"id": "resp_2", "status": "completed", "output": [item]},
                    }
                )
                assert await server.output_for("c2") == "value of b"
                with anyio.move_on_after(3):
                    await server.wait_for(
                        lambda e: (
                            e["type"] == "response.create"
                            and e is not server.sent("response.create")[0]
                        )
                    )
                assert len(server.sent("response.create")) == 2


async def test_the_apps_next_turn_goes_after_an_answer_whose_created_never_came() -> None:
    """The same stall for the app: once the answer to our batch's request came without its
    ``response.created``, the app's own ``create_response`` (``send_text``) is held for ever."""
    async with hostile_server() as server:
        agent = rtagents.Agent(name="h", tools=[lookup], output_modalities=["text"])
        with anyio.fail_after(15):
            async with rtagents.connect(agent, url=server.url) as session:
                await server.call("lookup", {"key": "a"}, "c1")
                await server.wait_for(lambda e: e["type"] == "response.create")
                answer = {
                    "type": "message",
                    "role": "assistant",
                    "id": "msg_a",
                    "status": "completed",
                    "content": [{"type": "output_text", "text": "It is a."}],
                }
                await server.send(
                    {
                        "type": "response.done",
                        "response": {"id": "resp_2", "status": "completed", "output": [answer]},
                    }
                )
                await session.send_text("And b?")
                with anyio.move_on_after(3):
                    await server.wait_for(lambda e: len(server.sent("response.create")) == 2)
                assert len(server.sent("response.create")) == 2
