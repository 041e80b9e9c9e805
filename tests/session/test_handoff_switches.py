"""A transfer's switch against what else changes the session's agent meanwhile: the app's
own ``update_agent`` made while the transfer's configuration is on its way stands when the
server refuses the transfer; a transfer given up at its deadline still follows the server's
answer; the new agent's MCP server relisting its tools keeps nothing less; and a transfer in
a response with no id keeps nothing for later responses."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import pytest

import rtagents
from rtagents import ApprovalPolicy, Reconnect, allow, deny, handoff
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.mcp import MCPServerStdio
from rtagents.session import runner

from ..mcp.servers import NOTES_SERVER
from .live.server import live_server
from .test_handoff_scope import (
    answered,
    call_item,
    item_done,
    open_delegation,
    ran,
    refuse,
    resource,
    take_note,
    transfer_on_live,
    transfer_on_realtime,
    until,
    wire_money,
)

pytestmark = pytest.mark.anyio


async def test_a_refused_transfer_does_not_undo_a_lock_down_made_meanwhile() -> None:
    ran.clear()
    lenient = ApprovalPolicy(rules=[allow(tool="*")])
    locked = ApprovalPolicy(rules=[deny(tool="*", reason="locked down")])
    billing = rtagents.Agent(name="billing", tools=[wire_money], approval=lenient)
    bank = rtagents.Agent(name="bank", tools=[wire_money], handoffs=[billing], approval=lenient)
    events: list[Any] = []
    async with live_server() as server:
        async with rtagents.connect(bank, url=server.url, api="live") as session:
            session.on("*")(events.append)
            await transfer_on_live(server, "billing")
            [transfer_update] = await server.expect("session.update")
            async with anyio.create_task_group() as tg:
                tg.start_soon(session.update_agent, bank.clone(name="bank-locked", approval=locked))
                await server.expect("session.update", 2)
                await refuse(server, transfer_update)  # the transfer: refused
                await until(events, answered("h1"))
                await server.send(
                    "session.updated", session=resource(server)
                )  # the lock-down: taken
            name = session.agent.name
            await server.stream(
                "del_a",
                "response.completed",
                response={"id": "resp_a", "status": "completed", "output": []},
            )
            await open_delegation(server, "del_b", "resp_b")  # a later answer
            result = await wire_money_in(server, events, "del_b")
    assert result.type == "tool.call.failed" and result.kind == "denied", (result, ran, name)
    assert name == "bank-locked"


async def test_a_transfer_given_up_at_its_deadline_leaves_the_session_on_the_leaving_agent() -> (
    None
):
    ran.clear()
    billing = rtagents.Agent(
        name="billing", tools=[wire_money], approval=ApprovalPolicy(rules=[allow(tool="*")])
    )
    triage = rtagents.Agent(
        name="triage",
        tools=[wire_money],
        handoffs=[billing],
        tool_timeout=0.3,
        approval=ApprovalPolicy(
            rules=[
                allow(tool="transfer_to_billing"),
                deny(tool="wire_money", reason="triage moves no money"),
            ]
        ),
    )
    events: list[Any] = []
    async with live_server() as server:
        async with rtagents.connect(triage, url=server.url, api="live") as session:
            session.on("*")(events.append)
            await transfer_on_live(server, "billing")
            [update] = await server.expect("session.update")
            [h1_result] = await until(events, answered("h1"))  # given up at 0.3 s
            assert h1_result.type == "tool.call.failed" and h1_result.kind == "timeout"
            await refuse(server, update)  # ...and the server refuses it
            await anyio.sleep(0.2)
            name = session.agent.name
            await server.stream(
                "del_a",
                "response.completed",
                response={"id": "resp_a", "status": "completed", "output": []},
            )
            await open_delegation(server, "del_b", "resp_b")  # triage's next answer
            result = await wire_money_in(server, events, "del_b")
    assert result.type == "tool.call.failed" and result.kind == "denied", (result, ran, name)
    assert name == "triage"
    assert not [e for e in events if e.type == "handoff"]


@pytest.mark.parametrize("refresh", [False, True])
async def test_list_changed_after_a_transfer_keeps_the_leaving_agents_policy(refresh: bool) -> None:
    ran.clear()
    server = MCPServerStdio(sys.executable, [NOTES_SERVER], name="notes", needs_approval=False)
    async with server:
        billing = rtagents.Agent(
            name="billing",
            tools=[wire_money, server],
            approval=ApprovalPolicy(rules=[allow(tool="*")]),
            output_modalities=["text"],
        )
        triage = rtagents.Agent(
            name="triage",
            tools=[wire_money],
            handoffs=[billing],
            approval=ApprovalPolicy(
                rules=[
                    allow(tool="transfer_to_billing"),
                    deny(tool="wire_money", reason="triage moves no money"),
                ]
            ),
            output_modalities=["text"],
        )
        events: list = []
        async with Emulator(model=ScriptedModel(["ok"])) as emu:
            async with rtagents.connect(triage, url=emu.url) as session:
                session.on("*")(events.append)
                conn = emu.last
                await transfer_on_realtime(conn, events, "billing")
                # billing's server says its tools changed (what notifications/tools/list_changed does)
                if refresh:
                    for listener in list(server._listeners):
                        listener.tools_changed(server)
                    await until(events, lambda e: e.type == "mcp.tools.changed")
                await conn.send_raw(
                    item_done("resp_R1", 1, call_item("c1", "wire_money", '{"amount": 5000}'))
                )
                [result] = await until(events, answered("c1"))
    assert result.type == "tool.call.failed" and result.kind == "denied", (result, ran)
    assert ran == []


async def test_a_later_responses_call_without_an_id_is_the_new_agents() -> None:
    ran.clear()
    billing = rtagents.Agent(
        name="billing",
        tools=[wire_money],
        approval=ApprovalPolicy(rules=[deny(tool="wire_money", reason="billing moves no money")]),
    )
    triage = rtagents.Agent(
        name="triage",
        tools=[wire_money],
        handoffs=[billing],
        approval=ApprovalPolicy(rules=[allow(tool="*")]),
    )
    events: list[Any] = []
    async with live_server() as server:
        async with rtagents.connect(triage, url=server.url, api="live") as session:
            session.on("*")(events.append)
            await open_delegation(server, "del_a", None)
            await transfer_in(server, "del_a", "h1", "billing")
            await server.expect("session.update")
            await server.send("session.updated", session=resource(server))
            await until(events, lambda e: e.type == "handoff")
            await until(events, answered("h1"))
            # A later delegation: billing's answer (billing's tools and instructions now)
            await open_delegation(server, "del_b", None)
            result = await wire_money_in(server, events, "del_b")
    assert result.type == "tool.call.failed" and result.kind == "denied", (result, ran)


async def test_two_transfers_both_refused_leave_the_session_on_the_agent_the_server_runs() -> None:
    """Two transfers in a row, both ``session.update``s on their way, both refused: the
    server still runs the first agent, and so does the session (not the second agent, whose
    own configuration the server refused first)."""
    ran.clear()
    support = rtagents.Agent(name="support", tools=[wire_money])
    billing = rtagents.Agent(name="billing", tools=[wire_money], handoffs=[support])
    bank = rtagents.Agent(name="bank", tools=[wire_money], handoffs=[billing])
    events: list[Any] = []
    async with live_server() as server:
        async with rtagents.connect(bank, url=server.url, api="live") as session:
            session.on("*")(events.append)
            await transfer_on_live(server, "billing")
            [to_billing] = await server.expect("session.update")
            await open_delegation(server, "del_b", "resp_b")  # billing's: on to support
            await transfer_in(server, "del_b", "h2", "support")
            [_, to_support] = await server.expect("session.update", 2)
            await refuse(server, to_billing)
            await until(events, answered("h1"))
            await refuse(server, to_support)
            await until(events, answered("h2"))
            name = session.agent.name
    assert name == "bank"


async def test_a_refused_transfer_takes_back_the_agent_the_app_switched_to_meanwhile() -> None:
    """bank to billing on its way; the app locks the session down (``update_agent(desk)``,
    taken); desk's own transfer to support refused: the server runs desk (the last
    configuration it took), and so does the session, whose calls desk's policy decides."""
    ran.clear()
    lenient = ApprovalPolicy(rules=[allow(tool="*")])
    locked = ApprovalPolicy(
        rules=[allow(tool="transfer_to_support"), deny(tool="wire_money", reason="locked")]
    )
    support = rtagents.Agent(name="support", tools=[wire_money])
    billing = rtagents.Agent(name="billing", tools=[wire_money])
    desk = rtagents.Agent(name="desk", tools=[wire_money], handoffs=[support], approval=locked)
    bank = rtagents.Agent(name="bank", tools=[wire_money], handoffs=[billing], approval=lenient)
    events: list[Any] = []
    async with live_server() as server:
        async with rtagents.connect(bank, url=server.url, api="live") as session:
            session.on("*")(events.append)
            await transfer_on_live(server, "billing")
            [to_billing] = await server.expect("session.update")
            async with anyio.create_task_group() as tg:
                tg.start_soon(session.update_agent, desk)
                await server.expect("session.update", 2)
                await open_delegation(server, "del_b", "resp_b")  # desk's answer
                await transfer_in(server, "del_b", "h2", "support")
                [_, _, to_support] = await server.expect("session.update", 3)
                await refuse(server, to_billing)
                await until(events, answered("h1"))
                await server.send("session.updated", session=resource(server))  # desk: taken
            await refuse(server, to_support)
            await until(events, answered("h2"))
            name = session.agent.name
            await open_delegation(server, "del_c", "resp_c")  # a later answer
            result = await wire_money_in(server, events, "del_c")
    assert (name, result.type, ran) == ("desk", "tool.call.failed", [])


