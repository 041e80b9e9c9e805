"""Without the content opt-in, a failed call's span says the kind of failure and its
``exception`` event the exception's type only (docs/tracing.md: a failed call's message
"often quote[s] what the tool was given ... so they are content too"). The local MCP
``tools/call`` span rtagents makes (mcp/tools.py) is started with OpenTelemetry's defaults,
``record_exception=True`` and ``set_status_on_exception=True``: the error the MCP tool
reported, quoting the arguments, is recorded in full (message and traceback)."""

from __future__ import annotations

import anyio
import pytest
from mcp.server.mcpserver.exceptions import ToolError
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.mcp import MCPServerHTTP
from rtagents.testing import mcp_server, serve_mcp_http

pytestmark = pytest.mark.anyio
CARD = "4111-1111-1111-1111"

payments = mcp_server("payments")


@payments.tool()
def charge(card: str) -> str:
    """Charge a card."""
    raise ToolError(f"card {card} was declined")  # told to the client as it is


def text_of(span) -> str:  # type: ignore[no-untyped-def]
    events = [(e.name, dict(e.attributes or {})) for e in span.events]
    return f"{span.name} {dict(span.attributes or {})} {span.status.description} {events}"


async def test_a_failed_local_mcp_call_keeps_its_arguments_out_of_spans(
    spans: InMemorySpanExporter,
) -> None:
    async with serve_mcp_http(payments) as url:
        server = MCPServerHTTP(url, name="payments", needs_approval=False)
        agent = rtagents.Agent(name="shop", tools=[server], output_modalities=["text"])
        script = ScriptedModel([CallFunction("charge", {"card": CARD}), "Sorry."])
        async with Emulator(model=script) as emu:
            async with rtagents.connect(agent, url=emu.url, trace_content=False) as session:
                with anyio.fail_after(15):
                    events = await session.ask("Pay with my card.")
    [failed] = [e for e in events if e.type == "tool.call.failed"]
    assert failed.kind == "error", failed.message
    ours = [s for s in spans.get_finished_spans() if s.instrumentation_scope.name == "rtagents"]
    [call] = [s for s in ours if s.name == "tools/call charge"]
    assert call.status.status_code.name == "ERROR"  # the failure is still told
    leaked = [s.name for s in ours if CARD in text_of(s)]
    assert leaked == [], [text_of(s) for s in ours if CARD in text_of(s)]
