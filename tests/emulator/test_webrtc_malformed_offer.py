"""The emulator's ``POST /v1/realtime/calls`` answers an SDP offer it cannot take with 400 in
the API's error shape (``param: "sdp"``), never a 500 (routes.py: "the 400 that refuses the
offer"; test_offers_aiortc_cannot_take_are_a_400_and_leave_nothing). A real page's offer with
one line taken out (its audio section's ``a=mid``, or the data channel's ``m=`` line) or
with its audio section twice gets a 500 today: ``Peer.answer`` turns only
``setRemoteDescription``'s failures into ``ValueError``, and aiortc then trips in
``createAnswer``/``setLocalDescription`` (``AttributeError``), which escapes the route."""

from __future__ import annotations

import httpx2
import pytest

from rtagents.emulator import Emulator
from tests.emulator.webrtc.client import Browser

pytestmark = pytest.mark.anyio


async def _offer() -> str:
    page = Browser()
    try:
        return await page.offer()
    finally:
        await page.close()


def _mangled(offer: str, how: str) -> str:
    lines = offer.split("\r\n")
    if how == "audio without a=mid":
        return "\r\n".join(line for line in lines if line != "a=mid:0")
    if how == "no m= line for the data channel":
        return "\r\n".join(line for line in lines if not line.startswith("m=application"))
    audio = offer[offer.index("m=audio") : offer.index("m=application")]
    return offer + audio  # the audio section twice


@pytest.mark.parametrize(
    "how", ["audio without a=mid", "no m= line for the data channel", "audio section twice"]
)
async def test_a_malformed_offer_is_a_400_not_a_500(how: str) -> None:
    sdp = _mangled(await _offer(), how)
    async with Emulator() as emu, httpx2.AsyncClient(timeout=20) as http:
        reply = await http.post(
            f"{emu.http_url}/realtime/calls",
            content=sdp,
            headers={"Content-Type": "application/sdp", "Authorization": "Bearer sk-x"},
        )
        assert reply.status_code == 400, f"{reply.status_code} {reply.text[:200]}"
        assert reply.json()["error"]["param"] == "sdp"
        assert not emu.desk.calls  # no call left behind
