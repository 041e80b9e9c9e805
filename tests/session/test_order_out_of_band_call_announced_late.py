"""An out-of-band response's function call (the app's ``create_response(conversation=
"none")``: a classification beside the conversation) is the app's: docs/tools.md, "rtagents
runs nothing for it and sends nothing". The server may announce a call after its response's
``response.done`` (a real order: tests/session/test_call_announced_after_its_response_done_
asks_nothing.py). Announced so, the out-of-band call is taken for one of the conversation:
the tool runs, its output goes into the conversation (where no such call is) and a
``response.create`` asks the model to answer it: a turn nobody asked for."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from tests.session.hostile import call_item, hostile_server

pytestmark = pytest.mark.anyio

ran: list[str] = []


@rtagents.tool
def classify(label: str) -> str:
    """Record the conversation's label."""
    ran.append(label)
    return "ok"


@pytest.mark.parametrize("late", ["response.output_item.done", "arguments.done"])
async def test_an_out_of_band_call_announced_after_its_done_runs_nothing(late: str) -> None:
    ran.clear()
    agent = rtagents.Agent(name="h", tools=[classify], output_modalities=["text"])
    async with hostile_server() as server:
        with anyio.fail_after(15):
            async with rtagents.connect(agent, url=server.url) as session:
                await session.create_response(conversation="none", instructions="Classify.")
                await server.wait_for(lambda e: e["type"] == "response.create")
                oob = {"id": "resp_oob", "conversation_id": None, "output": []}
                await server.send(
                    {"type": "response.created", "response": {**oob, "status": "in_progress"}}
                )
                item = call_item("classify", {"label": "billing"}, "c_oob")
                await server.send(
                    {
                        "type": "response.done",
                        "response": {**oob, "status": "completed", "output": [item]},
                    }
                )
                if late == "response.output_item.done":
                    await server.output_item("done", item, response_id="resp_oob")
                else:
                    await server.send(
                        {
                            "type": "response.function_call_arguments.done",
                            "response_id": "resp_oob",
                            "item_id": item["id"],
                            "output_index": 0,
                            "call_id": "c_oob",
                            "name": "classify",
                            "arguments": item["arguments"],
                        }
                    )
                with anyio.move_on_after(2):
                    await server.output_for("c_oob")
                assert server.outputs("c_oob") == []
                assert ran == []
                assert len(server.sent("response.create")) == 1  # the app's own only
