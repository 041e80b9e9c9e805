"""Spans across a dropped connection: what was under way on it ends at the drop (Realtime: a
new server session), or goes on (GPT-Live: the same session, attached again); none stays open
past what it measures; the session's span keeps the first server session's id."""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

import rtagents
from rtagents.emulator import CallFunction, DropConnection, Emulator, ModelContext, ScriptedModel
from rtagents.protocol import live as lp
from rtagents.protocol.codec import decode_server_event
from rtagents.session.events import SessionReconnected, SessionReconnecting
from rtagents.tracing.observer import SessionTracer
from tests.session.live.harness import speak, spoken, until

pytestmark = pytest.mark.anyio
DROP = SessionReconnecting(1, 0.01, "the server closed the connection (code 1011)")


def server(kind: str, **fields: Any) -> Any:
    return decode_server_event(json.dumps({"type": kind, "event_id": "e", **fields}))


def reconnected(session_id: str | None) -> SessionReconnected:
    return SessionReconnected(session_id, 0, 1, 0.1)


def one(spans: list[ReadableSpan], name: str) -> ReadableSpan:
    [span] = [s for s in spans if s.name == name]
    return span


def inner(delegation_id: str | None, kind: str, **fields: Any) -> lp.ResponseEvent:
    return lp.ResponseEvent(
        event_id="e", event={"type": kind, **fields}, delegation_id=delegation_id
    )


def delegated(delegation_id: str, rid: str) -> lp.DelegationCreated:
    info = lp.DelegationInfo(id=delegation_id, target="responses", response_id=rid)
    return lp.DelegationCreated(event_id="e", delegation=info, offset_ms=1)


MCP_CALL = {"type": "mcp_call", "id": "mcp_1", "name": "crawl", "server_label": "web"}


# -- Realtime ------------------------------------------------------------------------------------


def test_a_hosted_call_in_flight_at_a_drop_ends_with_its_response(
    spans: InMemorySpanExporter,
) -> None:
    tracer = SessionTracer("a", "gpt-realtime", capture_content=False)
    tracer.observe(server("response.created", response={"id": "r1", "object": "realtime.response"}))
    call = {**MCP_CALL, "arguments": "{}"}
    tracer.observe(
        server("response.output_item.added", response_id="r1", output_index=0, item=call)
    )
    tracer.observe(DROP)
    ended = list(spans.get_finished_spans())  # at the drop, not at the session's end
    hosted = one(ended, "execute_tool crawl")
    response = one(ended, "realtime_inference gpt-realtime")
    assert hosted.status.status_code is StatusCode.ERROR
    assert hosted.attributes["error.type"] == "disconnected"
    assert hosted.parent is not None and hosted.parent.span_id == response.context.span_id
    tracer.end("closed", error=False)


def test_a_hosted_call_whose_done_never_came_ends_with_response_done(
    spans: InMemorySpanExporter,
) -> None:
    """``response.done`` lists the call (its ``output_item.done`` never came): the call's
    span ends there, with what the listing says, not at the session's end."""
    tracer = SessionTracer("a", "gpt-realtime", capture_content=False)
    tracer.observe(server("response.created", response={"id": "r1", "object": "realtime.response"}))
    call = {**MCP_CALL, "arguments": "{}"}
    tracer.observe(
        server("response.output_item.added", response_id="r1", output_index=0, item=call)
    )
    error = {"type": "http_error", "code": 500, "message": "the server failed"}
    listed = {**call, "error": error}
    done = {"id": "r1", "object": "realtime.response", "status": "completed", "output": [listed]}
    tracer.observe(server("response.done", response=done))
    ended = list(spans.get_finished_spans())  # before the session's end
    hosted = one(ended, "execute_tool crawl")
    assert hosted.status.status_code is StatusCode.ERROR
    assert hosted.attributes["error.type"] == "http_error"
    tracer.end("closed", error=False)


def test_the_session_span_keeps_the_first_server_session_id(spans: InMemorySpanExporter) -> None:
    tracer = SessionTracer("a", "gpt-realtime", capture_content=False)
    tracer.observe(server("session.created", session={"type": "realtime", "id": "sess_first"}))
    tracer.observe(DROP)
    tracer.observe(server("session.created", session={"type": "realtime", "id": "sess_second"}))
    tracer.observe(reconnected("sess_second"))
    tracer.end("closed", error=False)
    finished = list(spans.get_finished_spans())
    root = one(finished, "invoke_agent a")
    assert root.attributes["openai.realtime.session_id"] == "sess_first"
    assert root.attributes["gen_ai.conversation.id"] == "sess_first"
    assert one(finished, "reconnect").attributes["openai.realtime.session_id"] == "sess_second"


# -- GPT-Live ------------------------------------------------------------------------------------


