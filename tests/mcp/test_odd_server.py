"""A local MCP server's odd cases, against a real server (``odd_server.py``): tool names the
Realtime API does not take, a resource link in a result, a tool that never answers, and a
server that stops answering (see ``rtagents.mcp.liveness``)."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ModelContext, ScriptedModel
from rtagents.mcp import MCPServer, MCPServerStdio
from rtagents.testing import sent_outputs
from rtagents.tools import DuplicateToolError

from .servers import ODD_SERVER
from .test_local import converse, echo

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]


def odd(**options: Any) -> MCPServerStdio:
    return MCPServerStdio(sys.executable, [ODD_SERVER], name="odd", **options)


def agent_with(server: MCPServerStdio) -> rtagents.Agent:
    return rtagents.Agent(name="o", tools=[server], output_modalities=["text"])


@pytest.mark.parametrize(
    ("kept", "answer"), [("search.notes", "dotted: q"), ("search_notes", "plain: q")]
)
async def test_a_filter_keeps_one_of_two_tools_whose_api_names_clash(
    kept: str, answer: str
) -> None:
    # Both are ``search_notes`` to the API. The filter picks by the server's own names, before
    # they are made API names: keeping one is no clash (connect() raised DuplicateToolError).
    turns = [CallFunction("search_notes", {"query": "q"}, call_id="s"), echo]
    _, outputs, conn = await converse(agent_with(odd(allowed_tools=[kept])), turns)
    assert outputs["s"] == answer
    assert [t["name"] for t in conn.session["tools"]] == ["search_notes"]


async def test_two_kept_tools_whose_api_names_clash_are_an_error_naming_both() -> None:
    async with odd(allowed_tools=["search*"]) as server:
        with pytest.raises(DuplicateToolError, match=r"'search\.notes' and 'search_notes'"):
            server.toolset()


async def test_a_resource_link_reaches_the_model_with_its_name_and_uri() -> None:
    turns = [CallFunction("report", {}, call_id="r"), echo]
    _, outputs, _ = await converse(agent_with(odd(allowed_tools=["report"])), turns)
    assert outputs["r"] == (
        "the report is ready\n[resource_link q3-report <file:///reports/q3.pdf> application/pdf]"
    )


def hangs(*call_ids: str) -> list[CallFunction]:
    return [CallFunction("hang", {}, call_id=call_id) for call_id in call_ids]


def block(call_id: str, seconds: float) -> CallFunction:
    return CallFunction("block", {"seconds": seconds}, call_id=call_id)


def hanging() -> rtagents.Agent:
    return agent_with(odd(allowed_tools=["hang", "block", "ping_me"], timeout=0.5))


class Heard:
    """A listener of the server itself, as a session is (``MCPServer.subscribe``)."""

    def __init__(self) -> None:
        self.failed: list[str] = []

    def tools_changed(self, server: MCPServer) -> None:
        pass

    def server_failed(self, server: MCPServer, exc: BaseException) -> None:
        self.failed.append(f"{type(exc).__name__}: {exc}")


async def test_a_tool_that_hangs_while_its_server_answers_is_never_reported() -> None:
    # Each call given up pings the server, which answers: a hung tool is no server stopped,
    # however many calls it leaves unanswered (3 in a row were reported as a failure).
    turns = [hangs("h0", "h1", "h2", "h3"), CallFunction("ping_me", {}, call_id="p"), echo]
    events, outputs, _ = await converse(hanging(), turns, responses=3)
    assert [json.loads(outputs[f"h{i}"])["error"] for i in range(4)] == ["timeout"] * 4
    assert outputs["p"] == "pong"
    assert [e for e in events if e.type == "mcp.server.failed"] == []


async def test_a_server_that_stops_answering_is_reported_once_until_it_answers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # ``block`` stops the whole server: the calls given up at their 0.5 s timeout ping it,
    # and the ping goes unanswered. Two calls given up, one report; once the server answers
    # again (a call's result), a second stop is reported again. The session goes on.
    monkeypatch.setattr("rtagents.mcp.liveness.PING_TIMEOUT_S", 0.5)
    failures: list[Any] = []

    async def once_it_is_back(ctx: ModelContext) -> CallFunction:
        with anyio.fail_after(10):
            while not failures:
                await anyio.sleep(0.05)
        await anyio.sleep(2.5)  # the block is over (2.5 s from the first call)
        return CallFunction("ping_me", {}, call_id="p")

    async def once_reported_again(ctx: ModelContext) -> str:
        with anyio.fail_after(10):
            while len(failures) < 2:
                await anyio.sleep(0.05)
        return echo(ctx)

    turns = [
        [block("b0", 2.5), *hangs("h0")],
        once_it_is_back,
        block("b1", 1.5),
        once_reported_again,
    ]
    agent = hanging()
    events: list[Any] = []
    async with Emulator(model=ScriptedModel(turns)) as emu:
        async with rtagents.connect(agent, transport=emu.transport()) as session:
            session.on("mcp.server.failed")(failures.append)
            await session.send_text("go")
            with anyio.fail_after(25):
                async for event in session:
                    events.append(event)
                    if len([e for e in events if e.type == "response.done"]) >= 4:
                        break
                else:
                    pytest.fail("the session ended before its fourth response")
        outputs = sent_outputs(emu.last.received)
    assert [json.loads(outputs[c])["error"] for c in ("b0", "h0", "b1")] == ["timeout"] * 3
    assert outputs["p"] == "pong"
    failed = [(e.server, e.error) for e in events if e.type == "mcp.server.failed"]
    assert failed == [("odd", "TimeoutError: no answer to a ping within 0.5 s")] * 2


async def test_calls_cut_off_by_a_session_end_are_no_failure_of_a_shared_server() -> None:
    # The calls app's setup: one server object, many sessions. Session A ends while three of
    # its calls are running (a slow tool, the server well): the others are told nothing, and
    # their calls go on. (Three calls cut off were reported to every session as a failure.)
    server = odd(allowed_tools=["hang", "ping_me"])
    agent = agent_with(server)
    heard: list[Any] = []
    async with server:
        model_a = ScriptedModel([hangs("h0", "h1", "h2"), "never said"])
        model_b = ScriptedModel([CallFunction("ping_me", {}, call_id="p"), echo])
        async with Emulator(model=model_a) as emu_a, Emulator(model=model_b) as emu_b:
            async with rtagents.connect(agent, transport=emu_b.transport()) as b:
                b.on("mcp.server.failed")(heard.append)
                async with rtagents.connect(agent, transport=emu_a.transport()) as a:
                    await a.send_text("go")
                    started = 0
                    with anyio.fail_after(10):
                        async for event in a:
                            started += event.type == "tool.call.started"
                            if started == 3:
                                break
                        else:
                            pytest.fail("session A ended before its three calls started")
                    await anyio.sleep(0.2)  # the calls reach the server
                with anyio.fail_after(10):
                    events = await b.ask("go")
            outputs = sent_outputs(emu_b.last.received)
    assert outputs["p"] == "pong"
    assert [e for e in events if e.type == "mcp.server.failed"] == heard == []


async def test_closing_a_server_ends_its_ping_unreported() -> None:
    # A ping under way when the server is closed is cancelled with it: nothing is reported,
    # and nothing is left running.
    server = odd(allowed_tools=["block"])
    heard = Heard()
    server.subscribe(heard)
    async with server:
        with anyio.move_on_after(0.3):
            await server.call_tool("block", {"seconds": 1})
        ping = server._liveness.pinging
        assert ping is not None and not ping.done()  # the server is stuck: no answer yet
    assert ping.cancelled()
    assert server._liveness.pinging is None
    await asyncio.sleep(0.1)
    assert heard.failed == []


async def test_an_allowed_tools_pattern_that_keeps_nothing_is_warned_of() -> None:
    # Patterns match the server's own names: one written for the API's form of a dotted
    # name keeps nothing, which the app is told rather than left to find out.
    server = odd(allowed_tools=["search_notes", "search_notez", "report"])
    events, _, _ = await converse(agent_with(server), ["ok"], responses=1)
    warnings = [e.message for e in events if e.type == "session.warning"]
    assert [w for w in warnings if "allowed_tools" in w] == [
        "MCP server 'odd': allowed_tools pattern 'search_notez' matches none of its tools "
        "(patterns match the server's own names)"
    ]
