"""An SDP offer with no ``a=fingerprint`` cannot make a call: WebRTC media is DTLS-SRTP, and
the DTLS handshake checks the peer's certificate against the offer's fingerprint (JSEP,
RFC 8829 5.8: an offer without one is rejected; the real API's WebRTC stack refuses it).
docs/emulator.md: "A bad offer is a 400". The emulator answers it 201, with an SDP answer
and a ``Location``; aiortc then trips in its connect task (``assert
len(remoteParameters.fingerprints)``, "Task exception was never retrieved"), and the call
sits "accepted" with a session the page can never reach, until the 30 s watchdog."""

from __future__ import annotations

import httpx2
import pytest

from rtagents.emulator import Emulator
from tests.emulator.webrtc.client import Browser

pytestmark = pytest.mark.anyio


async def _offer_without_fingerprint() -> str:
    page = Browser()
    try:
        offer = await page.offer()
    finally:
        await page.close()
    lines = offer.split("\r\n")
    assert any(line.startswith("a=fingerprint:") for line in lines)
    return "\r\n".join(line for line in lines if not line.startswith("a=fingerprint:"))


async def test_an_offer_without_a_fingerprint_is_a_400() -> None:
    sdp = await _offer_without_fingerprint()
    async with Emulator() as emu, httpx2.AsyncClient(timeout=20) as http:
        reply = await http.post(
            f"{emu.http_url}/realtime/calls",
            content=sdp,
            headers={"Content-Type": "application/sdp", "Authorization": "Bearer sk-x"},
        )
        calls = {c.call_id: c.status for c in emu.desk.calls.values()}
    assert reply.status_code == 400, (
        f"an offer with no DTLS fingerprint was answered {reply.status_code} "
        f"(Location {reply.headers.get('location')}); calls left: {calls}"
    )
    assert reply.json()["error"]["param"] == "sdp"
    assert not calls
