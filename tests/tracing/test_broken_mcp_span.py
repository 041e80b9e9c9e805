"""A span processor that raises on the local MCP ``tools/call`` span (a vendor's, with a bug)
must cost that span only (docs/tracing.md: "the session, its calls and ``connect`` go on as
they would untraced"). mcp/tools.py starts and ends it unguarded, in the call itself: the
raise fails the MCP tool call."""

from __future__ import annotations

import anyio
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.mcp import MCPServerHTTP
from rtagents.testing import serve_mcp_http

from ..mcp import notes_server

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    "broken", [("start", "tools/call"), ("end", "tools/call")], indirect=True, ids=["start", "end"]
)
async def test_a_raising_processor_on_the_mcp_span_costs_the_call_nothing(
    broken: InMemorySpanExporter,
) -> None:
    async with serve_mcp_http(notes_server.server) as url:
        notes = MCPServerHTTP(url, name="notes", needs_approval=False)
        agent = rtagents.Agent(name="n", tools=[notes], output_modalities=["text"])
        script = ScriptedModel([CallFunction("lookup", {"key": "greeting"}), "done"])
        async with Emulator(model=script) as emu:
            async with rtagents.connect(agent, url=emu.url) as session:
                with anyio.fail_after(15):
                    events = await session.ask("look it up")
    results = [
        (e.type, getattr(e, "output", None)) for e in events if e.type.startswith("tool.call.")
    ]
    assert ("tool.call.completed", "hello from MCP") in results, results
