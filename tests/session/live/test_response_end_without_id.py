"""A delegated response's end whose snapshot has a null id still ends the response (the
adapter falls back to the delegation's response, ``response.id or self.response_of(...)``):
the batch's ``response.create`` must go once the outputs are in, not never."""

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


@pytest.mark.parametrize("snapshot", [{"id": None}, {}], ids=["id null", "id missing"])
async def test_a_completed_response_without_id_still_asks_for_the_answer(snapshot: dict) -> None:
    agent = rtagents.Agent(instructions="Be brief.", tools=[weather])
    async with live_server() as server:
        async with rtagents.connect(agent, url=server.url, api="live", reconnect=None) as session:
            delegation = {
                "type": "delegation",
                "id": "del_1",
                "target": "responses",
                "response_id": "resp_1",
            }
            await server.send("session.delegation.created", offset_ms=500, delegation=delegation)
            await server.stream(
                "del_1",
                "response.created",
                response={
                    "id": "resp_1",
                    "object": "response",
                    "status": "in_progress",
                    "output": [],
                },
            )
            item = {
                "type": "function_call",
                "id": "fc_1",
                "call_id": "call_1",
                "name": "weather",
                "arguments": '{"city": "Rome"}',
                "status": "completed",
            }
            await server.stream("del_1", "response.output_item.done", output_index=0, item=item)
            await server.stream(
                "del_1",
                "response.completed",
                response={**snapshot, "object": "response", "status": "completed", "output": []},
            )
            warnings: list[str] = []

            async def watch() -> None:
                async for event in session:
                    if event.type == "session.warning":
                        warnings.append(event.message)

            async with anyio.create_task_group() as tg:
                tg.start_soon(watch)
                await server.expect("response.item.create")
                with anyio.move_on_after(2):
                    await server.expect("response.create", within=2)
                tg.cancel_scope.cancel()
            assert len(server.of("response.create")) == 1, (
                f"no response.create; warnings: {warnings}"
            )


async def test_a_response_without_id_from_start_to_end_still_asks_for_the_answer() -> None:
    """No id anywhere: not in the delegation, nor in the response's start or end. The
    delegation's events are one response all the same, and its batch is answered once."""
    agent = rtagents.Agent(instructions="Be brief.", tools=[weather])
    async with live_server() as server:
        async with rtagents.connect(agent, url=server.url, api="live", reconnect=None):
            delegation = {"type": "delegation", "id": "del_1", "target": "responses"}
            await server.send("session.delegation.created", offset_ms=500, delegation=delegation)
            snapshot = {"id": None, "object": "response", "output": []}
            await server.stream(
                "del_1", "response.created", response={**snapshot, "status": "in_progress"}
            )
            item = {
                "type": "function_call",
                "id": "fc_1",
                "call_id": "call_1",
                "name": "weather",
                "arguments": '{"city": "Rome"}',
                "status": "completed",
            }
            await server.stream("del_1", "response.output_item.done", output_index=0, item=item)
            await server.stream(
                "del_1", "response.completed", response={**snapshot, "status": "completed"}
            )
            await server.expect("response.item.create")
            await server.expect("response.create", within=2)
            await anyio.sleep(0.2)
            assert len(server.of("response.create")) == 1
