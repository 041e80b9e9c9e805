"""Faults on purpose: what a client sees when the emulator drops, expires, errs or lags."""

from __future__ import annotations

import time
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import (
    CallFunction,
    DropConnection,
    Emulator,
    ErrorReply,
    ExpireSession,
    Latency,
    RaceResponse,
    ScriptedModel,
    parse_fault,
)

pytestmark = pytest.mark.anyio


@rtagents.tool
async def slow() -> str:
    """Takes a while."""
    await anyio.sleep(5)
    return "late"


async def events_until_closed(emu: Emulator, agent: rtagents.Agent, *, socket: bool) -> list[Any]:
    events: list[Any] = []
    # Without reconnecting, a drop ends the session (tests/session/test_reconnect.py: with).
    where: dict[str, Any] = {"url": emu.url} if socket else {"transport": emu.transport()}
    where["reconnect"] = None
    with anyio.fail_after(10):
        async with rtagents.connect(agent, **where) as session:
            session.on("*")(events.append)
            await session.send_text("go")
            async for _ in session:
                pass
    return events


@pytest.mark.parametrize("socket", [False, True])
@pytest.mark.parametrize("reset", [False, True])
async def test_a_drop_after_an_event(socket: bool, reset: bool) -> None:
    if reset and not socket:
        pytest.skip("a TCP reset needs a socket")
    fault = DropConnection(after="response.function_call_arguments.done", reset=reset)
    agent = rtagents.Agent(name="d", tools=[slow], output_modalities=["text"])
    async with Emulator(model=ScriptedModel([CallFunction("slow")]), faults=[fault]) as emu:
        events = await events_until_closed(emu, agent, socket=socket)
    [failed] = [e for e in events if e.type == "tool.call.failed"]
    assert failed.kind == "disconnected"
    closed = events[-1]
    assert closed.type == "session.closed" and closed.error
    expected = "without a close frame" if reset else "code 1011"
    assert expected in closed.reason


async def test_a_drop_at_a_time() -> None:
    agent = rtagents.Agent(name="t", output_modalities=["text"])
    started = time.monotonic()
    async with Emulator(faults=[DropConnection(at_s=0.3, code=1006)]) as emu:
        async with rtagents.connect(agent, transport=emu.transport()) as session:
            async for _ in session:
                pass
    assert 0.25 < time.monotonic() - started < 5
    assert "code 1006" in (session.closed_reason or "")


async def test_an_expiring_session() -> None:
    agent = rtagents.Agent(name="e", output_modalities=["text"])
    async with Emulator(faults=[ExpireSession(at_s=0.2)]) as emu:
        events = await events_until_closed(emu, agent, socket=True)
    errors = [e for e in events if e.type == "error"]
    assert errors and errors[0].error.code == "session_expired"
    assert events[-1].type == "session.closed" and "session expired" in events[-1].reason


async def test_an_error_in_reply_to_a_client_event() -> None:
    agent = rtagents.Agent(name="r", output_modalities=["text"])
    fault = ErrorReply(to="response.create", code="server_error", type="server_error")
    async with Emulator(model=ScriptedModel(["hi"]), faults=[fault]) as emu:
        async with rtagents.connect(agent, transport=emu.transport()) as session:
            await session.send_text("one")  # its response.create is refused
            with anyio.fail_after(5):
                async for event in session:
                    if event.type == "error":
                        assert event.error.code == "server_error"
                        break
                else:
                    pytest.fail("the session ended before the event this loop waits for")
            answer = await session.ask("two")  # the next one goes through
    assert answer[-1].type == "response.done"


async def test_latency_delays_every_event() -> None:
    agent = rtagents.Agent(name="l", output_modalities=["text"])
    async with Emulator(model=ScriptedModel(["hi"]), faults=[Latency(ms=20)]) as emu:
        async with rtagents.connect(agent, transport=emu.transport()) as session:
            started = time.monotonic()
            events = await session.ask("hello")
            took = time.monotonic() - started
    response = [e for e in events if e.type.startswith("response.")]
    assert len(response) >= 5 and took >= 0.02 * len(response)  # each one waited 20 ms


def test_faults_from_the_command_line() -> None:
    assert parse_fault("drop:after=response.done,code=1011,reset=true") == DropConnection(
        after="response.done", code=1011, reset=True
    )
    assert parse_fault("expire:at_s=60") == ExpireSession(at_s=60.0)
    assert parse_fault("error:to=response.create,code=server_error,nth=2") == ErrorReply(
        to="response.create", code="server_error", nth=2
    )
    for bad, message in [
        ("boom", "unknown fault"),
        ("drop:when=now", "is not one of"),
        ("drop:code=1011", "exactly one of after=, on_client= and at_s="),
    ]:
        with pytest.raises(ValueError, match=message):
            parse_fault(bad)


async def test_sessions_say_when_they_expire_and_do() -> None:
    agent = rtagents.Agent(name="x", output_modalities=["text"])
    events: list[Any] = []
    async with Emulator(max_session_s=0.3) as emu:
        with anyio.fail_after(5):
            async with rtagents.connect(agent, transport=emu.transport()) as session:
                session.on("*")(events.append)
                async for _ in session:
                    pass
    created = emu.last.sent[0]
    assert created["type"] == "session.created"
    assert abs(created["session"]["expires_at"] - time.time()) < 5
    assert [e.error.code for e in events if e.type == "error"] == ["session_expired"]
    assert "session expired" in (session.closed_reason or "")


@rtagents.tool
def lookup(city: str) -> str:
    """Looks up a city."""
    return f"{city}: sunny"


async def test_a_session_recovers_from_a_lost_race_for_the_active_response() -> None:
    agent = rtagents.Agent(name="r", tools=[lookup], output_modalities=["text"])
    model = ScriptedModel([CallFunction("lookup", {"city": "Paris"}), "Paris is sunny."])
    async with Emulator(model=model, faults=[RaceResponse(nth=2)]) as emu:
        async with rtagents.connect(agent, transport=emu.transport()) as session:
            with anyio.fail_after(10):
                events = await session.ask("Weather in Paris?")
    said = [e.text for e in events if e.type == "response.output_text.done"]
    assert said == ["Paris is sunny."]
    errors = [e for e in emu.last.sent if e["type"] == "error"]
    assert [e["error"]["code"] for e in errors] == ["conversation_already_has_active_response"]
