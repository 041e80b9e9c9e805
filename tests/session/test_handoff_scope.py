"""Which agent decides a call when the session switches agents while a response runs.

A handoff's transfer: the calls of the transfer's own response were made for the leaving
agent, so its tools, its approval policy and its hosted MCP configuration decide them (on
GPT-Live too, where another delegation's response may be open at the same time). The app's
own switch (``update_agent``) keeps nothing: its policy decides every call from then on, so
that an app can lock a session down in the middle of an answer."""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest

import rtagents
from rtagents import ApprovalPolicy, allow, deny
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.emulator.faults import ErrorReply
from rtagents.mcp import HostedMCP

from .live.frames import call_item
from .live.server import live_server

pytestmark = pytest.mark.anyio

URL = "http://127.0.0.1:9/mcp"
ran: list[int] = []


@rtagents.tool
def wire_money(amount: int) -> str:
    """Send money."""
    ran.append(amount)
    return f"sent {amount}"


@rtagents.tool
def take_note(text: str) -> str:
    """Note what the user asked for."""
    return f"noted: {text}"


def frame(kind: str, **fields: Any) -> str:
    return json.dumps({"type": kind, "event_id": f"ev_{kind}_{len(json.dumps(fields))}", **fields})


def created(rid: str) -> str:
    response = {"id": rid, "object": "realtime.response", "status": "in_progress", "output": []}
    return frame("response.created", response=response)


async def until(events: list[Any], found: Any, within: float = 5) -> list[Any]:
    with anyio.fail_after(within):
        while not (hits := [e for e in events if found(e)]):
            await anyio.sleep(0.02)
    return hits


def resource(server: Any) -> dict[str, Any]:
    """The Live session as the server gives it back (a resource: id, expiry, status)."""
    return {**server.session, "id": "live_1", "expires_at": 1_900_000_000, "status": "active"}


def item_done(rid: str, n: int, item: dict[str, Any]) -> str:
    done = {"type": "response.output_item.done", "event_id": f"ev_{rid}_{n}"}
    return json.dumps({**done, "response_id": rid, "output_index": n, "item": item})


async def open_delegation(server: Any, d: str, rid: str | None) -> None:
    """GPT-Live starts delegation ``d``, and its response ``rid`` (none: no id is given)."""
    delegation: dict[str, Any] = {"type": "delegation", "id": d, "target": "responses"}
    if rid is not None:
        delegation["response_id"] = rid
    await server.send("session.delegation.created", offset_ms=1, delegation=delegation)
    if rid is not None:
        await server.stream(d, "response.created", response={"id": rid, "status": "in_progress"})


async def transfer_on_live(server: Any, to: str) -> None:
    """GPT-Live's delegation del_a (response resp_a) calls the transfer ``to`` (call h1)."""
    await open_delegation(server, "del_a", "resp_a")
    transfer = call_item("h1", f"transfer_to_{to}")
    await server.stream("del_a", "response.output_item.done", output_index=0, item=transfer)


async def transfer_on_realtime(conn: Any, events: list[Any], to: str) -> None:
    """The emulator's connection ``conn`` has response resp_R1 call the transfer ``to``
    (call h1); back once the session handed off."""
    await conn.send_raw(created("resp_R1"))
    await conn.send_raw(item_done("resp_R1", 0, call_item("h1", f"transfer_to_{to}")))
    await until(events, lambda e: e.type == "handoff")


async def refuse(server: Any, update: dict[str, Any]) -> None:
    """GPT-Live refuses the ``session.update`` it was sent."""
    ref = update["event_id"]
    error = {"type": "invalid_request_error", "code": "invalid_value", "message": "refused"}
    await server.send("error", client_event_id=ref, error={**error, "client_event_id": ref})


def strict_triage(to: rtagents.Agent) -> rtagents.Agent:
    """An agent whose policy denies its own tool, and which can hand off ``to``."""
    deny_notes = deny(tool="take_note", reason="triage takes no notes")
    policy = ApprovalPolicy(rules=[deny_notes])
    return rtagents.Agent(name="triage", tools=[take_note], handoffs=[to], approval=policy)


