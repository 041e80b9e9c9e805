"""Async event handlers of the session's end (``session.closed``, and a call it answered as it
ended) run, and ``connect`` waits for them, for a bounded time. Before, they were dropped:
never awaited, with a ``RuntimeWarning`` on every normal run of an async ``"*"`` handler."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
import warnings
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.session import tasks

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(20)]


async def test_an_async_handler_of_session_closed_runs_before_connect_returns() -> None:
    ran: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async with Emulator(model=ScriptedModel(["hi"])) as emu:
            agent = rtagents.Agent(name="a", output_modalities=["text"])
            async with rtagents.connect(agent, url=emu.url) as session:

                @session.on("session.closed")
                async def closed(event: Any) -> None:
                    await anyio.sleep(0.05)
                    ran.append(event.type)

                @session.on("*")
                async def every(event: Any) -> None:
                    ran.append("*:" + event.type)

                await session.send_text("hi")
                async for event in session:
                    if event.type == "response.done":
                        break
                else:
                    pytest.fail("the session ended before the response")
            assert "session.closed" in ran and "*:session.closed" in ran
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, RuntimeWarning)], caught


async def test_a_call_answered_as_the_session_ends_is_told_to_an_async_handler() -> None:
    told: list[tuple[str, str]] = []

    @rtagents.tool
    async def wait_long() -> str:
        """Takes long."""
        await anyio.sleep(30)
        return "late"

    model = ScriptedModel([CallFunction("wait_long", {})])
    async with Emulator(model=model) as emu:
        agent = rtagents.Agent(name="a", tools=[wait_long], output_modalities=["text"])
        async with rtagents.connect(agent, url=emu.url) as session:

            @session.on("tool.call.failed")
            async def failed(event: Any) -> None:
                told.append((event.type, event.kind))

            await session.send_text("go")
            async for event in session:
                if event.type == "tool.call.started":
                    break
            else:
                pytest.fail("the session ended before the call started")
    assert told == [("tool.call.failed", "cancelled")]


async def test_a_handler_that_hangs_at_the_end_holds_connect_up_only_so_long(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(tasks, "LAST_WORDS_S", 0.3)
    async with Emulator(model=ScriptedModel([])) as emu:
        async with rtagents.connect(rtagents.Agent(name="a"), url=emu.url) as session:

            @session.on("session.closed")
            async def hangs(event: Any) -> None:
                with anyio.CancelScope(shield=True):
                    await anyio.sleep(0.6)  # past its time: it is cancelled after that
                await anyio.sleep(30)

            started = time.monotonic()
    assert time.monotonic() - started < 2
    assert "an event handler still ran 0.3 s after the session ended" in caplog.text


async def test_a_handler_of_tool_code_let_go_of_at_the_end_is_waited_for_too() -> None:
    # Tool code that ignores its cancellation ends during the session's grace for it, after
    # the session's tasks were joined: what it tells (tool.call.abandoned) is heard in full.
    heard: list[str] = []

    @rtagents.tool
    async def stubborn() -> str:
        """Ignores its cancellation for a while."""
        end = time.monotonic() + 0.4
        while time.monotonic() < end:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.sleep(end - time.monotonic())
        return "done"

    async with Emulator(model=ScriptedModel([CallFunction("stubborn", {})])) as emu:
        agent = rtagents.Agent(name="a", tools=[stubborn], output_modalities=["text"])
        async with rtagents.connect(agent, url=emu.url) as session:

            @session.on("tool.call.abandoned")
            async def abandoned(event: Any) -> None:
                await anyio.sleep(0.2)
                heard.append(event.output)

            await session.send_text("go")
            async for event in session:
                if event.type == "tool.call.started":
                    break
            else:
                pytest.fail("the session ended before the call started")
        assert heard == ["done"]  # connect returned after the handler, not before
