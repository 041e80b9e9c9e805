"""Rule broken: a session that ends closes its connection (no socket, no server session
left open after ``connect`` returns).

The app closes the session while it is reconnecting. The reader's next connection opens
while the close is still closing the old one (an old connection that is slow to close, as
a dead peer's is), so the new transport becomes ``upstream.transport`` after the close
already chose which transport to close. The end then cancels the reader, and nobody ever
closes the new websocket: it stays open (its keepalive pings keep it alive) long after
``connect`` has returned. Over a real loopback socket.
"""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import Reconnect
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.session.transport import WebsocketTransport

pytestmark = pytest.mark.anyio
FAST = Reconnect(backoff=0.01, max_backoff=0.05, jitter=0)


class SlowToClose:
    """A real websocket whose close takes a while (a peer that does not answer at once)."""

    def __init__(self, inner: WebsocketTransport) -> None:
        self.inner = inner

    def send_wont_block(self, frame: str) -> bool:
        return self.inner.send_wont_block(frame)

    async def send(self, frame: str) -> None:
        await self.inner.send(frame)

    async def recv(self) -> str | bytes:
        return await self.inner.recv()

    async def close(self) -> None:
        with anyio.CancelScope(shield=True):
            await anyio.sleep(0.6)
        await self.inner.close()


async def test_closing_while_reconnecting_leaves_no_connection_open() -> None:
    agent = rtagents.Agent(name="a", output_modalities=["text"])
    async with Emulator(model=ScriptedModel(["Hello."])) as emu:
        opened: list[Any] = []

        async def opener() -> Any:
            if opened:
                await anyio.sleep(0.2)  # the handshake of the next connection takes a while
            inner = await WebsocketTransport.open(emu.url, {})
            transport = SlowToClose(inner) if not opened else inner
            opened.append(transport)
            return transport

        async with rtagents.connect(agent, transport=opener, reconnect=FAST) as session:
            await session.ask("Hi")
            emu.last.drop()
            with anyio.fail_after(5):
                async for event in session:
                    if event.type == "session.reconnecting":
                        break
                else:
                    pytest.fail("the session ended before it reconnected")
            await session.close()  # the app is done, while the session reconnects
        await anyio.sleep(2.0)  # long after the end
        assert session.closed_reason is not None
        still_open = [i for i, c in enumerate(emu.connections) if not c.closed.is_set()]
        assert not still_open, (
            f"connection(s) {still_open} of {len(emu.connections)} left open after connect returned"
        )
