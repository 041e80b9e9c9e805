"""A call item that breaks its schema in a field the session needs (an approval request with
its arguments as an object, a missing name, a null server label; a function call with no
name) is still answered, and denied: it is never left without an answer, and never run.
Only an item with no id to answer by is left out, as before."""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest

import rtagents
from rtagents import ApprovalPolicy, allow
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.protocol import decode_server_frame

from .test_fail_closed import HOSTED, ran, transfer

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(20)]

REQUEST = {
    "type": "mcp_approval_request",
    "id": "mcpr_odd",
    "server_label": "docs",
    "name": "search",
    "arguments": "{}",
}


def _frames(item: dict[str, Any]) -> list[str]:
    rid = "resp_odd"
    response = {"id": rid, "object": "realtime.response", "status": "completed", "output": [item]}
    created = {**response, "status": "in_progress", "output": []}
    return [
        json.dumps({"type": "response.created", "event_id": "e1", "response": created}),
        json.dumps(
            {
                "type": "response.output_item.done",
                "event_id": "e2",
                "response_id": rid,
                "output_index": 0,
                "item": item,
            }
        ),
        json.dumps({"type": "response.done", "event_id": "e3", "response": response}),
    ]


async def _answers(item: dict[str, Any], tools: list[Any]) -> tuple[list[Any], list[Any]]:
    ran.clear()
    # A policy that would approve a well-formed request: the deny comes from the breakage.
    policy = ApprovalPolicy(rules=[allow()], timeout=2)
    agent = rtagents.Agent(name="a", tools=tools, approval=policy, output_modalities=["text"])
    events: list[Any] = []
    async with Emulator(model=ScriptedModel(["ok"])) as emu:
        async with rtagents.connect(agent, transport=emu.transport()) as session:
            session.on("*")(events.append)
            for frame in _frames(item):
                await emu.last.send_raw(frame)
            with anyio.fail_after(5):
                while not [
                    e
                    for e in emu.last.received
                    if e["type"] == "conversation.item.create"
                    and e["item"]["type"] in ("mcp_approval_response", "function_call_output")
                ]:
                    await anyio.sleep(0.02)
            await anyio.sleep(0.2)
        answers = [
            e["item"]
            for e in emu.last.received
            if e["type"] == "conversation.item.create"
            and e["item"]["type"] in ("mcp_approval_response", "function_call_output")
        ]
    return answers, events


@pytest.mark.parametrize(
    "broken",
    [
        {"arguments": {"q": "x"}},
        {"arguments": None},
        {"name": None},
        {"server_label": None},
        {"name": 7, "arguments": [1]},
    ],
    ids=repr,
)
async def test_a_broken_approval_request_is_answered_with_a_deny(broken: dict[str, Any]) -> None:
    item = {k: v for k, v in {**REQUEST, **broken}.items() if v is not None}
    answers, events = await _answers(item, [HOSTED])
    assert [(a["approval_request_id"], a["approve"]) for a in answers] == [("mcpr_odd", False)]
    [decided] = [e for e in events if e.type == "approval.decided"]
    assert decided.approve is False
    assert [e for e in events if e.type == "session.warning"]  # what was broken is said


async def test_a_function_call_with_no_name_is_answered_and_never_run() -> None:
    item = {
        "type": "function_call",
        "id": "item_1",
        "status": "completed",
        "call_id": "call_odd",
        "arguments": json.dumps({"to": "mallory", "amount": 5}),
    }
    answers, _ = await _answers(item, [transfer])
    assert [a["call_id"] for a in answers] == ["call_odd"]
    assert json.loads(answers[0]["output"])["error"] == "unknown_tool"
    assert ran == []


def test_an_item_with_no_id_to_answer_by_is_still_left_out() -> None:
    item = {k: v for k, v in REQUEST.items() if k != "id"}
    frame = _frames(item)[2]  # response.done: its output list loses the item
    decoded = decode_server_frame(frame)
    assert decoded.event.response.output == []
    assert decoded.dropped == ("response.output[0]",)
