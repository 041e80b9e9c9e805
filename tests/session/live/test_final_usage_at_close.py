"""GPT-Live's ``session.closed`` carries the session's final cumulative usage; the seconds
billed after the last ``session.usage.updated`` must reach ``session.usage``."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import Emulator, Say, ScriptedModel, audio
from rtagents.emulator.faults import ExpireSession
from tests.session.live.harness import speak, until

pytestmark = pytest.mark.anyio


async def test_final_seconds_of_session_closed_are_counted() -> None:
    model = ScriptedModel([Say("Hello there.")])
    agent = rtagents.Agent(instructions="Greet.")
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live", reconnect=None) as s:
            await speak(s)
            await until(s, lambda seen: seen[-1].type == "usage.updated")
            conn = emu.last
            conn.add_fault(ExpireSession(on_client="session.input_audio.append", nth=2))
            await s.send_audio(audio.silence(5000).tobytes())
            await s.send_audio(audio.silence(20).tobytes())
            seen: list[Any] = []
            with anyio.fail_after(5):
                async for event in s:
                    seen.append(event)
            usage = s.usage
        closed = [f for f in conn.sent if f["type"] == "session.closed"]
    assert closed, [f["type"] for f in conn.sent]
    final = closed[-1]["usage"]["seconds"]
    assert final >= 6
    assert usage.seconds == {"gpt-live-1": final}


async def test_the_final_seconds_count_when_the_app_closes_the_session() -> None:
    """The app's own close: ``session.close`` goes out, and the server's ``session.closed``
    that answers it (after the session's end was told) still brings the final total."""
    model = ScriptedModel([Say("Hello there.")])
    agent = rtagents.Agent(instructions="Greet.")
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live", reconnect=None) as s:
            await speak(s)
            await until(s, lambda seen: seen[-1].type == "usage.updated")
            conn = emu.last
            await s.send_audio(audio.silence(5000).tobytes())
            told = s.usage.seconds
        closed = [f for f in conn.sent if f["type"] == "session.closed"]
    assert closed, [f["type"] for f in conn.sent]
    final = closed[-1]["usage"]["seconds"]
    assert final >= 6 > told["gpt-live-1"]
    assert s.usage.seconds == {"gpt-live-1": final}
