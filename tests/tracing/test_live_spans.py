"""The span tree of a GPT-Live session: session -> delegation -> backend response ->
execute_tool, one trace, recorded with the OpenTelemetry SDK's in-memory exporter."""

from __future__ import annotations

from typing import Any

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

import rtagents
from rtagents.emulator import CallFunction, Emulator, ModelContext, ScriptedModel
from rtagents.protocol import live as lp
from rtagents.tracing.observer import SessionTracer
from tests.session.live.harness import speak, spoken, until

pytestmark = pytest.mark.anyio
SECRET = "sk-live-secret-never-in-spans-0042"


@rtagents.tool
async def weather(city: str) -> str:
    """The weather in a city."""
    return f"21 degrees in {city}"


def echo(ctx: ModelContext) -> str:
    return " | ".join(o["output"] for o in ctx.pending_outputs)


def one(spans: list[ReadableSpan], name: str) -> ReadableSpan:
    [span] = [s for s in spans if s.name == name]
    return span


def parent_of(span: ReadableSpan) -> int | None:
    return span.parent.span_id if span.parent is not None else None


def no_secret(spans: list[ReadableSpan]) -> None:
    text = " ".join(f"{s.name} {dict(s.attributes or {})} {s.events}" for s in spans)
    assert text and SECRET not in text


async def test_a_delegation_with_a_tool_call_is_one_trace(spans: InMemorySpanExporter) -> None:
    model = ScriptedModel([CallFunction("weather", {"city": "Paris"}, call_id="c_paris"), echo])
    agent = rtagents.Agent(name="concierge", tools=[weather])
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live", api_key=SECRET) as session:
            await speak(session)
            events = await until(session, lambda seen: "21 degrees in Paris" in spoken(seen))
            session_id = session.id
    finished = list(spans.get_finished_spans())
    no_secret(finished)
    assert len({s.context.trace_id for s in finished}) == 1

    root = one(finished, "invoke_agent concierge")
    assert root.parent is None
    assert root.attributes["gen_ai.conversation.id"] == session_id
    assert root.attributes["openai.live.session_id"] == session_id

    created = next(e for e in events if e.type == "session.delegation.created").delegation
    delegation = one(finished, "delegation")
    assert parent_of(delegation) == root.context.span_id
    attrs = delegation.attributes
    assert attrs["rtagents.delegation.id"] == created.id
    assert attrs["rtagents.delegation.target"] == "responses"
    assert attrs["rtagents.delegation.response_id"] == created.response_id
    assert isinstance(attrs["rtagents.delegation.offset_ms"], int)

    backend = [s for s in finished if s.name.startswith("responses_inference ")]
    assert len(backend) == 2  # the calls' turn, then the answer from their outputs
    assert all(parent_of(b) == delegation.context.span_id for b in backend)
    for b in backend:
        assert b.attributes["gen_ai.operation.name"] == "responses_inference"
        assert b.attributes["gen_ai.response.status"] == "completed"
        assert b.attributes["rtagents.delegation.id"] == created.id
        assert b.end_time <= delegation.end_time
    first = next(b for b in backend if b.attributes["gen_ai.response.id"] == created.response_id)

    tool = one(finished, "execute_tool weather")
    assert parent_of(tool) == first.context.span_id
    assert tool.attributes["gen_ai.tool.call.id"] == "c_paris"
    assert tool.status.status_code is StatusCode.UNSET


async def test_a_client_delegation_is_a_span_of_the_session(
    spans: InMemorySpanExporter,
) -> None:
    async def on_delegation(delegation: rtagents.Delegation) -> str:
        return "Your order ships tomorrow."

    model = ScriptedModel([CallFunction("track_order", {"order": 7})])
    agent = rtagents.Agent(name="shop", on_delegation=on_delegation)
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live", api_key=SECRET) as session:
            await speak(session)
            events = await until(session, lambda seen: "ships tomorrow" in spoken(seen))
    finished = list(spans.get_finished_spans())
    no_secret(finished)
    assert len({s.context.trace_id for s in finished}) == 1
    root = one(finished, "invoke_agent shop")
    delegation = one(finished, "delegation")
    created = next(e for e in events if e.type == "session.delegation.created").delegation
    assert parent_of(delegation) == root.context.span_id
    assert delegation.attributes["rtagents.delegation.id"] == created.id
    assert delegation.attributes["rtagents.delegation.target"] == "client"
    assert "rtagents.delegation.response_id" not in delegation.attributes
    assert not [s for s in finished if s.name.startswith("responses_inference")]


def _delegated(delegation_id: str, rid: str) -> lp.DelegationCreated:
    info = lp.DelegationInfo(id=delegation_id, target="responses", response_id=rid)
    return lp.DelegationCreated(event_id="e_d", delegation=info, offset_ms=1200)


def _inner(delegation_id: str | None, kind: str, **fields: Any) -> lp.ResponseEvent:
    event = {"type": kind, **fields}
    return lp.ResponseEvent(event_id="e_r", event=event, delegation_id=delegation_id)


