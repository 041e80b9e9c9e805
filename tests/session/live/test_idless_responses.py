"""A GPT-Live delegated response with no id is named after its delegation and counted
(``f"{delegation_id}#{n}"``), so each id-less response of one delegation has a name of its own.
Here two delegated responses of one delegation have no id: the first makes a call, and the
second, asked for by the batch's ``response.create``, makes another. Under one shared name, the
second's end would be taken as "ended already" (its name is among the responses ended), and its
batch would never be answered."""

from __future__ import annotations

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


async def test_a_second_idless_response_of_the_delegation_is_answered() -> None:
    agent = rtagents.Agent(instructions="Be brief.", tools=[weather])
    async with live_server() as server:
        async with rtagents.connect(agent, url=server.url, api="live", reconnect=None):
            delegation = {"type": "delegation", "id": "del_1", "target": "responses"}
            await server.send("session.delegation.created", offset_ms=500, delegation=delegation)
            snapshot = {"id": None, "object": "response", "output": []}
            for n, city in ((1, "Rome"), (2, "Oslo")):
                await server.stream(
                    "del_1", "response.created", response={**snapshot, "status": "in_progress"}
                )
                await server.stream(
                    "del_1", "response.output_item.done", output_index=0, item=_call(n, city)
                )
                await server.stream(
                    "del_1", "response.completed", response={**snapshot, "status": "completed"}
                )
                await server.expect("response.item.create", count=n)
                # Each batch is answered by one response.create once its output is in.
                await server.expect("response.create", count=n, within=3)
