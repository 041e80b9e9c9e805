"""``MCPServerHTTP``'s default label is the telling word of the URL's host (``notes`` for
``https://notes.example.com/mcp``; an address with its port), never the path or the credentials.
Streamable-HTTP MCP servers conventionally serve at ``/mcp``, so a label taken from the path's
last part would name every such server ``mcp``. An agent takes one server per label
(``ToolSources.__post_init__`` refuses two under one), so an agent with two default-named
servers, written as docs/mcp.md writes them, would be refused at construction."""

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
