"""An SDP offer well under the emulator's body limit (1 MiB, ``rest_json.BODY_LIMIT``) but
listing thousands of ICE candidates stalls the emulator's event loop for seconds: aiortc
hands each candidate to aioice, whose ``_find_remote_candidate`` scans every candidate added
before (quadratic). One POST to ``/v1/realtime/calls`` (any key will do without
``api_key``; a client secret with one) then freezes every session the emulator serves: the
brief's "huge offers get a clear 4xx" is not kept, and a shared ``rtagents emulator`` is
stalled by one request. A browser's offer has a handful of candidates."""

from __future__ import annotations

import asyncio
import time

import httpx2
import pytest

from rtagents.emulator import Emulator
from tests.emulator.webrtc.client import Browser

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]

CANDIDATES = 5000  # about 300 KB of SDP: under a third of the body limit


async def _offer_with_candidates(count: int) -> str:
    page = Browser()
    try:
        offer = await page.offer()
    finally:
        await page.close()
    extra = "".join(
        f"a=candidate:{i} 1 udp 2130706431 10.{(i >> 8) & 255}.{i & 255}.1 {1024 + i} typ host\r\n"
        for i in range(count)
    )
    return offer.replace("a=mid:0\r\n", "a=mid:0\r\n" + extra, 1)


async def test_an_offer_with_thousands_of_candidates_does_not_stall_the_emulator() -> None:
    sdp = await _offer_with_candidates(CANDIDATES)
    assert len(sdp) < 1 << 20
    gaps: list[float] = []

    async def ticker() -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(0.01)
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    async with Emulator() as emu, httpx2.AsyncClient(timeout=60) as http:
        ticking = asyncio.create_task(ticker())
        try:
            reply = await http.post(
                f"{emu.http_url}/realtime/calls",
                content=sdp,
                headers={"Content-Type": "application/sdp", "Authorization": "Bearer sk-x"},
            )
        finally:
            ticking.cancel()
    stalled = max(gaps, default=0.0)
    assert stalled < 1.0, (
        f"one offer of {len(sdp) // 1024} KB ({CANDIDATES} candidates) blocked the emulator's "
        f"event loop for {stalled:.1f} s (answered {reply.status_code}); every session it "
        "serves stalls meanwhile"
    )
