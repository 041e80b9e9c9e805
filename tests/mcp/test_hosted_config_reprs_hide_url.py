"""docs/failures.md: reprs show a URL with neither its query, its fragment nor a password,
and an MCP server's path that may be its credential as nothing. ``HostedMCP``'s own repr, and
the wire models it is sent as (``Agent.session_config()``, ``HostedMCP.definition()``, GPT-Live's
``McpTool``), show its ``server_url`` so: a ``print(agent.session_config())`` while debugging
shows no credential."""

from __future__ import annotations

import pytest

import rtagents

PASSWORD = "hunter2-pass-77"
QUERY_TOKEN = "tok-9876543210abc"
PATH_TOKEN = "abcdef123456789xyz"
URL = f"https://bob:{PASSWORD}@mcp.example.com/api/mcp/s/{PATH_TOKEN}/mcp?token={QUERY_TOKEN}"


def _hosted() -> rtagents.HostedMCP:
    return rtagents.HostedMCP(
        "zap", server_url=URL, authorization="oauth-secret-123", require_approval="never"
    )


def test_the_hosted_repr_itself_hides_them() -> None:
    shown = repr(_hosted())
    assert not any(s in shown for s in (PASSWORD, QUERY_TOKEN, PATH_TOKEN)), shown


def test_the_live_wire_model_hides_them() -> None:
    from rtagents.protocol.live import McpTool

    shown = repr(McpTool(server_label="zap", server_url=URL))
    assert not any(s in shown for s in (PASSWORD, QUERY_TOKEN, PATH_TOKEN)), shown
    assert "mcp.example.com" in shown


@pytest.mark.parametrize("what", ["session_config", "definition"])
def test_the_config_reprs_hide_the_urls_credentials(what: str) -> None:
    hosted = _hosted()
    agent = rtagents.Agent(name="a", tools=[hosted])
    made = agent.session_config() if what == "session_config" else hosted.definition()
    shown = repr(made)
    assert "oauth-secret-123" not in shown  # (hidden: repr=False)
    leaked = [s for s in (PASSWORD, QUERY_TOKEN, PATH_TOKEN) if s in shown]
    assert not leaked, f"repr({what}()) shows the hosted server URL's credentials {leaked}: {shown}"
