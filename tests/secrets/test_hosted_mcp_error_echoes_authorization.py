"""tracing.md: "Secrets never appear in attributes: not the API key, not MCP `authorization`
tokens, not header values"; failures.md: a HostedMCP's authorization is a secret while it
lives, "kept out of events, spans and reprs". A hosted MCP call whose server answers with an
error quoting the token it was given has the token copied into the call's ``execute_tool``
span (its error status, with trace_content) verbatim: the hosted span's failure is not
redacted (tracing/hosted.py ``done``)."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import rtagents
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.emulator.models import CallMCP
from rtagents.mcp import HostedMCP
from rtagents.testing import serve_mcp_http
from tests.secrets.test_mcp_tool_error_echoes_header import echoing
from tests.tracing.conftest import spans  # noqa: F401  (the in-memory exporter fixture)

pytestmark = pytest.mark.anyio

TOKEN = "oauth-access-secret-6620"


async def test_a_hosted_servers_echo_of_its_token_stays_out_of_the_spans(
    spans: InMemorySpanExporter,  # noqa: F811
) -> None:
    async with serve_mcp_http(echoing) as url:
        hosted = HostedMCP("crm", server_url=url, authorization=TOKEN, require_approval="never")
        agent = rtagents.Agent(name="h", tools=[hosted], output_modalities=["text"])
        script = ScriptedModel([CallMCP("crm", "lookup", {"key": "greeting"}), "done"])
        async with Emulator(model=script) as emu:
            with anyio.fail_after(20):
                async with rtagents.connect(agent, url=emu.url, trace_content=True) as session:
                    events: list[Any] = await session.ask("look it up")
    assert any("not allowed" in repr(e) for e in events), "the server's error never came"
    in_spans = [
        f"{s.name}: {s.status.description}"
        for s in spans.get_finished_spans()
        if TOKEN in f"{s.status.description} {s.attributes} {[ev.attributes for ev in s.events]}"
    ]
    assert in_spans == [], in_spans
