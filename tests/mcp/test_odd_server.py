"""A local MCP server's odd cases, against a real server (``odd_server.py``): tool names the
Realtime API does not take, a resource link in a result, and a tool that never answers."""

from __future__ import annotations

import sys
from typing import Any

import pytest

import rtagents
from rtagents.emulator import CallFunction
from rtagents.mcp import MCPServerStdio
from rtagents.tools import DuplicateToolError

from .servers import ODD_SERVER
from .test_local import converse, echo

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]


def odd(**options: Any) -> MCPServerStdio:
    return MCPServerStdio(sys.executable, [ODD_SERVER], name="odd", **options)


def agent_with(server: MCPServerStdio) -> rtagents.Agent:
    return rtagents.Agent(name="o", tools=[server], output_modalities=["text"])


@pytest.mark.parametrize(
    ("kept", "answer"), [("search.notes", "dotted: q"), ("search_notes", "plain: q")]
)
async def test_a_filter_keeps_one_of_two_tools_whose_api_names_clash(
    kept: str, answer: str
) -> None:
    # Both are ``search_notes`` to the API. The filter picks by the server's own names, before
    # they are made API names: keeping one is no clash (connect() raised DuplicateToolError).
    turns = [CallFunction("search_notes", {"query": "q"}, call_id="s"), echo]
    _, outputs, conn = await converse(agent_with(odd(allowed_tools=[kept])), turns)
    assert outputs["s"] == answer
    assert [t["name"] for t in conn.session["tools"]] == ["search_notes"]


async def test_two_kept_tools_whose_api_names_clash_are_an_error_naming_both() -> None:
    async with odd(allowed_tools=["search*"]) as server:
        with pytest.raises(DuplicateToolError, match=r"'search\.notes' and 'search_notes'"):
            server.toolset()


async def test_a_resource_link_reaches_the_model_with_its_name_and_uri() -> None:
    turns = [CallFunction("report", {}, call_id="r"), echo]
    _, outputs, _ = await converse(agent_with(odd(allowed_tools=["report"])), turns)
    assert outputs["r"] == (
        "the report is ready\n[resource_link q3-report <file:///reports/q3.pdf> application/pdf]"
    )
