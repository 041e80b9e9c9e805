"""GPT-Live: a backend response the attached connection carries on past a drop has one
``responses_inference`` span, under its delegation.

docs/tracing.md: "A backend response's span begins with its ``response.created``, or, for one
whose ``response.created`` never came (...), with its first event, as the session begins
it"; tracing/live.py: the spans of responses under way at a drop "end at the reattach,
unfailed". Since 7c43a91 every event of a delegation whose response the tracer has no open
span for opens one, keyed by the session's name for it (``response_under_way``). The
session reopens a carried response under its own id (``DelegatedWork._reopen``): the first
event of it after ``session.reconnected`` opens a second span for the same response (its
first one was ended by the reattach), parented to the session's root (the reattach ended its
delegation's span too), with model ``unknown``. Before 7c43a91 it had one span."""

from __future__ import annotations

import anyio
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import rtagents
from rtagents import Reconnect
from tests.session.live.frames import call_item, snapshot
from tests.session.live.server import live_server, lookup

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]


async def test_a_response_carried_on_after_the_reattach_has_one_span(
    spans: InMemorySpanExporter,
) -> None:
    agent = rtagents.Agent(name="concierge", tools=[lookup])
    fast = Reconnect(backoff=0.01, max_backoff=0.05)
    async with live_server() as server:
        async with rtagents.connect(agent, url=server.url, api="live", reconnect=fast) as session:
            await server.expect("session.start")
            delegation = {
                "type": "delegation",
                "id": "del_1",
                "target": "responses",
                "response_id": "resp_1",
            }
            await server.send("session.delegation.created", offset_ms=500, delegation=delegation)
            await server.stream(
                "del_1", "response.created", response=snapshot("resp_1", "in_progress")
            )
            with anyio.fail_after(5):
                async for event in session:
                    if event.type == "response.event":
                        break
                else:
                    pytest.fail("the session ended before the response began")
            await server.drop()  # resp_1 goes on on the server
            [update] = await server.expect("session.update")
            await server.send(
                "session.updated",
                client_event_id=update["event_id"],
                session={"id": "live_1", "status": "active", **server.session},
            )
            with anyio.fail_after(5):
                async for event in session:
                    if event.type == "session.reconnected":
                        break
                else:
                    pytest.fail("the session ended before it attached again")
            # The attached connection carries resp_1 on: its call, then its end.
            item = call_item("call_1", "lookup", '{"x": "y"}')
            await server.stream("del_1", "response.output_item.done", output_index=0, item=item)
            await server.stream(
                "del_1", "response.completed", response=snapshot("resp_1", "completed")
            )
            await server.expect("response.item.create")  # the session ran it
    finished = list(spans.get_finished_spans())
    of_resp_1 = [
        s
        for s in finished
        if s.name.startswith("responses_inference ")
        and s.attributes.get("gen_ai.response.id") == "resp_1"
    ]
    # Observed: 2 (the first ended at the reattach, a second opened by its next event, a
    # child of the session's root, model "unknown").
    assert len(of_resp_1) == 1, [
        (s.name, s.parent.span_id if s.parent else None) for s in of_resp_1
    ]