def answered(call_id: str) -> Any:
    return lambda e: e.type in ("tool.call.completed", "tool.call.failed") and e.call_id == call_id


@pytest.mark.parametrize("how", ["another agent", "the same agent changed"])
async def test_a_call_after_update_agent_is_decided_by_the_new_policy(how: str) -> None:
    ran.clear()
    agent = rtagents.Agent(
        name="bank",
        tools=[wire_money],
        approval=ApprovalPolicy(rules=[allow(tool="*")]),
        output_modalities=["text"],
    )
    locked = ApprovalPolicy(rules=[deny(tool="*", reason="locked down")])
    events: list[Any] = []
    async with Emulator(model=ScriptedModel(["ok"])) as emu:
        async with rtagents.connect(agent, url=emu.url) as session:
            session.on("*")(events.append)
            await emu.last.send_raw(created("resp_R1"))
            await until(events, lambda e: e.type == "response.created")
            if how == "another agent":
                await session.update_agent(agent.clone(name="bank-locked", approval=locked))
            else:
                agent.approval = locked
                await session.update_agent(agent)
            item = call_item("c1", "wire_money", '{"amount": 5000}')
            await emu.last.send_raw(item_done("resp_R1", 0, item))
            [result] = await until(events, answered("c1"))
    assert result.type == "tool.call.failed" and result.kind == "denied" and ran == []


async def test_a_hosted_request_beside_the_transfer_is_checked_against_the_leaving_agents_config() -> (
    None
):
    only_search = HostedMCP(
        server_label="docs", server_url=URL, allowed_tools=["search"], require_approval="always"
    )
    everything = HostedMCP(server_label="docs", server_url=URL, require_approval="always")
    new = rtagents.Agent(
        name="new",
        tools=[everything],
        approval=ApprovalPolicy(rules=[allow(server="docs", tool="*")], timeout=2),
        output_modalities=["text"],
    )
    leaving = rtagents.Agent(
        name="leaving",
        tools=[only_search],
        handoffs=[new],
        approval=ApprovalPolicy(rules=[allow(server="docs")], timeout=2),
        output_modalities=["text"],
    )
    events: list[Any] = []
    async with Emulator(model=ScriptedModel(["ok"])) as emu:
        async with rtagents.connect(leaving, url=emu.url) as session:
            session.on("*")(events.append)
            conn = emu.last
            await transfer_on_realtime(conn, events, "new")
            for n, tool in enumerate(["delete_all", "search"], start=1):
                request = {
                    "type": "mcp_approval_request",
                    "id": f"mcpr_{n}",
                    "server_label": "docs",
                    "name": tool,
                    "arguments": "{}",
                }
                await conn.send_raw(item_done("resp_R1", n, request))
            await until(events, lambda e: e.type == "approval.decided" and e.request.id == "mcpr_1")
            await until(events, lambda e: e.type == "approval.decided" and e.request.id == "mcpr_2")
    by_tool = {e.request.tool_name: e.approve for e in events if e.type == "approval.decided"}
    # delete_all is outside the leaving agent's allowed_tools (the new agent's config and
    # rules would allow it); search is allowed by the leaving agent's rule.
    assert by_tool == {"delete_all": False, "search": True}


@pytest.mark.parametrize("delegations", [1, 2])
async def test_on_live_a_call_beside_the_transfer_is_the_leaving_agents(delegations: int) -> None:
    # Two delegations' responses may be open at once: the transfer's own response is kept.
    billing = rtagents.Agent(
        name="billing", tools=[take_note], approval=ApprovalPolicy(rules=[allow(tool="*")])
    )
    triage = strict_triage(billing)
    events: list[Any] = []
    async with live_server() as server:
        async with rtagents.connect(triage, url=server.url, api="live") as session:
            session.on("*")(events.append)
            for d, rid in (("del_a", "resp_a"), ("del_b", "resp_b"))[:delegations]:
                await open_delegation(server, d, rid)
            transfer = call_item("h1", "transfer_to_billing")
            await server.stream("del_a", "response.output_item.done", output_index=0, item=transfer)
            await server.expect("session.update")
            await server.send("session.updated", session=resource(server))
            await until(events, lambda e: e.type == "handoff")  # the switch is done
            note = call_item("n1", "take_note", '{"text": "x"}')
            await server.stream("del_a", "response.output_item.done", output_index=1, item=note)
            [result] = await until(events, answered("n1"))
    assert result.type == "tool.call.failed" and result.kind == "denied"
    assert "triage takes no notes" in result.message


