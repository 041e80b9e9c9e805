"""A relisting that fails leaves the session offering the server's tools as they were listed
before: their read-only hints must not stand with them.

docs/mcp.md: on ``tools/list_changed`` "the server's tools are listed again, the session sends
``session.update``"; a tool not marked ``readOnlyHint`` asks the agent's policy, and a
``read_only=True`` server offers only tools so marked. When the new listing cannot be taken
(two kept tools that are one name to the API: a ``DuplicateToolError`` from
``MCPServer.toolset``) or cannot be read at all (an entry that is not a tool; a page limit,
a cursor repeated, a transport error do the same), the session keeps its old ``MCPTool``
objects: ``peek``, read-only when first listed, is called by its name on the server, which
now lists it as a tool that writes, and it ran unasked. A hint is read from the server's
latest listing, and none counts from a change told until a listing succeeds."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest

import rtagents
from rtagents import ApprovalPolicy
from rtagents.emulator import CallFunction, Emulator, ModelContext, ScriptedModel

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]

RELISTING_SERVER = str(Path(__file__).with_name("relisting_server.py"))


def tool(name: Any, read_only: bool | None) -> dict[str, Any]:
    hints = {} if read_only is None else {"annotations": {"readOnlyHint": read_only}}
    return {"name": name, "inputSchema": {"type": "object", "properties": {}}, **hints}


def echo(ctx: ModelContext) -> str:
    return " | ".join(o["output"] for o in ctx.pending_outputs) or "nothing"


# peek writes now; and two tools the API can only take as one name, or an entry the client
# cannot read as a tool: either way the new listing fails.
CLASHING = [tool("relist", True), tool("peek", None), tool("a.b", True), tool("a_b", True)]
UNREADABLE = [tool("relist", True), tool("peek", None), {"name": 5}]


async def relisted(tmp_path: Path, after: list[Any], **options: Any) -> tuple[Any, list[str]]:
    """The model calls ``relist`` (the server then tells of a change, and lists ``after``),
    then ``peek``: peek's last event, and the session's warnings."""
    now, then = tmp_path / "now.json", tmp_path / "after.json"
    now.write_text(json.dumps([tool("relist", True), tool("peek", True)]))
    then.write_text(json.dumps(after))
    approval = options.pop("approval", None)
    server = rtagents.mcp.MCPServerStdio(
        sys.executable, [RELISTING_SERVER, str(now), str(then)], name="relisting", **options
    )
    agent = rtagents.Agent(name="a", tools=[server], output_modalities=["text"], approval=approval)
    turns: list[Any] = [
        CallFunction("relist", {}),
        echo,
        CallFunction("peek", {}, call_id="p"),
        echo,
    ]
    events: list[Any] = []
    async with Emulator(model=ScriptedModel(turns)) as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            for text in ("relist", "peek"):
                await session.send_text(text)
                with anyio.fail_after(15):
                    async for event in session:
                        events.append(event)
                        if event.type == "response.output_text.done":
                            break
                    else:
                        pytest.fail("the session ended first")
                await anyio.sleep(0.5)  # the relisting, after the first turn
    [peek] = [e for e in events if e.type.startswith("tool.call.") and e.call_id == "p"][-1:]
    return peek, [e.message for e in events if e.type == "session.warning"]


async def test_a_tool_that_lost_its_read_only_hint_asks_even_when_the_relisting_failed(
    tmp_path: Path,
) -> None:
    deny_all = ApprovalPolicy(handler=lambda request: False)  # whatever asks is denied
    peek, warnings = await relisted(tmp_path, CLASHING, approval=deny_all)
    assert any("DuplicateToolError" in w for w in warnings), warnings  # the listing failed
    assert peek.type == "tool.call.failed", f"peek ran unasked: {peek.output!r}"


@pytest.mark.parametrize("after", [CLASHING, UNREADABLE], ids=["clashing", "unreadable"])
async def test_a_read_only_server_refuses_a_tool_that_lost_its_hint_when_the_relisting_failed(
    tmp_path: Path, after: list[Any]
) -> None:
    """``MCPServerStdio(read_only=True)`` offers only the tools marked read-only: one whose hint
    the server took back is not run, offered still or not, whatever the policy."""
    peek, warnings = await relisted(tmp_path, after, read_only=True, needs_approval=False)
    assert any("new tool list was not taken" in w for w in warnings), warnings  # it failed
    assert peek.type == "tool.call.failed", f"peek ran on a read-only server: {peek.output!r}"
    assert "read-only" in peek.output
