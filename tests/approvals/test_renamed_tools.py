"""A local MCP tool offered under another name (``tool_prefix``, or renamed on a clash) is
still held back by a rule made for its own name: a ``deny`` or ``ask`` rule's ``tool`` matches
the server's name for it too, and an ``allow`` rule's only when that rule names the server.
Before, a rename took the tool out from under its deny rule, and the call ran."""

from __future__ import annotations

import sys

import pytest

import rtagents
from rtagents import ApprovalPolicy, ApprovalRequest, allow, ask, deny
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.mcp import MCPServerStdio

from ..mcp.servers import NOTES_SERVER

pytestmark = pytest.mark.anyio


def request(offered: str, own: str | None, server: str | None = "notes") -> ApprovalRequest:
    return ApprovalRequest.for_call(
        "call_1",
        offered,
        {},
        server_label=server,
        read_only=False,
        agent=None,
        server_tool_name=own,
    )


def test_a_rule_for_the_servers_name_meets_the_renamed_tool() -> None:
    renamed = request("n_write_note", "write_note")
    assert renamed.server_tool_name == "write_note"
    assert deny(tool="write_note").matches(renamed)
    assert deny(tool="write_*", server="notes").matches(renamed)
    assert ask(tool="write_note").matches(renamed)
    assert allow(tool="write_note", server="notes").matches(renamed)
    assert allow(tool="n_write_note").matches(renamed)  # the offered name, as ever
    # An allow that names no server never approves a tool offered under another name by
    # its name on some server: that name may be a function tool's, or another server's.
    assert not allow(tool="write_note").matches(renamed)
    assert not deny(tool="lookup").matches(renamed)
    assert not deny(tool="write_note", server="other").matches(renamed)


def test_a_tool_offered_under_its_own_name_has_no_second_name() -> None:
    same = request("write_note", "write_note")
    assert same.server_tool_name is None
    function = request("write_note", None, server=None)
    assert allow(tool="write_note").matches(function)
    assert not deny(tool="n_write_note").matches(function)


@rtagents.tool
def write_note(key: str, text: str) -> str:
    """An app function under the server's tool's name."""
    return "function wrote"


@pytest.mark.parametrize("how", ["tool_prefix", "renamed on a clash"])
async def test_a_deny_for_an_mcp_tool_holds_whatever_it_is_offered_as(how: str) -> None:
    prefix = "n_" if how == "tool_prefix" else ""
    server = MCPServerStdio(sys.executable, [NOTES_SERVER], name="notes", tool_prefix=prefix)
    offered = "n_write_note" if prefix else "notes_write_note"
    policy = ApprovalPolicy(
        rules=[deny(server="notes", tool="write_note", reason="never write"), allow(server="notes")]
    )
    extra = [] if prefix else [write_note]
    agent = rtagents.Agent(
        name="a", tools=[server, *extra], approval=policy, output_modalities=["text"]
    )
    model = ScriptedModel([CallFunction(offered, {"key": "k", "text": "v"}, call_id="w"), "ok"])
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, transport=emu.transport()) as session:
            events = await session.ask("write it")
    [decided] = [e for e in events if e.type == "approval.decided"]
    assert (decided.approve, decided.decided_by) == (False, "rule")
    [failed] = [e for e in events if e.type == "tool.call.failed"]
    assert failed.kind == "denied" and failed.name == offered
