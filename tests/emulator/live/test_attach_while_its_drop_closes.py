"""The emulator drops a GPT-Live connection, and its client is back to attach before the
dropped connection's close is done with (the client hears the close frame as it goes; the
server's side of it takes a while longer on a busy machine). The attach waits for that close
and finds the session kept, as the API keeps it, not a 404 "not found".

The close is made slow on purpose here (starlette's ``WebSocket.close`` sleeps after the
close frame is out), which is what a loaded machine made of it at random before."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from starlette.websockets import WebSocket

import rtagents
from rtagents import Reconnect
from rtagents.emulator import DropConnection, Emulator

pytestmark = pytest.mark.anyio


async def test_an_attach_during_the_drops_close_finds_the_session(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plain_close = WebSocket.close

    async def slow_close(self: WebSocket, code: int = 1000, reason: str | None = None) -> None:
        await plain_close(self, code, reason)
        with anyio.CancelScope(shield=True):  # (the client leaving does not cut it short)
            await anyio.sleep(0.5)  # the frame is out: the client may attach meanwhile

    monkeypatch.setattr(WebSocket, "close", slow_close)
    events: list[Any] = []
    async with Emulator() as emu:
        async with rtagents.connect(
            rtagents.Agent(name="a"),
            url=emu.live_url,
            api="live",
            reconnect=Reconnect(backoff=0.01, max_backoff=0.05),
        ) as session:
            session.on("*")(events.append)
            emu.last.add_fault(DropConnection(on_client="session.update"))
            await session.update_agent(rtagents.Agent(name="a", instructions="Be brief."))
            with anyio.fail_after(10):
                async for event in session:
                    if event.type in ("session.reconnected", "session.closed"):
                        break
                else:
                    pytest.fail("the session ended unsaid")
    kinds = [e.type for e in events]
    assert "session.reconnected" in kinds, [str(e)[:200] for e in events[-3:]]
    assert len(emu.connections) == 2
