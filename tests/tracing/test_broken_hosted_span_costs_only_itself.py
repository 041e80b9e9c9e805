"""A span processor that raises on the end of a hosted MCP call's ``execute_tool`` span costs
that span only (docs/tracing.md, last paragraph): never the other calls ending with it, the
response they belong to, the ``reconnect`` span a drop starts after ending them, nor, on
GPT-Live, the backend response that made them."""

from __future__ import annotations

import anyio
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import rtagents
from rtagents.emulator import CallMCP, DropConnection, Emulator, ScriptedModel
from rtagents.tracing.observer import SessionTracer

from ..mcp.servers import http_notes_server
from .test_drops import DROP, MCP_CALL, delegated, inner, server

pytestmark = pytest.mark.anyio
BROKEN = [("end", "execute_tool")]


def names(exporter: InMemorySpanExporter) -> list[str]:
    return [s.name for s in exporter.get_finished_spans()]


def two_calls_under_way() -> SessionTracer:
    tracer = SessionTracer("a", "gpt-realtime", capture_content=False)
    tracer.observe(server("response.created", response={"id": "r1", "object": "realtime.response"}))
    for n in (1, 2):
        call = {**MCP_CALL, "id": f"mcp_{n}", "name": f"crawl{n}", "arguments": "{}"}
        tracer.observe(
            server("response.output_item.added", response_id="r1", output_index=n, item=call)
        )
    return tracer


@pytest.mark.parametrize("broken", BROKEN, indirect=True)
async def test_a_drop_still_starts_the_reconnect_span(broken: InMemorySpanExporter) -> None:
    async with http_notes_server() as url:
        hosted = rtagents.HostedMCP(server_label="docs", server_url=url, require_approval="never")
        agent = rtagents.Agent(name="h", tools=[hosted], output_modalities=["text"])
        model = ScriptedModel([CallMCP("docs", "lookup", {"key": "greeting"}), "ok"], then="ok")
        fault = DropConnection(after="response.mcp_call.in_progress")  # the call under way
        fast = rtagents.Reconnect(backoff=0.01, max_backoff=0.05)
        async with Emulator(model=model, faults=[fault]) as emu:
            async with rtagents.connect(agent, url=emu.url, reconnect=fast) as session:
                await session.send_text("look it up")
                with anyio.fail_after(10):
                    async for event in session:
                        if event.type == "session.reconnected":
                            break
                    else:
                        pytest.fail("the session ended before it reconnected")
    assert "reconnect" in names(broken)


@pytest.mark.parametrize("broken", BROKEN, indirect=True)
def test_the_other_calls_cut_at_a_drop_end_there(broken: InMemorySpanExporter) -> None:
    tracer = two_calls_under_way()
    tracer.observe(DROP)
    assert {"execute_tool crawl1", "execute_tool crawl2"} <= set(names(broken))
    tracer.end("closed", error=False)


@pytest.mark.parametrize("broken", [("end", "execute_tool crawl1")], indirect=True)
def test_the_other_calls_end_with_the_session(broken: InMemorySpanExporter) -> None:
    tracer = two_calls_under_way()
    tracer.end("the connection could not be kept", error=True)
    assert "execute_tool crawl2" in names(broken)


@pytest.mark.parametrize("broken", BROKEN, indirect=True)
def test_a_call_listed_by_response_done_does_not_cost_the_response(
    broken: InMemorySpanExporter,
) -> None:
    tracer = SessionTracer("a", "gpt-realtime", capture_content=False)
    tracer.observe(server("response.created", response={"id": "r1", "object": "realtime.response"}))
    call = {**MCP_CALL, "arguments": "{}"}
    tracer.observe(
        server("response.output_item.added", response_id="r1", output_index=0, item=call)
    )
    listed = {**call, "output": "found"}  # its output_item.done never came
    done = {"id": "r1", "object": "realtime.response", "status": "completed", "output": [listed]}
    tracer.observe(server("response.done", response=done))
    [response] = [s for s in broken.get_finished_spans() if s.name.startswith("realtime_inf")]
    assert response.attributes["gen_ai.response.status"] == "completed"
    tracer.end("closed", error=False)


@pytest.mark.parametrize("broken", BROKEN, indirect=True)
def test_on_live_the_backend_response_ends_at_the_drop(broken: InMemorySpanExporter) -> None:
    tracer = SessionTracer("a", "gpt-live", capture_content=False)
    tracer.observe(delegated("d1", "r1"))
    tracer.observe(inner("d1", "response.created", response={"id": "r1", "model": "m"}))
    tracer.observe(inner("d1", "response.output_item.added", output_index=0, item=MCP_CALL))
    tracer.observe(DROP)
    tracer.end("the connection could not be kept", error=True)
    assert "responses_inference m" in names(broken)


@pytest.mark.parametrize("broken", [("end", "responses_inference")], indirect=True)
def test_on_live_a_broken_backend_span_does_not_hold_its_delegation_open(
    broken: InMemorySpanExporter,
) -> None:
    """Its last response ended: the delegation's span ends then, not with the session."""
    tracer = SessionTracer("a", "gpt-live", capture_content=False)
    tracer.observe(delegated("d1", "r1"))
    tracer.observe(inner("d1", "response.created", response={"id": "r1", "model": "m"}))
    tracer.observe(inner("d1", "response.completed", response={"id": "r1", "status": "completed"}))
    assert "delegation" in names(broken)
    tracer.end("closed", error=False)
