"""The emulator's JSON routes read a request body whole, however big: ``json_body`` is
``request.json()``, with no bound. An exposed emulator is made to buffer whatever a client
sends (a body that says ``Content-Length: 1 GB`` is waited for and kept), where the calls
server refuses a body past its bound with 413 before reading it."""

from __future__ import annotations

import anyio
import pytest

from rtagents.emulator import Emulator

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("path", ["/v1/emulator/calls", "/v1/realtime/client_secrets"])
async def test_a_body_that_says_it_is_a_gigabyte_is_refused_before_it_is_read(path: str) -> None:
    async with Emulator() as emu:
        stream = await anyio.connect_tcp(emu.host, emu.port)
        async with stream:
            head = (
                f"POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer x\r\n"
                "Content-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n"
            )
            await stream.send(head.encode() + b'{"session": "' + b"x" * 65536)
            reply = b""
            with anyio.move_on_after(5):
                while b"\r\n" not in reply:
                    reply += await stream.receive()
    assert reply, "no answer in 5 s: the emulator is still reading the 1 GB body"
    assert reply.split(b"\r\n", 1)[0].split()[1] == b"413", reply[:200]
