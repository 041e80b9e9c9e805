"""GPT-Live: the backend's follow-up (the answer to our batch's ``response.create``) whose
``response.created`` this connection never gets, and whose events do not name our request
(no ``client_event_id``, docs/live.md: "With a server that has never named one"). The
follow-up makes another call: the call runs once, and its batch gets its one
``response.create``, or the delegated turn waits for ever."""

from __future__ import annotations

import anyio
import pytest

import rtagents
from tests.session.live.server import live_server

pytestmark = pytest.mark.anyio


@rtagents.tool
async def weather(city: str) -> str:
    """The weather in a city."""
    return f"21 degrees in {city}"


def _call(n: int, city: str) -> dict:
    return {
        "type": "function_call",
        "id": f"fc_{n}",
        "call_id": f"call_{n}",
        "name": "weather",
        "arguments": f'{{"city": "{city}"}}',
        "status": "completed",
    }


async def test_a_followup_begun_unseen_and_unnamed_gets_its_batch_asked() -> None:
    agent = rtagents.Agent(instructions="Be brief.", tools=[weather])
    async with live_server() as server:
        with anyio.fail_after(15):
            async with rtagents.connect(agent, url=server.url, api="live", reconnect=None):
                await server.delegate_calls(
                    "del_1", "resp_1", ("call_1", "weather", '{"city": "Rome"}')
                )
                await server.expect("response.create", count=1)
                # The follow-up: no response.created, no client_event_id.
                await server.stream(
                    "del_1", "response.output_item.done", output_index=0, item=_call(2, "Oslo")
                )
                snapshot = {"id": "resp_2", "object": "response", "output": [_call(2, "Oslo")]}
                await server.stream(
                    "del_1", "response.completed", response={**snapshot, "status": "completed"}
                )
                await server.expect("response.item.create", count=2)
                outputs = [
                    e["item"]["call_id"]
                    for e in server.of("response.item.create")
                    if e["item"]["type"] == "function_call_output"
                ]
                assert outputs == ["call_1", "call_2"]
                with anyio.move_on_after(3):
                    await server.expect("response.create", count=2, within=3)
                assert len(server.of("response.create")) == 2
