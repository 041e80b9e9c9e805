"""GPT-Live: background results told while the connection is down are held (commentary the
server has not acknowledged) and sent again when the reconnect attaches to the same Live
session (tools.md, "GPT-Live": "It is held until the server acknowledges it ..., and sent
again to the same Live session when a reconnect attaches to it"). But the notes held are
bounded to the latest 16 (``live_out.Held.noted``, ``keep_latest(..., _ASKS_KEPT)``), so
when more background work ends during a drop, the oldest results are silently lost: the
model is never told them, and the app hears nothing of it (``background.completed`` says
each was told)."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from tests.session.live.harness import speak, until

pytestmark = pytest.mark.anyio
N = 20


async def test_every_background_result_reaches_the_attached_session() -> None:
    gate = anyio.Event()

    @rtagents.tool(background=True)
    async def job(n: int) -> str:
        """Run job n (takes a while)."""
        await gate.wait()
        return f"job {n} done"

    calls = [CallFunction("job", {"n": n}, call_id=f"call_{n}") for n in range(N)]
    model = ScriptedModel([calls, "Started them all."], then="ok")
    agent = rtagents.Agent(name="live", tools=[job])
    fast = rtagents.Reconnect(backoff=0.01, max_backoff=0.05)
    events: list[Any] = []
    async with Emulator(model=model) as emu:
        async with rtagents.connect(agent, url=emu.live_url, api="live", reconnect=fast) as session:
            session.on("*")(events.append)
            await speak(session)
            await until(
                session,
                lambda seen: (
                    sum(e.type == "background.started" for e in events) == N
                    and any(e.type == "session.output_transcript.delta" for e in seen)
                ),
            )
            # Every job ends while the connection is down.
            session.on("session.reconnecting")(lambda _: gate.set())
            emu.last.drop()
            await until(session, lambda seen: seen[-1].type == "session.reconnected")
            with anyio.fail_after(10):
                while sum(e.type == "background.completed" for e in events) < N:
                    await anyio.sleep(0.02)
            # A marker after the replay: every frame before it has reached the server.
            await session.thinking("marker")
            with anyio.fail_after(5):
                while not any(
                    f.get("type") == "session.thinking.append" for f in emu.last.received
                ):
                    await anyio.sleep(0.02)
            told = {
                f["content"]
                for c in emu.connections
                for f in c.received
                if f.get("type") == "session.commentary.append"
            }
    missing = [n for n in range(N) if not any(f"job {n} done" in t for t in told)]
    assert missing == [], f"{len(missing)} results never reached the model: {missing}"
