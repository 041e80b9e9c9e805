"""Every function call gets exactly one answer, also when the server reuses an id (a call_id
reused by a later response is answered with an error and never run: ``call_arrived``).

The orchestrator keeps call ids and hosted approval-request ids in one ``_seen`` dict, and
records an approval request with no response id. A later response's function call whose
``call_id`` equals an earlier ``mcp_approval_request`` id then looks like "the same call,
announced again" (``first is None``) and is dropped: never run, never answered, no
``tool.call.*`` event, so the model waits for an output that never comes. Right: an id
first seen as an approval request is never taken for the same function call: the call is
answered (as a duplicate, with an error), exactly once."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import ApprovalPolicy, deny
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.mcp import HostedMCP
from tests.approvals.test_fail_closed import hosted_request
from tests.session.live.frames import call_item
from tests.session.test_handoff_scope import created, item_done, until

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]


@rtagents.tool
def lookup(q: str) -> str:
    """Look something up."""
    return f"found {q}"


async def test_a_call_reusing_an_approval_requests_id_is_still_answered() -> None:
    agent = rtagents.Agent(
        name="a",
        tools=[lookup, HostedMCP(server_label="docs", server_url="http://127.0.0.1:9/mcp")],
        approval=ApprovalPolicy(rules=[deny(server="docs")]),
        output_modalities=["text"],
    )
    events: list[Any] = []
    async with Emulator(model=ScriptedModel(["ok", "ok"])) as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            session.on("*")(events.append)
            conn = emu.last
            for frame in hosted_request(conn, "x1", "docs", "search", "{}"):
                await conn.send_raw(frame)
            await until(events, lambda e: e.type == "approval.decided")
            await conn.send_raw(created("resp_2"))
            await conn.send_raw(item_done("resp_2", 0, call_item("x1", "lookup", '{"q": "a"}')))
            with anyio.move_on_after(2):
                await until(
                    events, lambda e: e.type.startswith("tool.call.") and e.call_id == "x1", 3
                )
    answered = [e for e in events if e.type in ("tool.call.completed", "tool.call.failed")]
    assert [e.call_id for e in answered] == ["x1"], [e.type for e in events]
