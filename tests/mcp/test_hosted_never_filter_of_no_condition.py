"""Rule broken: fail closed (only an explicit, well-typed yes approves), and the rule of
commit 40f7ada: a ``never`` filter that names no condition exempts every tool of the server,
so it is refused when the ``HostedMCP`` is made (docs/mcp.md: "valid approval filters").

The fix refuses such a filter only when the condition was misspelt. The same filter of no
condition written with the right key and a null value (``{"never": {"tool_names": None}}``,
what a config file's ``tool_names:`` with nothing after it gives) is accepted, goes on the
wire as ``{"never": {"tool_names": null}}``, and every tool of the server runs without the
approval policy ever being asked (the emulator, below, does exactly that).
"""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import ApprovalPolicy
from rtagents.emulator import CallMCP, Emulator, ModelContext, ScriptedModel
from rtagents.mcp import HostedMCP
from tests.mcp.servers import http_notes_server

pytestmark = pytest.mark.timeout(60)


def answer(ctx: ModelContext) -> str:
    return " | ".join(
        item.get("output") or "declined"
        for item in ctx.pending_outputs
        if item["type"] in ("mcp_call", "mcp_approval_response")
    )


@pytest.mark.anyio
async def test_a_never_filter_with_a_null_condition_runs_every_tool_unasked() -> None:
    asked: list[str] = []

    def handler(request: rtagents.ApprovalRequest) -> bool:
        asked.append(request.tool_name)
        return False  # nothing is approved

    said: Any = None
    async with http_notes_server() as url:
        try:  # (refused when made, once fixed: nothing runs unasked)
            notes = HostedMCP(
                server_label="notes",
                server_url=url,
                require_approval={"never": {"tool_names": None}},
            )
        except (ValueError, TypeError):
            return
        agent = rtagents.Agent(
            name="h",
            tools=[notes],
            approval=ApprovalPolicy(handler=handler),
            output_modalities=["text"],
        )
        model = ScriptedModel([CallMCP("notes", "write_note", {"key": "k", "text": "v"}), answer])
        async with Emulator(model=model) as emu:
            async with rtagents.connect(agent, transport=emu.transport()) as session:
                await session.send_text("go")
                with anyio.fail_after(15):
                    async for event in session:
                        if event.type == "response.output_text.done":
                            said = event.text
                            break
                    else:
                        pytest.fail("the session ended before the event this loop waits for")
    assert said != "saved k", "write_note ran without the approval policy being asked"
    assert asked == ["write_note"]
