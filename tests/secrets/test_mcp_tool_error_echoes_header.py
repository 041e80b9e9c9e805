"""failures.md (Secrets): an MCP server's header values "are redacted wherever they appear",
"kept out of events, spans and reprs", and "A local MCP server's error that quotes what it
was given (`token ... rejected`) is masked in MCPConnectError and in the calls' outputs";
tracing.md: "Secrets never appear in attributes: not the API key, not MCP authorization
tokens, not header values". A local HTTP MCP server whose *tool* answers with an error
quoting the bearer token it was given (as an auth proxy in front of a tool does) has the
token copied verbatim into the ``tool.call.failed`` event (its message and output), into
the output sent to the model, and (with trace_content) into the tool span's status and
exception event: only the connect path masks it (``said``), the call path does not."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import rtagents
from rtagents import ApprovalPolicy, allow
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.mcp import MCPServerHTTP
from rtagents.testing import mcp_server, serve_mcp_http
from tests.tracing.conftest import spans  # noqa: F401  (the in-memory exporter fixture)

pytestmark = pytest.mark.anyio

BEARER = "mcp-bearer-secret-4471"

echoing = mcp_server("echoing")


@echoing.tool()
def lookup(key: str, ctx: Context[Any, Any]) -> str:
    """Read a note."""
    request = ctx.request_context.request
    given = request.headers.get("authorization") if request is not None else None
    # (an auth layer's words: it names what it refused)
    raise ToolError(f"credential {given!s} is not allowed to read {key}")


async def test_a_held_header_echoed_by_a_tools_error_stays_out_of_events_and_spans(
    log_lines: list[str],
    spans: InMemorySpanExporter,  # noqa: F811
) -> None:
    events: list[Any] = []
    async with serve_mcp_http(echoing) as url:
        server = MCPServerHTTP(url, headers={"Authorization": f"Bearer {BEARER}"}, name="notes")
        agent = rtagents.Agent(
            name="s",
            tools=[server],
            approval=ApprovalPolicy(rules=[allow()]),
            output_modalities=["text"],
        )
        script = ScriptedModel([CallFunction("lookup", {"key": "greeting"}), "done"])
        async with Emulator(model=script) as emu:
            with anyio.fail_after(20):
                async with rtagents.connect(agent, url=emu.url, trace_content=True) as session:
                    events += await session.ask("look it up")
    failed = [e for e in events if e.type == "tool.call.failed"]
    assert failed, [e.type for e in events]
    assert "is not allowed" in failed[0].message, failed[0].message  # the server's words
    # (the server's own events, which echo the output sent, reach the app as sent: only
    # what the framework makes is checked)
    shown = [f"{field}={getattr(failed[0], field)!r}" for field in ("message", "output")]
    assert not any(BEARER in s for s in shown), shown
    in_spans = [
        f"{s.name}: {s.status.description} {[dict(ev.attributes or {}) for ev in s.events]}"
        for s in spans.get_finished_spans()
        if BEARER in f"{s.status.description} {s.attributes} {[ev.attributes for ev in s.events]}"
    ]
    assert in_spans == [], in_spans
    assert [line for line in log_lines if BEARER in line] == []