def test_a_failed_backend_response_fails_its_delegation(spans: InMemorySpanExporter) -> None:
    tracer = SessionTracer("a", "gpt-live", capture_content=False)
    tracer.observe(_delegated("d1", "r1"))
    tracer.observe(_inner("d1", "response.created", response={"id": "r1", "model": "gpt-5"}))
    failed = {
        "id": "r1",
        "model": "gpt-5",
        "status": "failed",
        "error": {"code": "server_error", "message": "down"},
        "usage": {"input_tokens": 7, "output_tokens": 0},
    }
    tracer.observe(_inner("d1", "response.failed", response=failed))
    ended = list(spans.get_finished_spans())  # before the session ends
    backend = one(ended, "responses_inference gpt-5")
    assert backend.status.status_code is StatusCode.ERROR
    assert backend.attributes["error.type"] == "server_error"
    assert backend.attributes["gen_ai.usage.input_tokens"] == 7
    assert one(ended, "delegation").status.status_code is StatusCode.ERROR
    tracer.end("done", error=False)


def test_a_stream_error_ends_the_response_and_the_session_end_closes_the_rest(
    spans: InMemorySpanExporter,
) -> None:
    tracer = SessionTracer("a", "gpt-live", capture_content=False)
    tracer.observe(_delegated("d1", "r1"))
    tracer.observe(_inner("d1", "response.created", response={"id": "r1", "model": "m"}))
    tracer.observe(_inner("d1", "error", code="rate_limited", message="slow down"))
    tracer.observe(_delegated("d2", "r2"))
    tracer.observe(_inner("d2", "response.created", response={"id": "r2", "model": "m"}))
    tracer.end("closed", error=False)
    finished = list(spans.get_finished_spans())
    [r1, r2] = sorted(
        (s for s in finished if s.name == "responses_inference m"),
        key=lambda s: s.attributes["gen_ai.response.id"],
    )
    assert r1.attributes["error.type"] == "rate_limited"
    assert r2.end_time is not None
    assert len([s for s in finished if s.name == "delegation"]) == 2


def test_without_an_sdk_nothing_is_recorded() -> None:
    tracer = SessionTracer("a", "gpt-live", capture_content=False)
    assert not tracer.recording
    tracer.observe(_delegated("d1", "r1"))
    assert tracer._live is None or not tracer._live.open
    tracer.end("done", error=False)


def test_a_delegation_ends_with_its_last_response(spans: InMemorySpanExporter) -> None:
    tracer = SessionTracer("a", "gpt-live", capture_content=False)
    tracer.observe(_delegated("d1", "r1"))
    tracer.observe(_inner("d1", "response.created", response={"id": "r1", "model": "m"}))
    call = {"type": "function_call", "id": "fc1", "call_id": "c1", "name": "f", "arguments": ""}
    tracer.observe(_inner("d1", "response.output_item.added", output_index=0, item=call))
    tracer.observe(_inner("d1", "response.completed", response={"id": "r1", "status": "completed"}))
    assert [s.name for s in spans.get_finished_spans()] == ["responses_inference m"]
    tracer.observe(_inner("d1", "response.created", response={"id": "r2", "model": "m"}))
    tracer.observe(_inner("d1", "response.completed", response={"id": "r2", "status": "completed"}))
    names = [s.name for s in spans.get_finished_spans()]
    assert names == ["responses_inference m", "responses_inference m", "delegation"]
    tracer.end("done", error=False)


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (None, None),
        ({"type": "http_error", "code": 502, "message": "down"}, "http_error"),
        ("the server refused", "mcp_error"),
    ],
)
def test_a_hosted_mcp_call_is_a_span_of_its_backend_response(
    spans: InMemorySpanExporter, error: Any, kind: str | None
) -> None:
    tracer = SessionTracer("a", "gpt-live", capture_content=True)
    tracer.observe(_delegated("d1", "r1"))
    tracer.observe(_inner("d1", "response.created", response={"id": "r1", "model": "m"}))
    call = {"type": "mcp_call", "id": "mcp_1", "server_label": "docs", "name": "search"}
    tracer.observe(_inner("d1", "response.output_item.added", output_index=0, item=call))
    done = {**call, "arguments": '{"q":1}', "output": None if error else "found", "error": error}
    tracer.observe(_inner("d1", "response.output_item.done", output_index=0, item=done))
    tracer.observe(_inner("d1", "response.completed", response={"id": "r1", "status": "completed"}))
    finished = list(spans.get_finished_spans())
    hosted, backend = one(finished, "execute_tool search"), one(finished, "responses_inference m")
    assert parent_of(hosted) == backend.context.span_id
    assert hosted.end_time <= backend.end_time
    attrs = hosted.attributes
    assert attrs["gen_ai.tool.type"] == "extension"
    assert attrs["gen_ai.tool.call.id"] == "mcp_1"
    assert attrs["rtagents.mcp.server_label"] == "docs"
    assert attrs["gen_ai.tool.call.arguments"] == '{"q":1}'
    if kind is None:
        assert attrs["gen_ai.tool.call.result"] == "found"
        assert hosted.status.status_code is StatusCode.UNSET
    else:
        assert attrs["error.type"] == kind
        assert hosted.status.status_code is StatusCode.ERROR
    tracer.end("done", error=False)
