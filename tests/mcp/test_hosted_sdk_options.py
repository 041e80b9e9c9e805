"""``HostedMCP`` takes what the API's hosted MCP tool takes (the openai SDK's model is the
oracle): a server by URL, by connector or by Secure MCP Tunnel (``tunnel_id``), exactly one;
``defer_loading`` (its tools found by tool search) and ``allowed_callers``. They go in the
configuration as given, on either API, and the emulator, which reaches no tunnel, says so."""

from __future__ import annotations

import pytest
from openai.types.realtime.realtime_tools_config_union import Mcp
from pydantic import TypeAdapter

import rtagents
from rtagents.session.live_config import start_config


def test_a_tunnel_with_deferred_loading_and_its_callers_is_configured() -> None:
    hosted = rtagents.HostedMCP(
        "intranet", tunnel_id="tunnel_abc123", defer_loading=True, allowed_callers=["direct"]
    )
    wire = hosted.definition().model_dump(exclude_none=True)
    assert wire == {
        "type": "mcp",
        "server_label": "intranet",
        "tunnel_id": "tunnel_abc123",
        "defer_loading": True,
        "allowed_callers": ["direct"],
    }
    TypeAdapter(Mcp).validate_python(wire)  # the SDK's own model takes it
    agent = rtagents.Agent(name="a", tools=[hosted])
    sent = agent.session_config().model_dump(exclude_none=True)["tools"]
    assert sent == [wire]
    live, _ = start_config(agent, [], "gpt-live-1")
    assert wire in _mcp_tools(live.model_dump(exclude_none=True))  # GPT-Live's backend
    assert "tunnel tunnel_abc123" in repr(hosted)


@pytest.mark.parametrize(
    "where",
    [
        {},
        {"server_url": "https://mcp.example.com/mcp", "tunnel_id": "tunnel_1"},
        {"connector_id": "connector_gmail", "tunnel_id": "tunnel_1"},
    ],
    ids=["none", "url-and-tunnel", "connector-and-tunnel"],
)
def test_exactly_one_place_is_given(where: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="exactly one of server_url, connector_id, tunnel_id"):
        rtagents.HostedMCP("x", **where)


def test_callers_are_checked() -> None:
    with pytest.raises(ValueError, match="allowed_callers"):
        rtagents.HostedMCP("x", tunnel_id="t", allowed_callers=["everyone"])  # type: ignore[list-item]


def _mcp_tools(config: object) -> list[object]:
    """Every hosted MCP tool anywhere in a configuration."""
    if isinstance(config, dict):
        found = [config] if config.get("type") == "mcp" else []
        return found + [t for v in config.values() for t in _mcp_tools(v)]
    if isinstance(config, list):
        return [t for v in config for t in _mcp_tools(v)]
    return []


@pytest.mark.anyio
async def test_the_emulator_says_it_reaches_no_tunnel(log_lines: list[str]) -> None:
    import anyio

    from rtagents.emulator import Emulator

    hosted = rtagents.HostedMCP("intranet", tunnel_id="tunnel_abc123")
    async with Emulator() as emu:
        async with rtagents.connect(
            rtagents.Agent(name="a", tools=[hosted]), url=emu.url, reconnect=None
        ) as session:
            with anyio.fail_after(10):
                async for event in session:
                    if event.type == "mcp_list_tools.failed":
                        break
                else:
                    pytest.fail("the session ended before the listing failed")
    assert any("tunnel tunnel_abc123 is not available in the emulator" in x for x in log_lines)
