"""A server says its tools changed (``tools/list_changed``) and its new listing cannot be
read at all (here: one entry is not a tool; a page limit, a cursor repeated, a transport error
do the same): ``MCPServer.refresh`` raises before ``listed`` is replaced, so ``MCPTool.read_only``
still reads the old listing, and ``peek``, whose hint the server took back, runs unasked on a
``read_only=True`` server. docs/mcp.md: "a server that takes a hint back has it taken back at
once, even when the session cannot take the new listing ... On a read_only=True server such a
tool is then not run." Fail closed would be: an unread relisting leaves no hint standing."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ModelContext, ScriptedModel

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]

RELISTING_SERVER = str(Path(__file__).parents[1] / "mcp" / "relisting_server.py")


def tool(name: Any, read_only: bool | None) -> dict[str, Any]:
    hints = {} if read_only is None else {"annotations": {"readOnlyHint": read_only}}
    return {"name": name, "inputSchema": {"type": "object", "properties": {}}, **hints}


def echo(ctx: ModelContext) -> str:
    return " | ".join(o["output"] for o in ctx.pending_outputs) or "nothing"


async def test_an_unreadable_relisting_leaves_no_read_only_hint_standing(tmp_path: Path) -> None:
    now, after = tmp_path / "now.json", tmp_path / "after.json"
    now.write_text(json.dumps([tool("relist", True), tool("peek", True)]))
    # peek now writes; and an entry the client cannot read as a tool: the listing fails.
    after.write_text(json.dumps([tool("relist", True), tool("peek", None), {"name": 5}]))
    server = rtagents.mcp.MCPServerStdio(
        sys.executable,
        [RELISTING_SERVER, str(now), str(after)],
        name="relisting",
        read_only=True,
        needs_approval=False,
    )
    agent = rtagents.Agent(name="a", tools=[server], output_modalities=["text"])
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
                await anyio.sleep(0.5)
    warnings = [e.message for e in events if e.type == "session.warning"]
    assert any("_refresh failed" in w for w in warnings), warnings  # the listing failed
    [peek] = [e for e in events if e.type.startswith("tool.call.") and e.call_id == "p"][-1:]
    assert peek.type == "tool.call.failed", f"peek ran on a read-only server: {peek.output!r}"
