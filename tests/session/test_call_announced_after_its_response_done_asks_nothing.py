"""A function call the server announces after its response's ``response.done`` (the done
came first and listed nothing; then ``response.output_item.done`` or
``response.function_call_arguments.done`` for that response) is run and its output sent, but
its batch is never asked for: the response is over, yet no ``response.create`` ever goes.
The rule is exactly one ``response.create`` per batch of calls, once its response is done
and every call has its output; a call the server announces late is still a call of a
response that is done."""

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


@pytest.mark.parametrize("late", ["response.output_item.done", "arguments.done"])
async def test_a_call_announced_after_response_done_is_asked_for_once(late: str) -> None:
    async with hostile_server() as server:
        agent = rtagents.Agent(name="h", tools=[lookup])
        with anyio.fail_after(15):
            async with rtagents.connect(agent, url=server.url):
                await server.send(
                    {
                        "type": "response.created",
                        "response": {"id": "resp_1", "status": "in_progress", "output": []},
                    }
                )
                await server.send(
                    {
                        "type": "response.done",
                        "response": {"id": "resp_1", "status": "completed", "output": []},
                    }
                )
                item = call_item("lookup", {"key": "k"}, "c1")
                if late == "response.output_item.done":
                    await server.send(
                        {
                            "type": "response.output_item.done",
                            "response_id": "resp_1",
                            "output_index": 0,
                            "item": item,
                        }
                    )
                else:
                    await server.send(
                        {
                            "type": "response.function_call_arguments.done",
                            "response_id": "resp_1",
                            "item_id": "item_c1",
                            "output_index": 0,
                            "call_id": "c1",
                            "name": "lookup",
                            "arguments": '{"key": "k"}',
                        }
                    )
                assert await server.output_for("c1") == "value of k"  # it ran, and was answered
                with anyio.move_on_after(3):
                    await server.wait_for(lambda e: e["type"] == "response.create")
                assert len(server.sent("response.create")) == 1
