"""GPT-Live: a backend response whose first event on this connection is its end (it began,
and ran, before an attach; or the server left out all but its end) has its span too.

docs/tracing.md (7c43a91): "A backend response's span begins with its ``response.created``,
or, for one whose ``response.created`` never came (it began before an attach, or the server
left it out), with its first event, as the session begins it"; "the tool calls of a response
are children of that response's span"; a delegation's span "ends when its last backend
response ends". The session begins and ends such a response on its one event (and runs the
calls its snapshot lists). The tracer runs after the session: it asks the session which
response is under way (``response_under_way``), which by then is none, so no span is made:
the snapshot's call's ``execute_tool`` hangs off the session's root, and a delegation whose
one response was told only by its end keeps its span open until the session ends."""

from __future__ import annotations

import anyio
import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import rtagents
from tests.session.live.frames import call_item, snapshot
from tests.session.live.server import live_server, lookup

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]
DELEGATION = {"type": "delegation", "id": "del_1", "target": "responses"}


def parent_of(span: ReadableSpan) -> int | None:
    return span.parent.span_id if span.parent is not None else None


async def test_a_call_listed_only_in_its_responses_end_is_under_that_response(
    spans: InMemorySpanExporter,
) -> None:
    agent = rtagents.Agent(name="concierge", tools=[lookup])
    async with live_server() as server:
        async with rtagents.connect(agent, url=server.url, api="live", reconnect=None):
            await server.expect("session.start")
            await server.send("session.delegation.created", offset_ms=500, delegation=DELEGATION)
            item = call_item("call_1", "lookup", '{"x": "y"}')
            await server.stream(
                "del_1",
                "response.completed",
                response=snapshot("resp_1", "completed", output=[item]),
            )
            [output] = await server.expect("response.item.create")
            assert output["item"]["output"] == "found y"  # the session ran it
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
            with anyio.fail_after(5):  # resp_2's span ends as it does
                while not any(
                    s.attributes.get("gen_ai.response.id") == "resp_2"
                    for s in spans.get_finished_spans()
                ):
                    await anyio.sleep(0.02)
    finished = list(spans.get_finished_spans())
    root = next(s for s in finished if s.name == "invoke_agent concierge")
    [tool] = [s for s in finished if s.name == "execute_tool lookup"]
    backend = {
        s.attributes.get("gen_ai.response.id"): s
        for s in finished
        if s.name.startswith("responses_inference ")
    }
    assert "resp_1" in backend, sorted(backend)  # observed: ['resp_2'] only
    assert parent_of(tool) == backend["resp_1"].context.span_id
    assert parent_of(tool) != root.context.span_id


async def test_a_delegation_whose_response_is_seen_only_by_its_end_ends_with_it(
    spans: InMemorySpanExporter,
) -> None:
    agent = rtagents.Agent(name="concierge", tools=[lookup])
    async with live_server() as server:
        async with rtagents.connect(agent, url=server.url, api="live", reconnect=None):
            await server.expect("session.start")
            await server.send("session.delegation.created", offset_ms=500, delegation=DELEGATION)
            message = {
                "type": "message",
                "id": "msg_1",
                "role": "assistant",
                "status": "completed",
                "content": [{"type": "output_text", "text": "done", "annotations": []}],
            }
            await server.stream(
                "del_1",
                "response.completed",
                response=snapshot("resp_1", "completed", output=[message]),
            )
            # Its span ends with its response, before the session's (bounded wait).
            with anyio.move_on_after(3):
                while not any(s.name == "delegation" for s in spans.get_finished_spans()):
                    await anyio.sleep(0.02)
            ended_before_the_session = [s.name for s in spans.get_finished_spans()]
    assert "delegation" in ended_before_the_session, ended_before_the_session  # observed: not
    backend = [s for s in spans.get_finished_spans() if s.name.startswith("responses_inference ")]
    assert [s.attributes.get("gen_ai.response.id") for s in backend] == ["resp_1"]  # observed: []


async def test_a_call_cut_off_with_its_response_does_not_keep_the_delegation_open(
    spans: InMemorySpanExporter,
) -> None:
    """The response began a call (``output_item.added``, in progress) and ended incomplete,
    the call cut off: the session runs no such call and owes it no output, so no response
    carries the delegation on; its span ends with that response, not with the session."""
    agent = rtagents.Agent(name="concierge", tools=[lookup])
    async with live_server() as server:
        async with rtagents.connect(agent, url=server.url, api="live", reconnect=None):
            await server.expect("session.start")
            await server.send("session.delegation.created", offset_ms=500, delegation=DELEGATION)
            await server.stream(
                "del_1", "response.created", response=snapshot("resp_1", "in_progress")
            )
            cut = call_item("call_1", "lookup", '{"x": ', status="in_progress")
            await server.stream("del_1", "response.output_item.added", output_index=0, item=cut)
            ended = snapshot(
                "resp_1",
                "incomplete",
                output=[{**cut, "status": "incomplete"}],
                incomplete_details={"reason": "max_output_tokens"},
            )
            await server.stream("del_1", "response.incomplete", response=ended)
            with anyio.fail_after(5):
                while not any(s.name == "delegation" for s in spans.get_finished_spans()):
                    await anyio.sleep(0.01)
            assert not server.of("response.create")  # (the session asked for nothing more)