async def test_calls_of_a_refused_transfers_response_are_the_agent_taken_backs() -> None:
    """bank (denies wire_money) to billing (allows it) to support, both refused: the session
    is back on bank, and a later call of the second transfer's own response is decided by
    bank's policy, not billing's (an agent the server never ran)."""
    ran.clear()
    billing = permissive("billing", rtagents.Agent(name="support", tools=[wire_money]))
    bank = strict_bank(billing)
    events: list[Any] = []
    async with live_server() as server:
        async with rtagents.connect(bank, url=server.url, api="live") as session:
            session.on("*")(events.append)
            await transfer_on_live(server, "billing")
            [to_billing] = await server.expect("session.update")
            await open_delegation(server, "del_b", "resp_b")
            await transfer_in(server, "del_b", "h2", "support")
            [_, to_support] = await server.expect("session.update", 2)
            await refuse(server, to_billing)
            await until(events, answered("h1"))
            await refuse(server, to_support)
            await until(events, answered("h2"))
            name = session.agent.name
            result = await wire_money_in(server, events, "del_b", 1)
    assert name == "bank"
    assert result.type == "tool.call.failed" and result.kind == "denied", (result, ran)


async def test_taken_back_past_refused_transfers_an_accepted_transfers_response_stays_its_own() -> (
    None
):
    """bank to billing taken, its response still open; billing to support and support to
    desk, both refused: the session is back on billing, and a later call in the first
    transfer's response is still decided by bank's policy (its leaving agent), not billing's.
    Only what the refused transfers kept goes."""
    ran.clear()
    support = permissive("support", rtagents.Agent(name="desk", tools=[wire_money]))
    bank = strict_bank(permissive("billing", support))
    events: list[Any] = []
    async with live_server() as server:
        async with rtagents.connect(bank, url=server.url, api="live") as session:
            session.on("*")(events.append)
            await transfer_on_live(server, "billing")  # in resp_a, which stays open
            [to_billing] = await server.expect("session.update")
            await server.send("session.updated", session=resource(server))  # billing: taken
            await until(events, answered("h1"))
            await open_delegation(server, "del_b", "resp_b")
            await transfer_in(server, "del_b", "h2", "support")
            [_, to_support] = await server.expect("session.update", 2)
            await open_delegation(server, "del_c", "resp_c")
            await transfer_in(server, "del_c", "h3", "desk")
            [_, _, to_desk] = await server.expect("session.update", 3)
            await refuse(server, to_support)
            await until(events, answered("h2"))
            await refuse(server, to_desk)
            await until(events, answered("h3"))
            name = session.agent.name
            result = await wire_money_in(server, events, "del_a", 1)
    assert name == "billing"
    assert result.type == "tool.call.failed" and result.kind == "denied", (result, ran)


