"""The batch's ``response.create`` was read: the server started the answer, its events naming
the request (``client_event_id``). The connection drops while that answer streams; the
session attaches again (``.../live_1/attach``). GPT-Live's answer goes on (docs/tracing.md: "a
backend response under way may have gone on there while its end went unseen"): a second
request is refused as busy, and the answer ends, still naming the first request.

docs/live.md: exactly one request for the next turn per batch of calls; "A server event
that names the request shows it was read: a response it started (its events'
``client_event_id``)". The session instead asks a third time once that answer has ended
(``Orchestrator``/``Batches``: the busy refusal of the request sent again re-arms the ask,
and the end of the response that names the first request does not count as the batch's
answer), so the backend answers the same batch twice.

Real parts: a scripted GPT-Live server on a loopback socket, ``rtagents.connect``."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import Reconnect
from tests.session.live.frames import BUSY
from tests.session.live.server import LiveServer, live_server

pytestmark = pytest.mark.anyio
FAST = Reconnect(backoff=0.01, max_backoff=0.05)


@rtagents.tool
def lookup(order: int) -> str:
    """Look an order up."""
    return f"order {order} ships tomorrow"


def snapshot(rid: str, status: str) -> dict[str, Any]:
    return {"id": rid, "object": "response", "status": status, "output": []}


async def answer_event(server: LiveServer, ref: str, kind: str, **fields: Any) -> None:
    """One event of the answer to our request ``ref`` (it names it)."""
    inner = {"type": kind, "sequence_number": 1, **fields}
    await server.send("response.event", delegation_id="del_1", client_event_id=ref, event=inner)


async def test_the_answer_that_names_the_request_ends_the_batch_after_a_drop() -> None:
    agent = rtagents.Agent(name="desk", tools=[lookup])
    async with live_server() as server:
        async with rtagents.connect(agent, url=server.url, api="live", reconnect=FAST):
            await server.delegate_calls("del_1", "resp_1", ("call_a", "lookup", '{"order": 7}'))
            [ask] = await server.expect("response.create")
            first = ask["event_id"]
            # The server read it: the answer starts, naming the request.
            await answer_event(
                server, first, "response.created", response=snapshot("resp_2", "in_progress")
            )
            await anyio.sleep(0.1)
            await server.drop()
            # The session attaches to live_1 and configures it.
            [update] = await server.expect("session.update")
            assert server.path.endswith("/live_1/attach")
            await server.send(
                "session.updated",
                client_event_id=update["event_id"],
                session={"id": "live_1", "status": "active", **server.session},
            )
            # A request sent again meanwhile is refused: the answer still streams.
            with anyio.move_on_after(1):
                again = await server.expect("response.create", 2)
                ref = again[-1]["event_id"]
                error = {
                    "type": "invalid_request_error",
                    "code": BUSY,
                    "message": "Conversation already has an active response in progress",
                    "client_event_id": ref,
                }
                await server.send("error", error=error)
            before = len(server.of("response.create"))
            # The answer goes on and ends, naming the batch's request.
            message = {
                "type": "message",
                "id": "msg_2",
                "role": "assistant",
                "status": "completed",
                "content": [{"type": "output_text", "text": "It ships.", "annotations": []}],
            }
            await answer_event(
                server, first, "response.output_item.done", output_index=0, item=message
            )
            await answer_event(
                server, first, "response.completed", response=snapshot("resp_2", "completed")
            )
            await anyio.sleep(1)
            asks = [e["event_id"] for e in server.of("response.create")]
    assert len(asks) == before, (
        f"the batch's answer (naming {first}) ended, and the session asked again: {asks}"
    )
