"""Secrets stay secret: with every logger at DEBUG, no API key, auth header or URL token
appears in the logs (ours or our dependencies'), the events, the reprs or the spans."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import rtagents
from rtagents import ApprovalPolicy, allow
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.mcp import MCPServerHTTP
from rtagents.testing import serve_mcp_http

from ..mcp import notes_server

pytestmark = pytest.mark.anyio
API_KEY = "sk-test-abcdefABCDEF0123456789"
HEADER = "custom-header-secret-4821"
MCP_BEARER = "mcp-bearer-secret-9917"
URL_TOKEN = "url-token-secret-7730"
SECRETS = (API_KEY, HEADER, MCP_BEARER, URL_TOKEN)


def leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


async def test_no_secret_in_logs_events_reprs_or_spans(
    log_lines: list[str], spans: InMemorySpanExporter
) -> None:
    events: list[Any] = []
    async with serve_mcp_http(notes_server.server) as url:
        server = MCPServerHTTP(
            f"{url}?token={URL_TOKEN}",
            headers={"Authorization": f"Bearer {MCP_BEARER}"},
            name="notes",
        )
        agent = rtagents.Agent(
            name="s",
            tools=[server],
            approval=ApprovalPolicy(rules=[allow()]),
            output_modalities=["text"],
        )
        script = ScriptedModel([CallFunction("lookup", {"key": "greeting"}), "done"])
        async with Emulator(model=script) as emu:
            with anyio.fail_after(15):
                async with rtagents.connect(
                    agent, url=emu.url, api_key=API_KEY, headers={"X-Custom": HEADER}
                ) as session:
                    events += await session.ask("look it up")
                    reprs = [
                        repr(session),
                        repr(session._runner.upstream.transport),
                        repr(server),
                        repr(agent),
                    ]
    logged = "\n".join(log_lines)
    assert "websockets" in logged and "httpx" in logged  # the dependencies did log, at DEBUG
    assert leaks(logged) == [], [line for line in log_lines if leaks(line)][:3]
    for event in events:
        text = event.model_dump_json() if hasattr(event, "model_dump_json") else repr(event)
        assert leaks(text) == [], event.type
    assert leaks(" ".join(reprs)) == []
    attributes = " ".join(
        f"{s.name} {dict(s.attributes or {})}" for s in spans.get_finished_spans()
    )
    assert attributes and leaks(attributes) == []


def test_redaction_rules() -> None:
    from rtagents._redact import redact

    assert "abc123" not in redact("> Authorization: Bearer abc123")
    assert "sk-proj-0123456789abcdef" not in redact("key sk-proj-0123456789abcdef here")
    assert redact("GET https://h/mcp?token=abc HTTP/1.1") == "GET https://h/mcp?[redacted] HTTP/1.1"
    assert "zzz" not in redact("{'x-api-key': 'zzz'}")
