"""`Agent(tools=one_tool)`: a newcomer's slip (a tool, not a list of tools).

docs/agent.md: "`tools` takes function tools, `Toolset`s, `HostedMCP` configs and local MCP
servers. Anything else is a `TypeError` when the agent is made." Every other refusal names the
agent and says what `tools` takes; this one leaks an internal `'FunctionTool' object is not
iterable` from `Agent.sources`.
"""

from __future__ import annotations

import pytest

import rtagents


@rtagents.tool
def get_weather(city: str) -> str:
    """Current weather for a city."""
    return f"sunny in {city}"


def test_a_single_function_tool_is_refused_saying_what_tools_takes() -> None:
    with pytest.raises(TypeError, match=r"Agent 'a'.*(list|sequence)"):
        rtagents.Agent(name="a", tools=get_weather)  # type: ignore[arg-type]


def test_a_single_hosted_mcp_is_refused_saying_what_tools_takes() -> None:
    hosted = rtagents.HostedMCP(server_label="docs", server_url="https://mcp.example.com/mcp")
    with pytest.raises(TypeError, match=r"Agent 'a'.*(list|sequence)"):
        rtagents.Agent(name="a", tools=hosted)  # type: ignore[arg-type]
