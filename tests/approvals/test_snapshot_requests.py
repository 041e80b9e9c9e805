"""A hosted MCP approval request that the server lists only in ``response.done`` (no
``response.output_item.done`` came for it) is still answered, by the agent's policy, and
exactly once however often it is listed: the server waits for the answer, and a request
left unanswered would stall the conversation."""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest

import rtagents
from rtagents import ApprovalPolicy, allow
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.session.actions import Send, ToolTraits
from rtagents.session.realtime import RealtimeCore

from .test_fail_closed import HOSTED

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(20)]

REQUEST = {
    "type": "mcp_approval_request",
    "id": "mcpr_snap",
    "server_label": "docs",
    "name": "search",
    "arguments": '{"q": "tides"}',
}


def _frames(item_done: bool) -> list[str]:
    rid = "resp_snap"
    response = {"id": rid, "object": "realtime.response", "status": "completed"}
    frames = [{"type": "response.created", "event_id": "e1", "response": {**response}}]
    frames[0]["response"].update(status="in_progress", output=[])
    if item_done:
        frames.append(
            {
                "type": "response.output_item.done",
                "event_id": "e2",
                "response_id": rid,
                "output_index": 0,
                "item": REQUEST,
            }
        )
    frames.append({"type": "response.done", "event_id": "e3", "response": {**response}})
    frames[-1]["response"]["output"] = [REQUEST]
    return [json.dumps(f) for f in frames]


async def _answers(policy: ApprovalPolicy, item_done: bool) -> list[dict[str, Any]]:
    agent = rtagents.Agent(name="a", tools=[HOSTED], approval=policy, output_modalities=["text"])

    def answers(emu: Emulator) -> list[dict[str, Any]]:
        return [
            e["item"]
            for e in emu.last.received
            if e["type"] == "conversation.item.create"
            and e["item"]["type"] == "mcp_approval_response"
        ]

    async with Emulator(model=ScriptedModel(["ok"])) as emu:
        async with rtagents.connect(agent, transport=emu.transport()) as session:
            for frame in _frames(item_done):
                await emu.last.send_raw(frame)
            with anyio.fail_after(5):
                while not answers(emu):
                    await anyio.sleep(0.02)
            await anyio.sleep(0.2)  # a second answer, if one were coming
            assert session.closed_reason is None
        return answers(emu)


@pytest.mark.parametrize("item_done", [False, True], ids=["snapshot only", "both"])
async def test_a_request_listed_in_response_done_is_answered_once(item_done: bool) -> None:
    answers = await _answers(ApprovalPolicy(rules=[allow(server="docs")], timeout=2), item_done)
    assert [(a["approval_request_id"], a["approve"]) for a in answers] == [("mcpr_snap", True)]


async def test_a_request_only_in_response_done_meets_the_policys_deny() -> None:
    answers = await _answers(ApprovalPolicy(timeout=2), item_done=False)
    assert [(a["approval_request_id"], a["approve"]) for a in answers] == [("mcpr_snap", False)]


def test_a_request_only_in_response_done_is_journaled_for_a_replay() -> None:
    """Our answer is replayed after a drop: the request it answers must be replayed before
    it, or the new session refuses the answer. The snapshot is the only place this request
    was told, so that is where it is journaled (the one place both APIs journal a request)."""
    core = RealtimeCore(lambda name, response_id: ToolTraits())
    for frame in _frames(item_done=False):
        core.receive_frame(frame)
    core.settle()
    core.disconnected()
    replayed = [action.event.item for action in core.replay() if isinstance(action, Send)]
    requests = [i for i in replayed if getattr(i, "type", None) == "mcp_approval_request"]
    assert [(r.id, r.name, r.arguments) for r in requests] == [
        ("mcpr_snap", "search", '{"q": "tides"}')
    ]
