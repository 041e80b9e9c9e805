"""Errors a live local MCP server answers with are answers: never taken for a dead server."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ModelContext, ScriptedModel
from rtagents.mcp import MCPServerStdio
from rtagents.testing import sent_outputs

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]

REVIEW_SERVER = str(Path(__file__).with_name("review_server.py"))


def echo(ctx: ModelContext) -> str:
    return " | ".join(o["output"] for o in ctx.pending_outputs)


async def converse(agent: rtagents.Agent, turns: list[Any]) -> tuple[list[Any], dict[str, str]]:
    events: list[Any] = []
    async with Emulator(model=ScriptedModel(turns)) as emu:
        async with rtagents.connect(agent, transport=emu.transport()) as session:
            await session.send_text("go")
            with anyio.fail_after(10):
                async for event in session:
                    events.append(event)
                    if len([e for e in events if e.type == "response.done"]) >= 2:
                        break
                else:
                    pytest.fail(f"the session ended first: {[e.type for e in events]}")
        conn = emu.last
    return events, sent_outputs(conn.received)


async def test_an_error_answer_that_mentions_a_closed_connection_is_not_a_dead_server() -> None:
    # The server is alive and answered the call with a JSON-RPC error whose message happens
    # to say "Connection closed" (its database's, not the MCP connection).
    server = MCPServerStdio(sys.executable, [REVIEW_SERVER], name="rv")
    agent = rtagents.Agent(name="r", tools=[server], output_modalities=["text"])
    turns = [CallFunction("query", {"sql": "select 1"}, call_id="q"), echo]
    events, outputs = await converse(agent, turns)
    failed = [e for e in events if e.type == "mcp.server.failed"]
    body = json.loads(outputs["q"])
    assert not failed, f"a live server reported failed: {failed}"
    assert body["error"] != "unavailable", body
