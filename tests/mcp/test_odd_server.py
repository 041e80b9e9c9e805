"""A local MCP server's odd cases, against a real server (``odd_server.py``): tool names the
Realtime API does not take, a resource link in a result, and a tool that never answers."""

from __future__ import annotations

import json
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


def hangs(*call_ids: str) -> list[CallFunction]:
    return [CallFunction("hang", {}, call_id=call_id) for call_id in call_ids]


def hanging() -> rtagents.Agent:
    return agent_with(odd(allowed_tools=["hang", "ping_me"], timeout=0.5))


async def test_a_server_that_stops_answering_is_reported_failed_once() -> None:
    # Four calls time out (one failed event, at the third), and the session goes on: the
    # next call is answered.
    turns = [hangs("h0", "h1", "h2", "h3"), CallFunction("ping_me", {}, call_id="p"), echo]
    events, outputs, _ = await converse(hanging(), turns, responses=3)
    assert [json.loads(outputs[f"h{i}"])["error"] for i in range(4)] == ["timeout"] * 4
    assert outputs["p"] == "pong"
    failed = [(e.server, e.error) for e in events if e.type == "mcp.server.failed"]
    assert failed == [("odd", "TimeoutError: 3 calls in a row got no answer")]


async def test_an_answer_between_time_outs_keeps_the_server_from_being_reported() -> None:
    turns = [hangs("h0", "h1"), CallFunction("ping_me", {}, call_id="p"), hangs("h2", "h3"), echo]
    events, outputs, _ = await converse(hanging(), turns, responses=4)
    assert [json.loads(outputs[f"h{i}"])["error"] for i in range(4)] == ["timeout"] * 4
    assert outputs["p"] == "pong"
    assert [e for e in events if e.type == "mcp.server.failed"] == []
