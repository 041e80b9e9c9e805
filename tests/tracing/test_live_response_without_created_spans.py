"""docs/live.md: "A delegation announced without its `response_id` whose `response.created`
never comes (it began before an attach, or the server left it out) has its response begin
with its first event, and the end that names its id ends that one". The session runs such a
response's calls and answers its batch. docs/tracing.md (On GPT-Live): each response of the
backend gets a ``responses_inference`` span under its delegation, and "the tool calls of a
response are children of that response's span"; a delegation's span ends when its last
backend response ends.

``tracing.live.LiveSpans`` opens a backend response's span only at its ``response.created``:
a response begun without one has no span, its call's ``execute_tool`` hangs off the session's
root (out of its delegation), and the delegation's span, whose response never began for it,
stays open until the session ends."""

from __future__ import annotations

import anyio
import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import rtagents
from tests.session.live.frames import call_item, snapshot
from tests.session.live.server import live_server

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]


@rtagents.tool
async def weather(city: str) -> str:
    """The weather in a city."""
    return f"21 degrees in {city}"


def parent_of(span: ReadableSpan) -> int | None:
    return span.parent.span_id if span.parent is not None else None


async def test_a_response_begun_without_its_created_has_its_spans(
    spans: InMemorySpanExporter,
) -> None:
    agent = rtagents.Agent(name="concierge", tools=[weather])
    async with live_server() as server:
        async with rtagents.connect(agent, url=server.url, api="live", reconnect=None):
            await server.expect("session.start")
            delegation = {"type": "delegation", "id": "del_1", "target": "responses"}
            await server.send("session.delegation.created", offset_ms=500, delegation=delegation)
            item = call_item("call_1", "weather", '{"city": "Rome"}')
            # No response.created: the stream begins with its call.
            await server.stream("del_1", "response.output_item.done", output_index=0, item=item)
            await server.stream(
                "del_1", "response.completed", response=snapshot("resp_1", "completed")
            )
            [output] = await server.expect("response.item.create")
            assert output["item"]["output"] == "21 degrees in Rome"  # the session ran it
            [ask] = await server.expect("response.create")
            await server.stream(
                "del_1",
                "response.created",
                ask["event_id"],
                response=snapshot("resp_2", "in_progress"),
            )
            await server.stream(
                "del_1",
                "response.completed",
                ask["event_id"],
                response=snapshot("resp_2", "completed"),
            )
    finished = list(spans.get_finished_spans())
    root = next(s for s in finished if s.name == "invoke_agent concierge")
    [delegation] = [s for s in finished if s.name == "delegation"]
    [tool] = [s for s in finished if s.name == "execute_tool weather"]
    backend = {
        s.attributes["gen_ai.response.id"]: s
        for s in finished
        if s.name.startswith("responses_inference ")
    }
    # The call is in its delegation's subtree, not a child of the session's root.
    assert parent_of(tool) != root.context.span_id
    assert "resp_1" in backend
    assert parent_of(tool) == backend["resp_1"].context.span_id
    assert parent_of(backend["resp_1"]) == delegation.context.span_id


async def test_idless_responses_have_their_spans_under_their_delegation(
    spans: InMemorySpanExporter,
) -> None:
    """Two responses of one delegation with ``"id": null`` (the session names them): each
    has its span under the delegation, with its call's span under it, and the delegation's
    span ends with the last of them, not with the session."""
    agent = rtagents.Agent(name="concierge", tools=[weather])
    async with live_server() as server:
        async with rtagents.connect(agent, url=server.url, api="live", reconnect=None):
            await server.expect("session.start")
            delegation = {"type": "delegation", "id": "del_1", "target": "responses"}
            await server.send("session.delegation.created", offset_ms=500, delegation=delegation)
            idless = {"id": None, "object": "response", "output": []}
            for n, city in ((1, "Rome"), (2, "Oslo")):
                await server.stream(
                    "del_1", "response.created", response={**idless, "status": "in_progress"}
                )
                item = call_item(f"call_{n}", "weather", f'{{"city": "{city}"}}')
                await server.stream("del_1", "response.output_item.done", output_index=0, item=item)
                await server.stream(
                    "del_1", "response.completed", response={**idless, "status": "completed"}
                )
                await server.expect("response.item.create", count=n)
                await server.expect("response.create", count=n, within=3)
            await server.stream(
                "del_1", "response.created", response={**idless, "status": "in_progress"}
            )
            await server.stream(
                "del_1", "response.completed", response={**idless, "status": "completed"}
            )
            # The delegation's span ends with its last response, before the session does.
            with anyio.fail_after(5):
                while not any(s.name == "delegation" for s in spans.get_finished_spans()):
                    await anyio.sleep(0.01)
    finished = list(spans.get_finished_spans())
    [delegation] = [s for s in finished if s.name == "delegation"]
    backend = [s for s in finished if s.name.startswith("responses_inference ")]
    tools = [s for s in finished if s.name == "execute_tool weather"]
    assert len(backend) == 3 and len(tools) == 2
    assert {parent_of(b) for b in backend} == {delegation.context.span_id}
    assert {parent_of(t) for t in tools} <= {b.context.span_id for b in backend}
    assert len({parent_of(t) for t in tools}) == 2  # each under its own response
