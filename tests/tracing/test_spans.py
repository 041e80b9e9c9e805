"""The span tree of a session, recorded with the OpenTelemetry SDK's in-memory exporter."""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

import rtagents
from rtagents import ApprovalPolicy, deny
from rtagents.emulator import (
    CallFunction,
    CallMCP,
    Emulator,
    ErrorReply,
    ModelContext,
    ScriptedModel,
)
from rtagents.mcp import MCPServerHTTP
from rtagents.tracing import CONTENT_LIMIT

from ..mcp.servers import http_notes_server

pytestmark = pytest.mark.anyio
SECRET = "sk-secret-never-in-spans"


@rtagents.tool
async def fast(x: int) -> int:
    """Fast."""
    return x * 2


@rtagents.tool
def broken() -> str:
    """Fails."""
    raise RuntimeError("boom")


@rtagents.tool(needs_approval=True)
def wire_money(amount: int) -> str:
    """Needs approval."""
    return "sent"


def echo(ctx: ModelContext) -> str:
    return " | ".join(str(o.get("output")) for o in ctx.pending_outputs)


def by_name(spans: list[ReadableSpan], name: str) -> list[ReadableSpan]:
    return [s for s in spans if s.name == name]


def one(spans: list[ReadableSpan], name: str) -> ReadableSpan:
    [span] = by_name(spans, name)
    return span


async def test_the_span_tree_of_a_session(spans: InMemorySpanExporter) -> None:
    async with http_notes_server() as url:
        notes = MCPServerHTTP(
            url, headers={"Authorization": f"Bearer {SECRET}"}, name="notes", needs_approval=False
        )
        hosted = rtagents.HostedMCP(
            server_label="docs", server_url=url, authorization=SECRET, require_approval="never"
        )
        agent = rtagents.Agent(
            name="concierge",
            tools=[fast, broken, wire_money, notes, hosted],
            approval=ApprovalPolicy(rules=[deny(tool="wire_money", reason="not today")]),
            output_modalities=["text"],
        )
        turns = [
            [
                CallFunction("fast", {"x": 2}, call_id="c_fast"),
                CallFunction("broken", {}, call_id="c_broken"),
                CallFunction("wire_money", {"amount": 5}, call_id="c_wire"),
                CallFunction("lookup", {"key": "greeting"}, call_id="c_mcp"),
            ],
            [CallMCP("docs", "lookup", {"key": "greeting"})],
            echo,
        ]
        async with Emulator(model=ScriptedModel(turns)) as emu:
            async with rtagents.connect(
                agent, transport=emu.transport(), api_key=SECRET
            ) as session:
                session_id = session.id
                await session.send_text("do everything")
                with anyio.fail_after(15):
                    done = 0
                    async for event in session:
                        if event.type == "response.done":
                            done += 1
                            if done == 2:
                                break
                    else:
                        pytest.fail("the session ended before the event this loop waits for")
            update = next(e for e in emu.last.received if e["type"] == "session.update")
    finished = list(spans.get_finished_spans())

    root = one(finished, "invoke_agent concierge")
    trace_id = root.context.trace_id
    assert root.attributes["gen_ai.provider.name"] == "openai"
    assert root.attributes["gen_ai.agent.name"] == "concierge"
    assert root.attributes["gen_ai.request.model"] == "gpt-realtime"
    assert root.attributes["gen_ai.conversation.id"] == session_id

    responses = by_name(finished, "realtime_inference gpt-realtime")
    assert len(responses) == 2
    assert all(r.parent.span_id == root.context.span_id for r in responses)
    first = next(
        r
        for r in responses
        if any(
            s.parent and s.parent.span_id == r.context.span_id and s.name == "execute_tool fast"
            for s in finished
        )
    )
    assert first.attributes["gen_ai.response.status"] == "completed"
    assert first.attributes["gen_ai.usage.input_tokens"] > 0
    assert "gen_ai.usage.output_tokens" in first.attributes

    tools = {
        s.attributes["gen_ai.tool.call.id"]: s
        for s in finished
        if s.name.startswith("execute_tool") and s.attributes["gen_ai.tool.type"] == "function"
    }
    assert set(tools) == {"c_fast", "c_broken", "c_wire", "c_mcp"}
    for span in tools.values():
        assert span.parent.span_id == first.context.span_id  # a child of the response that asked
        assert span.attributes["gen_ai.operation.name"] == "execute_tool"
    assert tools["c_fast"].status.status_code == StatusCode.UNSET
    failing = tools["c_broken"]
    assert failing.status.status_code == StatusCode.ERROR
    assert failing.attributes["error.type"] == "RuntimeError"
    assert any(e.name == "exception" for e in failing.events)
    assert tools["c_wire"].attributes["rtagents.tool.failure"] == "denied"

    approval = one(finished, "approval wire_money")
    assert approval.parent.span_id == tools["c_wire"].context.span_id
    assert approval.attributes["rtagents.approval.approved"] is False
    assert approval.attributes["rtagents.approval.decided_by"] == "rule"

    # The local MCP call: the mcp client's span under our execute_tool span, and the MCP
    # server's own span in the same trace (the W3C context travelled in _meta).
    client = [
        s
        for s in finished
        if s.name == "tools/call lookup"
        and s.parent
        and s.parent.span_id == tools["c_mcp"].context.span_id
    ]
    assert client and client[0].attributes["mcp.method.name"] == "tools/call"
    server_side = [
        s for s in finished if s.context.trace_id == trace_id and s.kind.name == "SERVER"
    ]
    assert server_side, [(s.name, s.kind) for s in finished]

    hosted_span = [
        s
        for s in finished
        if s.name == "execute_tool lookup" and s.attributes.get("gen_ai.tool.type") == "extension"
    ]
    assert hosted_span and hosted_span[0].attributes["rtagents.mcp.server_label"] == "docs"

    tracing = update["session"]["tracing"]
    assert tracing["group_id"] == format(trace_id, "032x")
    assert tracing["metadata"]["otel_trace_id"] == format(trace_id, "032x")
    assert tracing["workflow_name"] == "concierge"

    for span in finished:
        assert SECRET not in json.dumps(dict(span.attributes or {}), default=str), span.name


