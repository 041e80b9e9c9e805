"""A session that fails to open ends its ``invoke_agent`` span with an error status and the
reason it failed (docs/tracing.md: "rtagents.session.close_reason (with an error status when
the session failed, a refused configuration included)"). A local MCP server that does not
start fails the session's opening: ``connect`` raises ``MCPConnectError``; the app never
closed anything, so the span must not say "closed by the client" with no error."""

from __future__ import annotations

import asyncio

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

import rtagents
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.mcp import MCPConnectError, MCPServerHTTP

pytestmark = pytest.mark.anyio


async def _refuse(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read(65536)
    writer.write(b"HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
    await writer.drain()
    writer.close()


async def test_a_session_whose_mcp_server_did_not_start_has_a_failed_span(
    spans: InMemorySpanExporter,
) -> None:
    refusing = await asyncio.start_server(_refuse, "127.0.0.1", 0)
    port = refusing.sockets[0].getsockname()[1]
    try:
        server = MCPServerHTTP(f"http://127.0.0.1:{port}/mcp", name="refusing")
        agent = rtagents.Agent(name="opener", tools=[server], output_modalities=["text"])
        async with Emulator(model=ScriptedModel(["hi"])) as emu:
            with pytest.raises(MCPConnectError):
                async with rtagents.connect(agent, url=emu.url):
                    pytest.fail("the session opened with its MCP server refusing")
    finally:
        refusing.close()
    [root] = [s for s in spans.get_finished_spans() if s.name == "invoke_agent opener"]
    reason = root.attributes["rtagents.session.close_reason"]
    assert root.status.status_code is StatusCode.ERROR, (root.status, reason)
    assert reason != "closed by the client"
