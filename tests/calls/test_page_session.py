"""The session a browser's client secret is minted with (``calls.browser.page_session``): the
agent's, without its function tools (they come with the sideband, so that no call is made
before a sideband can run it), and without a ``tool_choice`` that would name or require
them."""

from __future__ import annotations

import rtagents
from rtagents.calls.browser import page_session
from rtagents.mcp import HostedMCP


@rtagents.tool
def get_weather(city: str) -> str:
    """The weather."""
    return "sunny"


def test_function_tools_and_a_required_choice_wait_for_the_sideband() -> None:
    agent = rtagents.Agent(name="a", tools=[get_weather], tool_choice="required")
    session = page_session(agent)
    assert session["tools"] == []
    assert "tool_choice" not in session


def test_hosted_servers_stay_and_so_does_a_choice_they_satisfy() -> None:
    docs = HostedMCP("docs", "https://docs.example.com/mcp", require_approval="never")
    agent = rtagents.Agent(name="a", tools=[get_weather, docs], tool_choice="required")
    session = page_session(agent)
    assert [t["type"] for t in session["tools"]] == ["mcp"]
    assert session["tool_choice"] == "required"
