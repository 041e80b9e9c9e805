"""A hosted MCP filter with a misspelt key is refused when the ``HostedMCP`` is made.

docs/mcp.md: "It is checked when you make it: exactly one of server_url, connector_id and tunnel_id, a
known connector, valid approval filters." The filters are pydantic wire models with
``extra="allow"``, so ``{"never": {"tool_name": [...]}}`` (for ``tool_names``) or
``{"read_onyl": True}`` pass as filters that name no condition at all. Such a ``never``
filter then matches every tool: the user meant one read-only tool to run unasked and every
tool of the server runs without the approval policy ever being asked (the emulator does
exactly that, below); an ``allowed_tools`` filter with a typo allows every tool, and the
agent's own checks (``HostedMCP.allows``, the unasked-rule warning) read it as no filter.
"""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import ApprovalPolicy
from rtagents.emulator import CallMCP, Emulator, ModelContext, ScriptedModel
from rtagents.mcp import HostedMCP

from .servers import http_notes_server

pytestmark = pytest.mark.timeout(60)


@pytest.mark.parametrize(
    "options",
    [
        {"require_approval": {"never": {"tool_name": ["lookup"]}}},
        {"require_approval": {"nevr": {"tool_names": ["lookup"]}}},
        {"allowed_tools": {"read_onyl": True}},
        # A never filter of no condition, with the right key (a config file's "tool_names:"
        # with nothing after it): it exempts every tool just the same.
        {"require_approval": {"never": {"tool_names": None}}},
        {"require_approval": {"never": {}}},
    ],
)
def test_a_misspelt_filter_is_refused_when_made(options: dict[str, Any]) -> None:
    with pytest.raises((ValueError, TypeError)):
        HostedMCP(server_label="notes", server_url="https://notes.example.com/mcp", **options)


def answer(ctx: ModelContext) -> str:
    return " | ".join(
        item.get("output") or "declined"
        for item in ctx.pending_outputs
        if item["type"] in ("mcp_call", "mcp_approval_response")
    )


@pytest.mark.anyio
@pytest.mark.parametrize(
    "never", [{"tool_name": ["lookup"]}, {"tool_names": None}], ids=["misspelt", "of_none"]
)
async def test_a_never_filter_of_no_condition_runs_no_tool_unasked(never: Any) -> None:
    asked: list[str] = []

    def handler(request: rtagents.ApprovalRequest) -> bool:
        asked.append(request.tool_name)
        return False  # nothing is approved

    async with http_notes_server() as url:
        try:  # (refused when made, once fixed: nothing runs unasked)
            notes = HostedMCP(
                server_label="notes",
                server_url=url,
                require_approval={"never": never},
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
