"""``connect(transport=...)`` takes a ``Transport`` or a function that opens one, and says
clearly what is missing when it gets something that is neither (over a real socket)."""

from __future__ import annotations

import pytest

import rtagents
from rtagents.emulator import Emulator
from rtagents.session import WebsocketTransport

pytestmark = pytest.mark.anyio

AGENT = rtagents.Agent(name="plain", output_modalities=["text"])


class OldTransport:
    """A user's transport written before ``send_wont_block`` was part of the protocol."""

    def __init__(self, inner: WebsocketTransport) -> None:
        self.inner = inner

    async def send(self, frame: str) -> None:
        await self.inner.send(frame)

    async def recv(self) -> str | bytes:
        return await self.inner.recv()

    async def close(self) -> None:
        await self.inner.close()


class WholeTransport(OldTransport):
    def send_wont_block(self, frame: str) -> bool:
        return self.inner.send_wont_block(frame)


async def test_a_transport_missing_a_method_is_named() -> None:
    async with Emulator() as emu:
        inner = await WebsocketTransport.open(emu.url, {})
        try:
            with pytest.raises(TypeError, match=r"got OldTransport, .*no send_wont_block\b"):
                async with rtagents.connect(AGENT, transport=OldTransport(inner)):
                    pytest.fail("connected with a transport that lacks send_wont_block")
        finally:
            await inner.close()


async def test_a_factory_that_makes_no_transport_is_named() -> None:
    async with Emulator() as emu:
        opened: list[WebsocketTransport] = []

        async def factory() -> OldTransport:
            opened.append(await WebsocketTransport.open(emu.url, {}))
            return OldTransport(opened[-1])

        with pytest.raises(
            TypeError, match=r"transport= returned OldTransport, .*no send_wont_block\b"
        ):
            async with rtagents.connect(AGENT, transport=factory):
                pytest.fail("connected with a transport that lacks send_wont_block")
        await opened[0].close()


async def test_neither_a_transport_nor_a_function() -> None:
    with pytest.raises(TypeError, match=r"got str, .*no send_wont_block, send, recv, close"):
        async with rtagents.connect(AGENT, transport="ws://localhost:1"):  # type: ignore[arg-type]
            pytest.fail("connected with a string for a transport")


async def test_a_whole_transport_and_a_class_as_factory_connect() -> None:
    async with Emulator() as emu:
        inner = await WebsocketTransport.open(emu.url, {})
        async with rtagents.connect(AGENT, transport=WholeTransport(inner)) as session:
            events = await session.ask("hello")
            assert events[-1].type == "response.done"
        emu_url = emu.url

        class Opened(WholeTransport):
            """A class given as the factory: called to open each connection."""

            def __init__(self) -> None:
                super().__init__(inner)

        inner = await WebsocketTransport.open(emu_url, {})
        async with rtagents.connect(AGENT, transport=Opened) as session:
            events = await session.ask("hello again")
            assert events[-1].type == "response.done"
