"""The emulator reads at most ``BODY_LIMIT`` bytes of a request body and answers a larger one
413 before it is buffered (``rest_json.BODY_LIMIT``): so does its WebRTC offer route for an
``application/sdp`` body. The same offer as the openai SDK posts it
(``client.realtime.calls.create``: a multipart form) goes through ``request.form()``, which
spools a part of any size, and ``_text`` then reads it whole into memory: a body that says
it is a gigabyte is waited for, and kept."""

from __future__ import annotations

import anyio
import pytest

from rtagents.emulator import Emulator

pytestmark = pytest.mark.anyio

PART = (
    b"--XX\r\n"
    b'Content-Disposition: form-data; name="sdp"; filename="offer.sdp"\r\n'
    b"Content-Type: application/sdp\r\n\r\n"
    b"v=0\r\n"
)


async def _status_of_a_gigabyte(content_type: str) -> bytes:
    async with Emulator() as emu:
        stream = await anyio.connect_tcp(emu.host, emu.port)
        async with stream:
            head = (
                "POST /v1/realtime/calls HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk-x\r\n"
                f"Content-Type: {content_type}\r\nContent-Length: 1000000000\r\n\r\n"
            )
            await stream.send(head.encode() + PART + b"a" * 65536)
            reply = b""
            with anyio.move_on_after(5):
                while b"\r\n" not in reply:
                    reply += await stream.receive()
    return reply


async def test_an_sdp_body_past_the_limit_is_refused_before_it_is_read() -> None:
    reply = await _status_of_a_gigabyte("application/sdp")
    assert reply.split(b"\r\n", 1)[0].split()[1] == b"413", reply[:200]


async def test_a_multipart_offer_past_the_limit_is_refused_before_it_is_read() -> None:
    reply = await _status_of_a_gigabyte("multipart/form-data; boundary=XX")
    assert reply, "no answer in 5 s: the emulator is still reading the 1 GB form"
    assert reply.split(b"\r\n", 1)[0].split()[1] == b"413", reply[:200]