async def test_two_transfers_in_one_burst_send_the_configuration_of_the_agent_taken_last() -> None:
    """One response lists two transfers (bank to billing, then to support): both calls take
    their agent before the first transfer's configuration goes out. The first sends none;
    the server is sent support's, with support's tools, once."""
    ran.clear()
    lenient = ApprovalPolicy(rules=[allow(tool="*")])
    support = rtagents.Agent(name="support", tools=[take_note], approval=lenient)
    billing = rtagents.Agent(name="billing", tools=[wire_money], approval=lenient)
    bank = rtagents.Agent(name="bank", handoffs=[billing, support], approval=lenient)
    events: list[Any] = []
    async with live_server() as server:
        async with rtagents.connect(bank, url=server.url, api="live") as session:
            session.on("*")(events.append)
            await open_delegation(server, "del_a", "resp_a")
            h1, h2 = call_item("h1", "transfer_to_billing"), call_item("h2", "transfer_to_support")
            response = {"id": "resp_a", "status": "completed", "output": [h1, h2]}
            await server.stream("del_a", "response.completed", response=response)
            [update] = await server.expect("session.update")
            await server.send("session.updated", session=resource(server))
            await until(events, answered("h1"))
            await until(events, answered("h2"))
            name, updates = session.agent.name, server.of("session.update")
    tools = {t["name"] for t in update["session"]["delegation"]["responses"]["tools"]}
    assert (name, tools, len(updates)) == ("support", {"take_note"}, 1)


