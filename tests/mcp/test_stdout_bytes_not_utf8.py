"""A stdio MCP server that writes a line that is not UTF-8 to its stdout (a stray binary write,
a C library's message in Latin-1) goes on: the line is read with U+FFFD for what it cannot
decode, and the calls are answered. (Read strictly, it killed the client's reader: the call
in flight and every later one waited out its timeout, and the server was never taken for
gone.)"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ModelContext, ScriptedModel
from rtagents.mcp import MCPServerStdio
from rtagents.testing import sent_outputs

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]
ODD_SERVER = str(Path(__file__).with_name("odd_bytes_server.py"))


def echo(ctx: ModelContext) -> str:
    return " | ".join(o["output"] for o in ctx.pending_outputs)


def answered(output: str, result: str) -> bool:
    """The call's result, or at least a prompt ``unavailable`` (never its timeout)."""
    if output == result:
        return True
    try:
        return json.loads(output)["error"] == "unavailable"
    except (ValueError, KeyError, TypeError):
        return False


async def test_a_line_that_is_not_utf8_on_stdout_does_not_hang_every_call() -> None:
    server = MCPServerStdio(sys.executable, [ODD_SERVER], name="rev", needs_approval=False)
    agent = rtagents.Agent(name="a", tools=[server], output_modalities=["text"], tool_timeout=3)
    turns = [
        CallFunction("binary", {}, call_id="b"),  # writes b"\xff\xfe garbage\n", then answers
        echo,
        CallFunction("pid", {}, call_id="p"),
        echo,
    ]
    async with Emulator(model=ScriptedModel(turns)) as emu:
        async with rtagents.connect(agent, transport=emu.transport()) as session:
            with anyio.fail_after(20):
                await session.ask("one")
                await session.ask("two")
        outputs = sent_outputs(emu.last.received)
    # (Both timed out before: the client's reader had died on the line.)
    assert answered(outputs["b"], "binary ok"), outputs["b"]
    assert outputs["p"].isdigit() or answered(outputs["p"], ""), outputs["p"]
