"""GPT-Live: a delegated response whose ``response.created`` this connection never saw (it
began before an attach, or the server left it out), for a delegation announced without a
``response_id``. Its calls' inner events carry no response id: taken for the response
created last (an earlier, finished one), then listed by its ``response.completed`` under its
own id, the one call was answered twice (its output and an "already used" error), and its
batch never got its ``response.create``. The delegation's response begins with its first
event: every call is answered exactly once, one ``response.create`` per batch."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import anyio
import pytest
from websockets.asyncio.server import ServerConnection, serve

import rtagents

pytestmark = pytest.mark.anyio


@rtagents.tool
def lookup(key: str) -> str:
    """Look a key up."""
    return f"value of {key}"


def _item(call_id: str) -> dict[str, Any]:
    return {
        "id": f"fc_{call_id}",
        "type": "function_call",
        "status": "completed",
        "name": "lookup",
        "call_id": call_id,
        "arguments": json.dumps({"key": call_id}),
    }


def _turn(call_id: str, delegation_id: str, response_id: str, *, created: bool) -> list[Any]:
    item = _item(call_id)
    response = {"id": response_id, "object": "response", "status": "in_progress", "output": []}
    inner: list[dict[str, Any]] = []
    if created:
        inner.append({"type": "response.created", "sequence_number": 0, "response": response})
    inner += [
        {
            "type": "response.output_item.added",
            "sequence_number": 1,
            "output_index": 0,
            "item": {**item, "status": "in_progress", "arguments": ""},
        },
        {
            "type": "response.output_item.done",
            "sequence_number": 2,
            "output_index": 0,
            "item": item,
        },
        {
            "type": "response.completed",
            "sequence_number": 3,
            "response": {**response, "status": "completed", "output": [item]},
        },
    ]
    delegation: dict[str, Any] = {"type": "delegation", "id": delegation_id, "target": "responses"}
    if created:
        delegation["response_id"] = response_id
    return [{"type": "session.delegation.created", "offset_ms": 1, "delegation": delegation}] + [
        {"type": "response.event", "delegation_id": delegation_id, "event": e} for e in inner
    ]


async def test_a_call_of_a_response_never_seen_created_is_answered_once() -> None:
    received: list[dict[str, Any]] = []
    n = 0

    async def send(ws: ServerConnection, event: dict[str, Any]) -> None:
        nonlocal n
        n += 1
        await ws.send(json.dumps({"event_id": f"evt_{n}", **event}))

    async def handle(ws: ServerConnection) -> None:
        try:
            async for raw in ws:
                event = json.loads(raw)
                received.append(event)
                if event["type"] == "session.start":
                    session = {**event["session"], "id": "live_1", "status": "active"}
                    await send(ws, {"type": "session.started", "session": session})
                    for frame in _turn("c1", "del_1", "resp_1", created=True):
                        await send(ws, frame)
                elif (
                    event["type"] == "response.create"
                    and not [e for e in received if e["type"] == "response.create"][1:]
                ):
                    await asyncio.sleep(0.1)
                    for frame in _turn("c2", "del_2", "resp_2", created=False):
                        await send(ws, frame)
        except Exception:
            pass

    def outputs(call_id: str) -> list[str]:
        return [
            e["item"]["output"]
            for e in received
            if e["type"] == "response.item.create"
            and e["item"].get("type") == "function_call_output"
            and e["item"].get("call_id") == call_id
        ]

    async with serve(handle, "127.0.0.1", 0) as ws_server:
        port = next(iter(ws_server.sockets)).getsockname()[1]
        url = f"ws://127.0.0.1:{port}/v1/live/sessions"
        agent = rtagents.Agent(name="h", tools=[lookup])
        with anyio.fail_after(15):
            async with rtagents.connect(agent, url=url, api="live"):
                while not outputs("c2"):
                    await anyio.sleep(0.05)
                await anyio.sleep(1)  # time for a second output, and for the batch's request
    assert outputs("c1") == ["value of c1"]
    assert outputs("c2") == ["value of c2"], outputs("c2")
    assert len([e for e in received if e["type"] == "response.create"]) == 2
