"""Local MCP servers (stdio and streamable HTTP) whose tools the session calls."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import pytest

import rtagents
from rtagents import ApprovalPolicy, Decision, allow, ask, deny
from rtagents.emulator import CallFunction, Emulator, ModelContext, ScriptedModel
from rtagents.mcp import MCPServer, MCPServerHTTP, MCPServerStdio
from rtagents.testing import sent_outputs

from .servers import NAMES_SERVER, NOTES_SERVER, http_notes_server

pytestmark = pytest.mark.anyio
HERE_ON_PATH = {"PYTHONPATH": os.getcwd()}  # (the test servers import rtagents.testing)


def echo(ctx: ModelContext) -> str:
    return " | ".join(o["output"] for o in ctx.pending_outputs)


@asynccontextmanager
async def notes(transport: str, **options: Any) -> AsyncIterator[MCPServer]:
    if transport == "stdio":
        yield MCPServerStdio(sys.executable, [NOTES_SERVER], name="notes", **options)
    else:
        async with http_notes_server() as url:
            yield MCPServerHTTP(
                url, headers={"Authorization": "Bearer mcp-secret"}, name="notes", **options
            )


async def converse(
    agent: rtagents.Agent, turns: list[Any], responses: int = 2
) -> tuple[list[Any], dict[str, str], Any]:
    events: list[Any] = []
    async with Emulator(model=ScriptedModel(turns)) as emu:
        async with rtagents.connect(agent, transport=emu.transport()) as session:
            await session.send_text("go")
            with anyio.fail_after(20):
                async for event in session:
                    events.append(event)
                    if len([e for e in events if e.type == "response.done"]) >= responses:
                        break
                else:
                    pytest.fail("the session ended before the event this loop waits for")
        conn = emu.last
    outputs = sent_outputs(conn.received)
    return events, outputs, conn


@pytest.mark.parametrize("transport", ["stdio", "http"])
async def test_local_tools_called_by_the_model(transport: str) -> None:
    async with notes(transport) as server:
        agent = rtagents.Agent(
            name="n",
            tools=[server],
            approval=ApprovalPolicy(rules=[allow(server="notes", tool=["write_note", "explode"])]),
            output_modalities=["text"],
        )
        turns = [
            [
                CallFunction("lookup", {"key": "greeting"}, call_id="r"),
                CallFunction("write_note", {"key": "k", "text": "v"}, call_id="w"),
                CallFunction("explode", {}, call_id="x"),
            ],
            echo,
        ]
        events, outputs, conn = await converse(agent, turns)
    assert outputs["r"] == "hello from MCP"
    assert outputs["w"] == "saved k"
    body = json.loads(outputs["x"])
    assert body["error"] == "error" and "Error executing tool explode" in body["message"]
    tools = {t["name"]: t for t in conn.session["tools"]}
    assert set(tools) == {"lookup", "write_note", "explode", "learn_trick", "ruffle", "crash"}
    assert tools["lookup"]["parameters"]["properties"]["key"]["type"] == "string"
    kinds = {e.request.tool_name: e.request.kind for e in events if e.type == "approval.requested"}
    assert kinds == {
        "write_note": "mcp_local",
        "explode": "mcp_local",
    }  # read-only lookup asked nothing


async def test_local_approval_paths() -> None:
    async with notes("stdio") as server:
        asked: list[str] = []

        def handler(request: rtagents.ApprovalRequest) -> bool:
            asked.append(request.tool_name)
            assert request.server_label == "notes" and request.read_only is False
            return False

        policy = ApprovalPolicy(
            rules=[deny(tool="explode", reason="no explosions"), ask(server="notes")],
            handler=handler,
        )
        agent = rtagents.Agent(
            name="n", tools=[server], approval=policy, output_modalities=["text"]
        )
        turns = [
            [
                CallFunction("write_note", {"key": "k", "text": "v"}, call_id="w"),
                CallFunction("explode", {}, call_id="x"),
            ],
            echo,
        ]
        events, outputs, _ = await converse(agent, turns)
    assert asked == ["write_note"]
    assert json.loads(outputs["w"])["error"] == "denied"
    assert "no explosions" in json.loads(outputs["x"])["message"]
    decided = {e.request.tool_name: e.decided_by for e in events if e.type == "approval.decided"}
    assert decided == {"write_note": "handler", "explode": "rule"}


async def test_a_yes_remembered_for_the_session_outlives_a_change_of_the_servers_tools() -> None:
    """A relisting takes the agent's tools again, not its policy: what the session
    remembered under that policy stays (only a switch of policy forgets, a handoff's). A
    voice user who said "yes, and don't ask again" is not asked again."""
    asked: list[str] = []

    def handler(request: rtagents.ApprovalRequest) -> Decision:
        asked.append(request.tool_name)
        return Decision(True, remember="session")

    changed: list[Any] = []

    async def once_changed(ctx: ModelContext) -> CallFunction:
        with anyio.fail_after(10):
            while not changed:
                await anyio.sleep(0.05)
        return CallFunction("write_note", {"key": "k", "text": "v"}, call_id="w2")

    async with notes("stdio") as server:
        policy = ApprovalPolicy(rules=[allow(tool="learn_trick")], handler=handler)
        agent = rtagents.Agent(
            name="n", tools=[server], approval=policy, output_modalities=["text"]
        )
        turns = [
            CallFunction("write_note", {"key": "k", "text": "v"}, call_id="w1"),
            CallFunction("learn_trick", {}, call_id="l"),  # the server's tools change
            once_changed,
            "done",
        ]
        decided: list[str] = []
        async with Emulator(model=ScriptedModel(turns)) as emu:
            async with rtagents.connect(agent, transport=emu.transport()) as session:
                session.on("mcp.tools.changed")(changed.append)
                session.on("approval.decided")(
                    lambda e: decided.append(f"{e.request.call_id}:{e.decided_by}")
                )
                await session.send_text("go")
                with anyio.fail_after(20):
                    async for event in session:
                        if event.type == "tool.call.completed" and event.call_id == "w2":
                            break
                    else:
                        pytest.fail("the session ended before the event this loop waits for")
    assert decided == ["w1:handler", "l:rule", "w2:remembered"]
    assert asked == ["write_note"]


async def test_names_the_api_does_not_take_are_made_its_own() -> None:
    """A taken name is offered as ``{server}_{name}`` under a label the API's names do not
    allow ("crm.v2"), and a prefixed name past 64 characters is cut to 64: neither makes
    ``connect`` fail."""

    @rtagents.tool
    def lookup(key: str) -> str:
        """A function tool that takes the name first."""
        return "function"

    def names(**options: Any) -> MCPServerStdio:
        return MCPServerStdio(sys.executable, [NAMES_SERVER], env=HERE_ON_PATH, **options)

    agent = rtagents.Agent(
        name="n", tools=[lookup, names(name="crm.v2")], output_modalities=["text"]
    )
    _, outputs, conn = await converse(agent, [CallFunction("lookup", {"key": "x"}), echo])
    offered = [t["name"] for t in conn.session["tools"]]
    assert "crm_v2_lookup" in offered and len(offered) == 3
    prefixed = names(name="crm", tool_prefix="crm_")
    await prefixed.connect()
    try:
        made = prefixed.toolset().names()
    finally:
        await prefixed.close()
    assert "crm_lookup" in made and all(len(name) <= 64 for name in made)
    assert [n for n in made if n.startswith("crm_search")] == [
        "crm_search_customer_accounts_by_region_and_status_incl_archived_v2"[:64]
    ]


async def test_filters_prefix_and_collisions() -> None:
    @rtagents.tool
    def lookup(key: str) -> str:
        """A function tool that takes the name first."""
        return "function"

    async with notes("stdio", allowed_tools=["lookup", "write_*"], needs_approval=False) as server:
        agent = rtagents.Agent(name="n", tools=[lookup, server], output_modalities=["text"])
        turns = [
            [
                CallFunction("lookup", {"key": "greeting"}, call_id="f"),
                CallFunction("notes_lookup", {"key": "greeting"}, call_id="m"),
            ],
            echo,
        ]
        events, outputs, conn = await converse(agent, turns)
    assert outputs == {"f": "function", "m": "hello from MCP"}
    assert [t["name"] for t in conn.session["tools"]] == ["lookup", "notes_lookup", "write_note"]
    assert any(
        "offered as 'notes_lookup'" in e.message for e in events if e.type == "session.warning"
    )
    async with notes("stdio", read_only=True, tool_prefix="n_") as server:
        await server.connect()
        assert server.toolset().names() == ["n_lookup"]
        await server.close()


async def test_tools_list_changed_updates_the_session() -> None:
    async with notes("http", needs_approval=False) as server:
        agent = rtagents.Agent(name="n", tools=[server], output_modalities=["text"])
        async with Emulator(
            model=ScriptedModel(
                [
                    CallFunction("learn_trick", {}),
                    "learned",
                    CallFunction("juggle", {"balls": 3}, call_id="j"),
                    echo,
                ]
            )
        ) as emu:
            async with rtagents.connect(agent, transport=emu.transport()) as session:
                await session.send_text("learn")
                with anyio.fail_after(10):
                    async for event in session:
                        if event.type == "mcp.tools.changed":
                            assert "juggle" in event.tools
                            break
                    else:
                        pytest.fail("the session ended before the event this loop waits for")
                assert "juggle" in [t["name"] for t in emu.last.session["tools"]]
                await session.send_text("juggle")
                with anyio.fail_after(10):
                    async for event in session:
                        if event.type == "tool.call.completed" and event.name == "juggle":
                            assert event.output == "juggling 3"
                            break
                    else:
                        pytest.fail("the session ended before the event this loop waits for")


async def test_tools_changed_names_the_tools_the_session_offers() -> None:
    # The event lists what the model is offered from the server, as the session.update sent
    # it: only the tools the filter keeps, under the names the model sees ("lookup" is taken).
    @rtagents.tool
    def lookup(key: str) -> str:
        """A function tool that takes the name first."""
        return "function"

    kept = ["lookup", "learn_trick", "juggle"]
    async with notes("stdio", allowed_tools=kept, needs_approval=False) as server:
        agent = rtagents.Agent(name="n", tools=[lookup, server], output_modalities=["text"])
        model = ScriptedModel([CallFunction("learn_trick", {}), "learned"])
        async with Emulator(model=model) as emu:
            async with rtagents.connect(agent, transport=emu.transport()) as session:
                await session.send_text("learn")
                with anyio.fail_after(10):
                    async for event in session:
                        if event.type == "mcp.tools.changed":
                            break
                    else:
                        pytest.fail("the session ended before the event this loop waits for")
                sent = [t["name"] for t in emu.last.session["tools"]]
    assert (event.server, event.tools) == ("notes", ("notes_lookup", "learn_trick", "juggle"))
    assert sent == ["lookup", *event.tools]


async def test_a_burst_of_list_changed_is_listed_once_at_a_time() -> None:
    # 100 notifications in one call: before, each made a listing and a session.update. Now
    # one listing runs at a time, and one more follows if any came during it (how many came
    # during each depends on the machine: a handful here).
    async with notes("stdio", needs_approval=False) as server:
        agent = rtagents.Agent(name="n", tools=[server], output_modalities=["text"])
        model = ScriptedModel([CallFunction("ruffle", {"times": 100}), "done"])
        async with Emulator(model=model) as emu:
            async with rtagents.connect(agent, transport=emu.transport()) as session:
                changed: list[Any] = []
                session.on("mcp.tools.changed")(changed.append)
                await session.ask("ruffle")
                await anyio.sleep(0.5)  # the last listing, if one is still due
                updates = [e for e in emu.last.received if e["type"] == "session.update"]
    assert 1 <= len(changed) < 50
    assert len(updates) == 1 + len(changed)  # the first configuration, then one a listing


async def test_a_dying_server_gives_error_outputs_and_the_session_goes_on() -> None:
    @rtagents.tool
    def still_here() -> str:
        """A function tool."""
        return "alive"

    async with notes("stdio", needs_approval=False) as server:
        agent = rtagents.Agent(name="n", tools=[server, still_here], output_modalities=["text"])
        turns = [
            CallFunction("crash", {}, call_id="c"),
            echo,
            [
                CallFunction("lookup", {"key": "greeting"}, call_id="l"),
                CallFunction("still_here", {}, call_id="s"),
            ],
            echo,
        ]
        async with Emulator(model=ScriptedModel(turns)) as emu:
            async with rtagents.connect(agent, transport=emu.transport()) as session:
                events: list[Any] = []
                await session.send_text("crash it")
                with anyio.fail_after(20):
                    async for event in session:
                        events.append(event)
                        if (
                            event.type == "response.done"
                            and len([e for e in events if e.type == "response.done"]) == 2
                        ):
                            await session.send_text("anything?")
                        if len([e for e in events if e.type == "response.done"]) == 4:
                            break
                    else:
                        pytest.fail("the session ended before the event this loop waits for")
            outputs = sent_outputs(emu.last.received)
    assert json.loads(outputs["c"])["error"] in ("unavailable", "error")
    assert json.loads(outputs["l"])["error"] == "unavailable"
    assert outputs["s"] == "alive"
    assert any(e.type == "mcp.server.failed" and e.server == "notes" for e in events)


async def test_a_server_that_does_not_start_is_a_clear_error() -> None:
    agent = rtagents.Agent(
        name="n",
        tools=[MCPServerStdio(sys.executable, ["-c", "import sys; sys.exit(3)"], name="broken")],
    )
    async with Emulator() as emu:
        with pytest.raises(ConnectionError, match="MCP server 'broken' did not start"):
            async with rtagents.connect(agent, transport=emu.transport()):
                pass


def test_secrets_stay_out_of_reprs() -> None:
    server = MCPServerHTTP(
        "https://mcp.example.com/mcp?token=abc", headers={"Authorization": "Bearer hush"}
    )
    stdio = MCPServerStdio("node", ["server.js"], env={"API_KEY": "hush"})
    assert "hush" not in repr(server) and "abc" not in repr(server)
    assert "hush" not in repr(stdio)
    with pytest.raises(ValueError, match="http"):
        MCPServerHTTP("ftp://x")
