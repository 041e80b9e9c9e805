"""The emulator's WebRTC calls close what they open: a call that ends before its data
channel was read (here, an offer refused) closes the channel's frame stream. Before, it was
left for the garbage collector, whose ``ResourceWarning`` ("Unclosed
<MemoryObjectReceiveStream>") then landed on whatever test ran next (a test that counts the
warnings a tool gives failed on one)."""

from __future__ import annotations

import gc
import warnings

import httpx2
import pytest

from rtagents.emulator import Emulator

pytestmark = pytest.mark.anyio


async def test_a_refused_offer_leaves_no_stream_open() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        async with Emulator() as emu:
            async with httpx2.AsyncClient(timeout=10) as http:
                reply = await http.post(
                    f"{emu.http_url}/realtime/calls",
                    content="v=0\r\nm=audio x y\r\n",
                    headers={"Authorization": "Bearer sk-x", "Content-Type": "application/sdp"},
                )
                assert reply.status_code == 400, reply.text
        gc.collect()
    unclosed = [str(w.message) for w in caught if "MemoryObject" in str(w.message)]
    assert not unclosed, unclosed