async def test_an_update_agent_made_before_the_transfers_configuration_went_stands() -> None:
    """The app's ``update_agent`` runs right after a transfer took billing, before the
    transfer's own ``session.update`` went out: the app's agent is the session's, and the
    only configuration the server is sent."""
    ran.clear()
    lenient = ApprovalPolicy(rules=[allow(tool="*")])
    locked = rtagents.Agent(name="locked", instructions="Locked.", tools=[take_note])
    billing = rtagents.Agent(name="billing", tools=[wire_money], approval=lenient)
    bank = rtagents.Agent(name="bank", handoffs=[billing], approval=lenient)
    events: list[Any] = []
    async with live_server() as server:
        async with rtagents.connect(bank, url=server.url, api="live") as session:
            session.on("*")(events.append)
            tasks: list[Any] = []
            use = session._runner.use

            def use_then_lock(agent: Any, *args: Any, **kwargs: Any) -> None:
                use(agent, *args, **kwargs)
                if agent is billing:  # the app's task, woken in the same loop pass, runs next
                    tasks.append(asyncio.ensure_future(session.update_agent(locked)))

            session._runner.use = use_then_lock  # type: ignore[method-assign]
            await transfer_on_live(server, "billing")
            [update] = await server.expect("session.update")
            await server.send("session.updated", session=resource(server))
            await until(events, answered("h1"))
            await asyncio.gather(*tasks)
            name, updates = session.agent.name, server.of("session.update")
    responses = update["session"]["delegation"]["responses"]
    tools = [t["name"] for t in responses["tools"]]
    assert (name, tools, len(updates)) == ("locked", ["take_note"], 1)
    assert "Locked." in json.dumps(update)


async def test_a_transfers_response_resumed_after_a_drop_stays_the_leaving_agents() -> None:
    """bank (denies wire_money) hands off to billing (allows everything) in resp_a; the
    connection drops and the attached connection carries on resp_a: a call later in it was
    made with bank's tools, so bank's policy decides it."""
    ran.clear()
    bank = strict_bank(permissive("billing"))
    events: list[Any] = []
    fast = Reconnect(backoff=0.05, max_backoff=0.05)
    async with live_server() as server:
        async with rtagents.connect(bank, url=server.url, api="live", reconnect=fast) as session:
            session.on("*")(events.append)
            await transfer_on_live(server, "billing")  # in resp_a, which stays open
            await server.expect("session.update")
            await server.send("session.updated", session=resource(server))
            await until(events, answered("h1"))
            await server.drop()
            await server.expect("session.update", 2)  # the attached connection's
            await server.send("session.updated", session=resource(server))
            await until(events, lambda e: e.type == "session.reconnected")
            result = await wire_money_in(server, events, "del_a", 1)
    assert result.type == "tool.call.failed" and result.kind == "denied", (result, ran)


