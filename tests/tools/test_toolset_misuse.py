"""Silent misuses of toolsets a new user hits.

1. ``toolset.filtered("mail_send_*")`` (one glob, not a list of them) is taken as the
   iterable of its characters, and the pattern ``*`` among them keeps every tool: a filter
   written to *restrict* what the model may call exposes all of it (mypy accepts it, str
   being an Iterable[str]). Refused, as
   ``HostedMCP`` refuses it, with the list to write instead.
2. ``Toolset([search, send_email])`` (the tools given where the name goes) makes an empty
   toolset named by the list; an Agent given it offers no tools, with no error. Right:
   refuse a non-str name with a TypeError saying ``Toolset(name, tools)``.
"""

from __future__ import annotations

import pytest

import rtagents
from rtagents import Toolset


@rtagents.tool
def search(query: str) -> str:
    """Search."""
    return "r"


@rtagents.tool
def send_email(to: str, body: str) -> str:
    """Send an email."""
    return "sent"


@rtagents.tool
def delete_account(user: str) -> str:
    """Delete an account."""
    return "deleted"


def test_filtered_with_one_glob_string_is_refused_saying_how() -> None:
    mail = Toolset("mail", [search, send_email, delete_account])
    with pytest.raises(TypeError, match=r"not a string: \['send_\*'\]"):
        mail.filtered("send_*")
    assert mail.filtered(["send_*"]).names() == ["send_email"]


def test_toolset_given_its_tools_as_the_name_is_an_error() -> None:
    with pytest.raises(TypeError):
        Toolset([search, send_email])  # type: ignore[arg-type]


def test_agent_with_a_nameless_toolset_offers_its_tools_or_refuses() -> None:
    try:
        agent = rtagents.Agent(name="a", tools=[Toolset([search, send_email])])  # type: ignore[arg-type]
    except TypeError:
        return
    assert agent.session_config().tools, "the agent silently has no tools"


def test_local_mcp_allowed_tools_as_one_glob_string_keeps_only_the_matches() -> None:
    """3. The same with a local MCP server: ``allowed_tools="list_*"`` becomes the list of
    its characters, ``*`` matches everything, and the write tool ``add_event`` is offered
    too. HostedMCP refuses a string here (mcp/hosted.py:57); MCPServerStdio should too, or
    take it as one pattern."""
    import sys
    from pathlib import Path

    import anyio

    from rtagents.mcp import MCPServerStdio

    server_py = Path(__file__).resolve().parents[2] / "examples" / "calendar_server.py"

    async def main() -> list[str]:
        try:
            server = MCPServerStdio(
                command=sys.executable, args=[str(server_py)], allowed_tools="list_*"
            )
        except TypeError:
            return ["list_events"]  # refused: also fine
        async with server:
            return server.toolset().names()

    assert anyio.run(main) == ["list_events"]