@rtagents.tool
async def charge(amount: int) -> str:
    """Charge."""
    await anyio.sleep(0.05)
    return f"charged {amount}"


def echo(ctx: ModelContext) -> str:
    return "Answer: " + " | ".join(o["output"] for o in ctx.pending_outputs)


@pytest.mark.parametrize("loses_work", [True, False], ids=["work lost", "carried on"])
async def test_a_delegation_cut_by_a_drop_ends_once_reattached_and_answered(
    spans: InMemorySpanExporter, loses_work: bool
) -> None:
    """The backend response the drop cut is one span, never a failure: it ends where it was
    last seen when the server lost it with the connection, or at its own end when the
    attached connection carried it on."""
    model = ScriptedModel([CallFunction("charge", {"amount": 5}, call_id="c1"), echo], then="ok")
    agent = rtagents.Agent(name="live", tools=[charge])
    fast = rtagents.Reconnect(backoff=0.01, max_backoff=0.05)
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live", reconnect=fast) as session:
            drop = DropConnection(
                after="response.function_call_arguments.done", loses_work=loses_work
            )
            emu.last.add_fault(drop)
            await speak(session)
            await until(session, lambda seen: "charged 5" in spoken(seen))
            with anyio.fail_after(5):
                while not [s for s in spans.get_finished_spans() if s.name == "delegation"]:
                    await anyio.sleep(0.02)  # its last response is told before the answer
            before_the_end = list(spans.get_finished_spans())
    delegation = one(before_the_end, "delegation")
    backend = [s for s in before_the_end if s.name.startswith("responses_inference")]
    assert len(backend) == 2
    # The server session went on: the response the drop cut is not a failure.
    assert all(b.status.status_code is StatusCode.UNSET for b in backend)
    assert delegation.status.status_code is StatusCode.UNSET
    cut = min(backend, key=lambda s: s.start_time)
    assert [e.name for e in cut.events] == ["connection.dropped"]
    # The attached session is named as the session's own span names it: a Live session.
    reconnect = dict(one(before_the_end, "reconnect").attributes or {})
    assert "openai.realtime.session_id" not in reconnect, reconnect
    own = one(list(spans.get_finished_spans()), "invoke_agent live").attributes or {}
    assert reconnect.get("openai.live.session_id") == own["openai.live.session_id"], reconnect
    if loses_work:
        assert cut.end_time == cut.events[0].timestamp  # it ends where it was last seen
    else:
        assert cut.end_time > cut.events[0].timestamp  # at its end, after the attach


def test_a_live_response_cut_by_a_drop_fails_if_the_session_never_reattaches(
    spans: InMemorySpanExporter,
) -> None:
    tracer = SessionTracer("a", "gpt-live", capture_content=False)
    tracer.observe(delegated("d1", "r1"))
    tracer.observe(inner("d1", "response.created", response={"id": "r1", "model": "m"}))
    tracer.observe(inner("d1", "response.output_item.added", output_index=0, item=MCP_CALL))
    tracer.observe(DROP)
    tracer.observe(DROP)  # another attempt: the drop's time stays the first's
    tracer.end("the connection could not be kept", error=True)
    finished = list(spans.get_finished_spans())
    response = one(finished, "responses_inference m")
    hosted = one(finished, "execute_tool crawl")
    for span in (response, hosted):
        assert span.status.status_code is StatusCode.ERROR
        assert span.attributes["error.type"] == "disconnected"
        assert span.end_time == response.events[0].timestamp
    assert one(finished, "delegation").status.status_code is StatusCode.ERROR


def test_a_reattached_live_response_that_called_a_function_is_continued(
    spans: InMemorySpanExporter,
) -> None:
    tracer = SessionTracer("a", "gpt-live", capture_content=False)
    tracer.observe(delegated("d1", "r1"))
    tracer.observe(inner("d1", "response.created", response={"id": "r1", "model": "m"}))
    call = {"type": "function_call", "id": "fc1", "call_id": "c1", "name": "f", "arguments": ""}
    tracer.observe(inner("d1", "response.output_item.added", output_index=0, item=call))
    tracer.observe(DROP)
    tracer.observe(reconnected("live_1"))
    # ended, not failed; its delegation waits for the response the call's output asks for
    assert [s.name for s in spans.get_finished_spans()] == ["responses_inference m", "reconnect"]
    tracer.observe(inner("d1", "response.created", response={"id": "r2", "model": "m"}))
    tracer.observe(inner("d1", "response.completed", response={"id": "r2", "status": "completed"}))
    finished = list(spans.get_finished_spans())
    assert [s.name for s in finished][-1] == "delegation"
    assert all(s.status.status_code is StatusCode.UNSET for s in finished)
    tracer.end("closed", error=False)
