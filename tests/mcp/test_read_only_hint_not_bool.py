"""A local MCP tool whose ``readOnlyHint`` is not JSON's ``true`` (``"yes"``, ``1``, as a server
in another language may send) does not count as read-only: approvals fail closed, as on the
hosted path (which takes the hint only as a bool). The ``mcp`` client reads the listing
leniently and turns ``"yes"`` into ``True``: under ``needs_approval="unless_read_only"`` a
tool that wipes data ran without asking the policy (which here allows nothing).

The server is written by hand (``loose_hints_server.py``), so that the wire holds what it
says: one built with ``mcp`` checks its own listing before it sends it."""

from __future__ import annotations

import sys
from pathlib import Path

import anyio
import pytest

import rtagents
from rtagents import ApprovalPolicy
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.mcp import MCPServerStdio

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]
SERVER = str(Path(__file__).with_name("loose_hints_server.py"))


async def called(tool: str, tmp_path: Path) -> tuple[list[str], list[str], object]:
    """The call of ``tool`` under a policy that allows nothing: how it ended, what the
    server ran, and what the session took the tool's hint for."""
    calls = tmp_path / "calls"
    calls.touch()
    local = MCPServerStdio(sys.executable, [SERVER, str(calls)], name="loose")
    agent = rtagents.Agent(
        name="a",
        tools=[local],
        approval=ApprovalPolicy(rules=[], timeout=1),
        output_modalities=["text"],
    )
    outcome: list[str] = []
    model = ScriptedModel([CallFunction(tool, {}, call_id="c"), "ok"])
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, transport=emu.transport()) as session:
            read_only = session.tools.get(tool).read_only  # type: ignore[union-attr]
            await session.send_text("go")
            with anyio.fail_after(20):
                async for event in session:
                    if event.type in ("tool.call.failed", "tool.call.completed"):
                        outcome.append(getattr(event, "kind", "ran"))
                        break
                else:
                    pytest.fail("the session ended before the call was answered")
    return outcome, calls.read_text().split(), read_only


@pytest.mark.parametrize("tool", ["wipe", "erase"])  # "yes", 1
async def test_a_read_only_hint_that_is_not_true_is_not_read_only(
    tool: str, tmp_path: Path
) -> None:
    outcome, ran, read_only = await called(tool, tmp_path)
    assert (outcome, ran) == (["denied"], []), "a tool not marked true ran without approval"
    assert read_only is not True


async def test_a_true_read_only_hint_still_skips_approval(tmp_path: Path) -> None:
    outcome, ran, read_only = await called("peek", tmp_path)
    assert (outcome, ran, read_only) == (["ran"], ["peek"], True)
