"""Sync tools run in a bounded pool of worker threads per session (``sync_tool_threads``): a
thread given up on (its call timed out) still counts until its code returns, so threads stay
bounded however many calls time out; a call that finds every thread busy waits for one
within its timeout, then is answered with a clear output; async tools and other sessions go
on meanwhile."""

from __future__ import annotations

import json
import threading
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ModelContext, ScriptedModel

pytestmark = pytest.mark.anyio


def echo(ctx: ModelContext) -> str:
    return f"{len(ctx.pending_outputs)} outputs"


async def answered(session: rtagents.RealtimeSession) -> None:
    """Until the model has answered the outputs (so that the next turn is a turn of its own)."""
    with anyio.fail_after(10):
        async for event in session:
            if event.type == "response.output_text.done":
                return
        else:
            pytest.fail(f"the session ended: {session.closed_reason}")


def calls(name: str, n: int, start: int = 0) -> list[CallFunction]:
    return [CallFunction(name, {"n": i}, call_id=f"{name}{i}") for i in range(start, start + n)]


def tools(release: threading.Event, stuck_for: float = 0.3) -> list[Any]:
    @rtagents.tool(timeout=stuck_for)
    def stuck(n: int) -> str:
        """Blocks until released."""
        release.wait(30)
        return f"stuck {n} let go"

    @rtagents.tool(timeout=1)
    def quick(n: int) -> str:
        """Returns at once."""
        return f"quick {n}"

    @rtagents.tool
    async def aquick(n: int) -> str:
        """Returns at once, on the loop."""
        return f"aquick {n}"

    return [stuck, quick, aquick]


async def answers(session: rtagents.RealtimeSession, n: int) -> dict[str, Any]:
    """The next ``n`` answered calls, by call id."""
    got: dict[str, Any] = {}
    with anyio.fail_after(15):
        async for event in session:
            if event.type in ("tool.call.completed", "tool.call.failed"):
                got[event.call_id] = event
                if len(got) == n:
                    return got
        else:
            pytest.fail(f"the session ended: {session.closed_reason}")
    raise AssertionError


@pytest.mark.parametrize("size", [None, 2], ids=["default-8", "two"])
async def test_a_full_pool_answers_with_a_clear_output_and_threads_stay_bounded(
    size: int | None,
) -> None:
    threads = 8 if size is None else size
    release = threading.Event()
    model = ScriptedModel(
        [
            [*calls("stuck", threads + 2), CallFunction("aquick", {"n": 0}, call_id="aquick0")],
            echo,
            calls("stuck", 20, start=100),
            echo,
            calls("quick", 1),
            echo,
        ]
    )
    agent = rtagents.Agent(name="pool", tools=tools(release), output_modalities=["text"])
    options = {} if size is None else {"sync_tool_threads": size}
    base = threading.active_count()
    try:
        async with Emulator(model=model) as emu:
            async with rtagents.connect(agent, url=emu.url, **options) as session:
                await session.send_text("go")
                first = await answers(session, threads + 3)
                # The async tool is not held up by the blocked threads.
                assert first["aquick0"].type == "tool.call.completed"
                assert first["aquick0"].duration_s < 0.3
                kinds = sorted(e.kind for k, e in first.items() if k.startswith("stuck"))
                assert kinds == ["timeout"] * (threads + 2)
                full = [e for e in first.values() if "no worker thread" in getattr(e, "output", "")]
                assert len(full) == 2, [e.output for e in first.values()]
                told = json.loads(full[0].output)
                assert told["error"] == "timeout"
                assert f"all {threads} of this session's threads for sync tools" in told["message"]
                # Twenty more: each waits its timeout for a thread, none gets one, and the
                # abandoned threads are not replaced by new ones.
                await answered(session)
                await session.send_text("again")
                second = await answers(session, 20)
                assert all("no worker thread" in e.output for e in second.values())
                assert threading.active_count() <= base + threads + 1
                # Once the stuck code returns, its threads serve again.
                release.set()
                await answered(session)
                await session.send_text("once more")
                third = await answers(session, 1)
                assert third["quick0"].type == "tool.call.completed", third
    finally:
        release.set()


async def test_blocked_sync_tools_of_one_session_do_not_hold_up_another() -> None:
    release = threading.Event()
    busy = ScriptedModel([calls("stuck", 40), echo])
    agent = rtagents.Agent(name="pool", tools=tools(release, 5), output_modalities=["text"])
    try:
        async with (
            Emulator(model=busy) as noisy_emu,
            Emulator(model=ScriptedModel([calls("quick", 1), echo])) as quiet_emu,
        ):
            async with rtagents.connect(agent, url=noisy_emu.url) as noisy:
                await noisy.send_text("block")
                started = 0
                with anyio.fail_after(5):
                    async for event in noisy:
                        started += event.type == "tool.call.started"
                        if started == 40:
                            break
                    else:
                        pytest.fail(f"the session ended: {noisy.closed_reason}")
                await anyio.sleep(0.2)  # all forty in their threads
                async with rtagents.connect(agent, url=quiet_emu.url) as quiet:
                    await quiet.send_text("quick")
                    got = await answers(quiet, 1)
                # At once: not after the other session's calls time out.
                assert got["quick0"].type == "tool.call.completed", got
                assert got["quick0"].duration_s < 1, got
    finally:
        release.set()
