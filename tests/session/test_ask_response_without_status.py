"""``session.ask`` reads "until the answer to that message is complete (... tool calls
followed through ...)". A response's ``status`` is optional (protocol reference:
``status?: 'completed' | 'cancelled' | 'failed' | 'incomplete' | 'in_progress'``; the openai
SDK's ``RealtimeResponse.status`` is ``Optional``), and ``Answer.ends`` takes every
``response.done`` whose status is not ``"completed"`` as the end (``asking.py``): a server
that leaves it out ends ``ask()`` at the response that only called a tool, before the
tool's result is answered, so ``ask`` returns without the answer.
"""

from __future__ import annotations

import anyio
import pytest

import rtagents

from .hostile import call_item, hostile_server, message_item

pytestmark = pytest.mark.anyio


@rtagents.tool
def lookup() -> str:
    """Look it up."""
    return "found"


async def test_ask_follows_a_tool_call_through_when_the_response_has_no_status() -> None:
    agent = rtagents.Agent(name="h", tools=[lookup])
    async with hostile_server() as server:
        with anyio.fail_after(10):
            async with rtagents.connect(agent, url=server.url) as session:
                answer = []

                async def asking() -> None:
                    answer.extend(await session.ask("Look it up."))

                async with anyio.create_task_group() as tg:
                    tg.start_soon(asking)
                    await server.wait_for(lambda e: e["type"] == "response.create")
                    item = call_item("lookup", {}, "c1")
                    await server.send(
                        {"type": "response.created", "response": {"id": "r1", "output": []}}
                    )
                    await server.output_item("done", item, response_id="r1")
                    # The same response.done, with its optional status left out.
                    await server.send(
                        {"type": "response.done", "response": {"id": "r1", "output": [item]}}
                    )
                    await server.output_for("c1")
                    # ask's own request, then the one the tool's output asks for.
                    await server.wait_for(lambda e: len(server.sent("response.create")) == 2)
                    reply = message_item("completed", "It is found.", item_id="msg_2")
                    await server.send(
                        {"type": "response.created", "response": {"id": "r2", "output": []}}
                    )
                    await server.output_item("done", reply, response_id="r2")
                    await server.send(
                        {
                            "type": "response.done",
                            "response": {"id": "r2", "status": "completed", "output": [reply]},
                        }
                    )
    done = [e.response.id for e in answer if e.type == "response.done"]
    assert done == ["r1", "r2"], f"ask() returned after {done}: the answer (r2) was not read"