async def test_content_is_recorded_only_when_asked(spans: InMemorySpanExporter) -> None:
    agent = rtagents.Agent(name="a", tools=[fast], output_modalities=["text"])
    for capture in (False, True):
        spans.clear()
        async with Emulator(model=ScriptedModel([CallFunction("fast", {"x": 21}), echo])) as emu:
            async with rtagents.connect(
                agent, transport=emu.transport(), trace_content=capture
            ) as session:
                await session.send_text("go")
                with anyio.fail_after(5):
                    async for event in session:
                        if event.type == "tool.call.completed":
                            break
                    else:
                        pytest.fail("the session ended before the event this loop waits for")
        [span] = [s for s in spans.get_finished_spans() if s.name == "execute_tool fast"]
        assert ("gen_ai.tool.call.arguments" in span.attributes) is capture
        if capture:
            assert span.attributes["gen_ai.tool.call.result"] == "42"


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        (None, None),
        (
            rtagents.protocol.TracingConfiguration(group_id="mine", metadata={"team": "a"}),
            {"group_id": "mine", "keys": {"team", "otel_trace_id", "otel_span_id"}},
        ),
    ],
)
async def test_tracing_config_choices(
    spans: InMemorySpanExporter, setting: Any, expected: Any
) -> None:
    agent = rtagents.Agent(name="a", tracing=setting)
    async with Emulator() as emu:
        async with rtagents.connect(agent, transport=emu.transport()) as session:
            await session.update_agent(agent.clone(instructions="again"))
        updates = [e for e in emu.last.received if e["type"] == "session.update"]
    sent = updates[0]["session"]["tracing"]
    if expected is None:
        assert sent is None
    else:
        assert sent["group_id"] == expected["group_id"]
        assert set(sent["metadata"]) == expected["keys"]
    assert "tracing" not in updates[1]["session"]  # fixed once on: not sent again


async def test_a_dropped_connection_marks_the_session_span(spans: InMemorySpanExporter) -> None:
    async with Emulator() as emu:
        agent = rtagents.Agent(name="d")
        async with rtagents.connect(agent, url=emu.url, reconnect=None) as session:
            emu.last.drop()
            async for _ in session:
                pass
    root = one(list(spans.get_finished_spans()), "invoke_agent d")
    assert root.status.status_code == StatusCode.ERROR
    assert "1011" in root.attributes["rtagents.session.close_reason"]