@pytest.mark.parametrize("transfer", ["made", "refused"])
async def test_update_agent_after_a_transfer_in_the_answer_locks_the_answers_calls(
    transfer: str,
) -> None:
    # The answer made a transfer (or tried to: the server refused it), then the app locks
    # the session down: a call the answer makes after that is the app's policy's to decide.
    ran.clear()
    lenient = ApprovalPolicy(rules=[allow(tool="*")])
    locked = ApprovalPolicy(rules=[deny(tool="*", reason="locked down")])
    support = rtagents.Agent(
        name="support", tools=[wire_money], approval=lenient, output_modalities=["text"]
    )
    bank = rtagents.Agent(
        name="bank",
        tools=[wire_money],
        handoffs=[support],
        approval=lenient,
        output_modalities=["text"],
    )
    events: list[Any] = []
    async with Emulator(model=ScriptedModel(["ok"])) as emu:
        async with rtagents.connect(bank, url=emu.url) as session:
            session.on("*")(events.append)
            conn = emu.last
            await conn.send_raw(created("resp_R1"))
            await until(events, lambda e: e.type == "response.created")
            if transfer == "refused":
                conn.add_fault(ErrorReply(to="session.update", code="invalid_value"))
            await conn.send_raw(item_done("resp_R1", 0, call_item("h1", "transfer_to_support")))
            [h1] = await until(events, answered("h1"))
            assert (h1.type == "tool.call.failed") == (transfer == "refused")
            await session.update_agent(session.agent.clone(approval=locked))
            wire = call_item("c1", "wire_money", '{"amount": 5000}')
            await conn.send_raw(item_done("resp_R1", 1, wire))
            [result] = await until(events, answered("c1"))
    assert result.type == "tool.call.failed" and result.kind == "denied" and ran == []


@pytest.mark.parametrize("second", ["made", "refused"])
async def test_on_live_a_transfer_in_another_delegation_keeps_the_first_responses_agent(
    second: str,
) -> None:
    lenient = ApprovalPolicy(rules=[allow(tool="*")])
    closer = rtagents.Agent(name="closer", tools=[take_note], approval=lenient)
    billing = rtagents.Agent(name="billing", tools=[take_note], handoffs=[closer], approval=lenient)
    triage = strict_triage(billing)
    events: list[Any] = []
    async with live_server() as server:
        async with rtagents.connect(triage, url=server.url, api="live") as session:
            session.on("*")(events.append)

            await transfer_on_live(server, "billing")
            await server.expect("session.update")
            await server.send("session.updated", session=resource(server))
            await until(events, lambda e: e.type == "handoff")
            await open_delegation(server, "del_b", "resp_b")  # billing's turn, resp_a still open
            transfer = call_item("h2", "transfer_to_closer")
            await server.stream("del_b", "response.output_item.done", output_index=0, item=transfer)
            [_, update] = await server.expect("session.update", 2)
            if second == "made":
                await server.send("session.updated", session=resource(server))
            else:
                await refuse(server, update)
            [h2] = await until(events, answered("h2"))
            assert (h2.type == "tool.call.failed") == (second == "refused")
            note = call_item("n1", "take_note", '{"text": "x"}')
            await server.stream("del_a", "response.output_item.done", output_index=1, item=note)
            [result] = await until(events, answered("n1"))
    assert result.type == "tool.call.failed" and result.kind == "denied"
