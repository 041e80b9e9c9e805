"""A call's sideband session keeps none of its events for ``async for`` (nobody but the
CallServer could read them, and it reads none): the app's handlers on the call's session
still see every event, and the call's task sleeps until the session ends instead of waking
for each event (issue #36: thousands of calls in one process)."""

from __future__ import annotations

from typing import Any

import anyio
import anyio.lowlevel
import pytest

import rtagents
from rtagents.calls import CallServer, end_call
from rtagents.emulator import Emulator
from rtagents.session.stream import EventStream
from rtagents.testing import serve_asgi

from .harness import SECRET, wait_for, weather_then_goodbye
from .test_phone_calls import get_weather, place_weather_call

pytestmark = pytest.mark.anyio


async def test_a_calls_events_reach_handlers_and_wake_nobody(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reads = 0
    read = EventStream.next

    async def counted(self: EventStream) -> Any:
        nonlocal reads
        reads += 1
        return await read(self)

    monkeypatch.setattr(EventStream, "next", counted)
    seen: list[str] = []
    model = weather_then_goodbye()
    agent = rtagents.Agent(name="concierge", tools=[get_weather, end_call])
    async with Emulator(model=model) as emu:
        app = CallServer(agent=agent, webhook_secret=SECRET, api_key="sk-x", base_url=emu.http_url)
        async with serve_asgi(app) as url:
            call_id = await place_weather_call(emu, url)
            with anyio.fail_after(10):
                while app.calls.get(call_id) is None or app.calls[call_id].session is None:
                    await anyio.lowlevel.checkpoint()
            app.calls[call_id].session.on("*")(lambda event: seen.append(event.type))
            await wait_for(emu, call_id, "ended")
            with anyio.fail_after(10):
                while app.calls[call_id].state == "active":
                    await anyio.sleep(0.01)
    assert app.calls[call_id].state == "ended"
    assert app.calls[call_id].session.closed_with_error is False
    assert seen.count("response.done") >= 3, seen  # the tool's turn, the answer, goodbye
    assert "tool.call.completed" in seen and seen[-1] == "session.closed"
    assert reads == 1  # the call's one wait for the end: no wake-up per event