async def test_without_an_sdk_nothing_records() -> None:
    from opentelemetry import trace

    assert not isinstance(
        trace.get_tracer_provider(), __import__("opentelemetry.sdk.trace").sdk.trace.TracerProvider
    )
    agent = rtagents.Agent(name="plain", output_modalities=["text"])
    async with Emulator(model=ScriptedModel(["hi"])) as emu:
        async with rtagents.connect(agent, transport=emu.transport()) as session:
            assert session._runner.tracer.recording is False  # the fast path
            await session.ask("hello")


async def test_a_reconnect_is_a_span_of_the_same_session_trace(spans: InMemorySpanExporter) -> None:
    agent = rtagents.Agent(name="r", output_modalities=["text"])
    fast = rtagents.Reconnect(backoff=0.01)
    async with Emulator(model=ScriptedModel(["one", "two"])) as emu:
        async with rtagents.connect(agent, transport=emu.transport, reconnect=fast) as session:
            await session.ask("first")
            emu.last.drop()
            async for event in session:
                if event.type == "session.reconnected":
                    break
            else:
                pytest.fail("the session ended before the event this loop waits for")
            await session.ask("second")
    finished = list(spans.get_finished_spans())
    root = one(finished, "invoke_agent r")
    reconnect = one(finished, "reconnect")
    assert reconnect.parent is not None and reconnect.parent.span_id == root.context.span_id
    assert reconnect.context.trace_id == root.context.trace_id
    assert "1011" in reconnect.attributes["rtagents.reconnect.cause"]
    assert reconnect.attributes["rtagents.reconnect.items_replayed"] == 2  # a question, its answer
    assert [e.name for e in reconnect.events] == ["attempt"]
    assert root.status.status_code != StatusCode.ERROR


async def test_a_refused_configuration_fails_the_session_span(
    spans: InMemorySpanExporter,
) -> None:
    agent = rtagents.Agent(name="refused", output_modalities=["text"])
    refuse = ErrorReply(to="session.update", code="invalid_value")
    async with Emulator(faults=[refuse]) as emu:
        with pytest.raises(rtagents.SessionConfigError) as refused:
            async with rtagents.connect(agent, url=emu.url):
                pass
    root = one(list(spans.get_finished_spans()), "invoke_agent refused")
    assert root.status.status_code is StatusCode.ERROR
    assert root.attributes["rtagents.session.close_reason"] == str(refused.value)


@rtagents.tool
def echo_back(blob: str) -> str:
    """Returns much."""
    return "r" * 100_000


async def test_captured_content_is_clipped(spans: InMemorySpanExporter) -> None:
    agent = rtagents.Agent(name="big", tools=[echo_back], output_modalities=["text"])
    model = ScriptedModel([CallFunction("echo_back", {"blob": "a" * 50_000}), "ok"])
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, transport=emu.transport(), trace_content=True) as s:
            with anyio.fail_after(10):
                await s.ask("go")
    span = one(list(spans.get_finished_spans()), "execute_tool echo_back")
    result = span.attributes["gen_ai.tool.call.result"]
    arguments = span.attributes["gen_ai.tool.call.arguments"]
    assert result == "r" * CONTENT_LIMIT + f"… [{100_000 - CONTENT_LIMIT} more characters]"
    assert arguments.startswith('{"blob": "aaa') or arguments.startswith('{"blob":"aaa')
    assert arguments.endswith(" more characters]") and len(arguments) < CONTENT_LIMIT + 40


async def test_a_tool_the_model_made_up_is_one_span_name(spans: InMemorySpanExporter) -> None:
    # Span names are what backends group by: a name the model invented would be one more
    # group each time. Its span is "execute_tool (unknown)"; the name it used is an attribute.
    agent = rtagents.Agent(name="a", tools=[fast], output_modalities=["text"])
    turns = [CallFunction("invented_tool_42", {}, call_id="c1"), "Sorry."]
    async with Emulator(model=ScriptedModel(turns)) as emu:
        async with rtagents.connect(agent, transport=emu.transport()) as session:
            with anyio.fail_after(10):
                await session.ask("Do something.")
    span = one(list(spans.get_finished_spans()), "execute_tool (unknown)")
    assert span.attributes is not None
    assert span.attributes["gen_ai.tool.name"] == "invented_tool_42"
    assert span.attributes["rtagents.tool.failure"] == "unknown_tool"
