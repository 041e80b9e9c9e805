"""Streamable-HTTP MCP servers conventionally serve at ``/mcp``, and ``MCPServerHTTP``'s
default label is the URL path's last part: every such server is labelled ``mcp``. The new
one-label-per-agent rule (``ToolSources.__post_init__``) then refuses any agent with two of
them left default-named, as docs/mcp.md writes them: an agent that was made and ran before
the change is refused at construction."""

from __future__ import annotations

import rtagents
from rtagents.mcp import MCPServerHTTP


def test_two_default_named_http_servers_on_different_hosts() -> None:
    crm = MCPServerHTTP("https://mcp.internal.example/mcp")
    notes = MCPServerHTTP("https://notes.example.com/mcp")
    agent = rtagents.Agent(name="desk", tools=[crm, notes])
    assert len({s.name for s in agent.sources.servers}) == 2


def test_the_default_label_is_the_telling_part_of_the_url() -> None:
    cases = {
        "https://notes.example.com/mcp": "notes",
        "https://mcp.internal.example/mcp": "internal",
        "https://crm.example/v1/s/c2VjcmV0/mcp?token=abc": "crm",  # (a path may hold a secret)
        "http://127.0.0.1:8931/mcp": "127_0_0_1_8931",
        "https://alice:hunter2@mcp.example.com": "example",
    }
    assert {url: MCPServerHTTP(url).name for url in cases} == cases
