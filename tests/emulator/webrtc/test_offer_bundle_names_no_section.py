"""An SDP offer whose ``a=group:BUNDLE`` names a mid no media section has (its audio section
says ``a=mid:a``, the group ``0 1``) is answered 400 before aiortc sees it. (aiortc's connect
task, started in ``setLocalDescription``, tripped on it unread: asyncio logged "Task exception
was never retrieved" with a traceback, for each such offer anyone posted.)"""

from __future__ import annotations

import gc
import logging

import anyio
import httpx2
import pytest

from rtagents.emulator import Emulator
from tests.emulator.webrtc.client import Browser

pytestmark = pytest.mark.anyio


async def _offer_with_a_bundle_naming_no_section() -> str:
    page = Browser()
    try:
        offer = await page.offer()
    finally:
        await page.close()
    assert "\r\na=group:BUNDLE 0 1\r\n" in offer and "\r\na=mid:0\r\n" in offer
    return offer.replace("\r\na=mid:0\r\n", "\r\na=mid:a\r\n")


async def test_an_offer_whose_bundle_names_no_section_leaves_no_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    sdp = await _offer_with_a_bundle_naming_no_section()
    with caplog.at_level(logging.ERROR, logger="asyncio"):
        async with Emulator() as emu, httpx2.AsyncClient(timeout=20) as http:
            reply = await http.post(
                f"{emu.http_url}/realtime/calls",
                content=sdp,
                headers={"Content-Type": "application/sdp", "Authorization": "Bearer sk-x"},
            )
            await anyio.sleep(0.2)  # (aiortc's connect task runs, and trips)
        gc.collect()  # an unretrieved task's exception is logged as the task goes
    assert reply.status_code == 400, reply.text
    never_read = [r.getMessage() for r in caplog.records if "never retrieved" in r.getMessage()]
    assert not never_read, never_read[0][:200]
