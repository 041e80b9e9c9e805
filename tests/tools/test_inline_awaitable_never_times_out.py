"""An ``inline=True`` sync tool whose result is an awaitable (a sync wrapper around an async
function, a missing ``await``) is never timed out: the session starts no deadline for inline
tools (``runs_inline``: "runs the tool's code to its end without ever awaiting"), but the
awaitable is then awaited on the loop (``_settled``), where it can hang for good.

docs/tools.md: "A tool without a ``timeout`` gets the agent's ``tool_timeout``", and an
awaitable result is "what awaiting it gives". The inline exemption is for code the loop
cannot interrupt; an awaited coroutine can be. Here the call is never answered: the model
waits for its output until the session ends.

Right behaviour: once the inline code has returned an awaitable, awaiting it is bounded by
the call's timeout like any async tool (the model reads a ``timeout`` failure)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel, audio

pytestmark = pytest.mark.anyio


async def _never() -> str:
    await asyncio.Event().wait()
    return "never"


@rtagents.tool(inline=True)
def lookup() -> Any:
    """A sync front for an async client (no await: it returns the coroutine)."""
    return _never()


@pytest.mark.parametrize("api", ["realtime", "live"])
async def test_an_inline_tool_returning_an_awaitable_still_times_out(api: str) -> None:
    agent = rtagents.Agent(name="t", tools=[lookup], instructions="Be brief.", tool_timeout=0.3)
    model = ScriptedModel([CallFunction("lookup", {}, call_id="c1"), "ok"])
    failed: list[Any] = []
    async with Emulator(model=model) as emu:
        url = emu.live_url if api == "live" else emu.url
        async with rtagents.connect(agent, url=url, api=api) as session:
            await session.send_audio(audio.tone(600).tobytes())
            await session.send_audio(audio.silence(400).tobytes())
            with anyio.move_on_after(3):  # ten times the call's timeout
                async for event in session:
                    if event.type in ("tool.call.failed", "tool.call.completed"):
                        failed.append(event)
                        break
                else:
                    pytest.fail("the session ended before the call was answered")
    assert [getattr(e, "kind", None) for e in failed] == ["timeout"]
    assert json.loads(failed[0].output)["error"] == "timeout"
