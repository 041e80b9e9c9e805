"""A server that never answers the session's configuration: ``connect`` raises a
``SessionConfigError`` that says so, and a new connection after a drop that never answers
closes the session with that reason (before, it stayed offline for good, and what the app
sent went nowhere)."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

import rtagents
from rtagents import Reconnect
from rtagents.emulator import Emulator
from rtagents.errors import SessionClosedError, SessionConfigError
from rtagents.session import runner

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(20)]


class Mute:
    """The emulator's transport, with every ``session.updated`` held back."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def send_wont_block(self, frame: str) -> bool:
        return True

    async def send(self, frame: str) -> None:
        await self.inner.send(frame)

    async def recv(self) -> Any:
        while True:
            frame = await self.inner.recv()
            if '"session.updated"' not in frame:
                return frame

    async def close(self) -> None:
        await self.inner.close()


@pytest.fixture(autouse=True)
def short_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "CONFIGURE_TIMEOUT_S", 0.5)


async def test_connect_says_the_server_never_answered_the_configuration() -> None:
    async with Emulator() as emu:
        with pytest.raises(SessionConfigError, match="did not answer the session configuration"):
            async with rtagents.connect(
                rtagents.Agent(name="a"), transport=lambda: Mute(emu.transport())
            ):
                pass


async def test_a_new_connection_that_never_answers_closes_the_session_with_a_reason() -> None:
    opened = 0

    async with Emulator() as emu:

        def opener() -> Any:
            nonlocal opened
            opened += 1
            return emu.transport() if opened == 1 else Mute(emu.transport())

        reconnect = Reconnect(backoff=0.01, max_backoff=0.05)
        async with rtagents.connect(
            rtagents.Agent(name="a"), transport=opener, reconnect=reconnect
        ) as session:
            closed: list[Any] = []
            session.on("session.closed")(closed.append)
            emu.last.drop()
            with anyio.fail_after(5):
                while not closed:
                    await anyio.sleep(0.02)
            assert closed[0].error
            assert "did not answer the session configuration" in closed[0].reason
            assert "refused" not in closed[0].reason
            with pytest.raises(SessionClosedError):
                await session.send_text("hello?")