async def test_a_transfer_made_while_the_connection_is_down_is_the_next_ones_agent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The transfer's ``session.update`` cannot go while the connection is down: it waits
    for no reply (the next connection's own would be taken for it, and that connection
    left unconfigured), and the next connection is configured with the new agent."""
    monkeypatch.setattr(runner, "CONFIGURE_TIMEOUT_S", 1.0)
    async with dropped_while_transferring() as (server, s, events, gate):
        await until(events, lambda e: e.type == "session.reconnecting")
        gate.set()  # the transfer goes on, offline
        await until(events, answered("h1"))
        sent = len(server.of("session.update"))
        [*_, attach] = await server.expect("session.update", sent + 1)
        await server.send("session.updated", session=resource(server))
        await until(events, lambda e: e.type == "session.reconnected")
        name = s.agent.name
    assert not [e for e in events if e.type == "session.closed" and e.error]
    assert name == "billing" and "transfer_to_billing" not in json.dumps(attach)


async def test_a_transfer_made_while_the_reconnects_configuration_waits_is_the_servers() -> None:
    """The new connection was sent bank's configuration already; the transfer to billing is
    made while that waits for its answer (offline until the replay): billing's goes next."""
    async with dropped_while_transferring() as (server, s, events, gate):
        [attach] = await server.expect("session.update")  # bank's, forced
        gate.set()  # the transfer goes on while that waits for its answer
        [h1] = await until(events, answered("h1"))
        await server.send("session.updated", session=resource(server))
        await server.expect("session.update", 2)
        await server.send("session.updated", session=resource(server))
        await until(events, lambda e: e.type == "session.reconnected")
        updates = server.of("session.update")
        name = s.agent.name
    assert h1.type == "tool.call.completed" and name == "billing"
    assert "transfer_to_billing" in json.dumps(attach)  # bank's, sent before the transfer
    assert "transfer_to_billing" not in json.dumps(updates[-1])  # then billing's


@asynccontextmanager
async def dropped_while_transferring() -> AsyncIterator[
    tuple[Any, rtagents.RealtimeSession, list[Any], anyio.Event]
]:
    """A GPT-Live session of bank, whose transfer to billing waits for its approval (the
    ``gate``) while the connection drops: the server, the session, its events, the gate."""
    gate = anyio.Event()
    events: list[Any] = []
    reconnect = Reconnect(backoff=0.05, max_backoff=0.05)
    bank = transfer_waiting_for(gate)
    async with live_server() as server:
        async with rtagents.connect(bank, url=server.url, api="live", reconnect=reconnect) as s:
            s.on("*")(events.append)
            await transfer_on_live(server, "billing")
            await until(events, lambda e: e.type == "approval.requested")
            assert server.of("session.update") == []  # (GPT-Live's start: session.start)
            await server.drop()
            yield server, s, events, gate


def transfer_waiting_for(gate: anyio.Event) -> rtagents.Agent:
    """bank, whose transfer to billing waits for ``gate`` (its approval) to go on."""

    async def later(request: Any) -> bool:
        await gate.wait()
        return True

    billing = rtagents.Agent(name="billing", tools=[wire_money])
    handoffs = [handoff(billing, needs_approval=True)]
    return rtagents.Agent(
        name="bank", tools=[wire_money], handoffs=handoffs, approval=ApprovalPolicy(handler=later)
    )


def permissive(name: str, *handoffs: rtagents.Agent) -> rtagents.Agent:
    """An agent with ``wire_money`` whose policy allows everything."""
    allow_all = ApprovalPolicy(rules=[allow(tool="*")])
    return rtagents.Agent(
        name=name, tools=[wire_money], handoffs=list(handoffs), approval=allow_all
    )


def strict_bank(to: rtagents.Agent) -> rtagents.Agent:
    """bank: it may hand off ``to``; its policy denies ``wire_money``."""
    rules = [allow(tool=f"transfer_to_{to.name}"), deny(tool="wire_money", reason="no")]
    return rtagents.Agent(
        name="bank", tools=[wire_money], handoffs=[to], approval=ApprovalPolicy(rules=rules)
    )


async def transfer_in(server: Any, delegation: str, call_id: str, to: str) -> None:
    """GPT-Live's open delegation ``delegation`` calls the transfer ``to`` (``call_id``)."""
    call = call_item(call_id, f"transfer_to_{to}")
    await server.stream(delegation, "response.output_item.done", output_index=0, item=call)


async def wire_money_in(server: Any, events: list[Any], delegation: str, index: int = 0) -> Any:
    """``delegation``'s response calls ``wire_money`` (call c1) at ``index``: how it ended."""
    call = call_item("c1", "wire_money", '{"amount": 5000}')
    await server.stream(delegation, "response.output_item.done", output_index=index, item=call)
    [result] = await until(events, answered("c1"))
    return result
