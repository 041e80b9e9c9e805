"""A client secret expires for *creating* sessions (the SDK: "Expiration refers to the
time after which a client secret will no longer be valid for creating sessions. The session
itself may continue after that time once started"). A page whose call was made in its
secret's lifetime attaches that call, even if the attach comes after the secret expired."""

from __future__ import annotations

import time

import anyio
import pytest

from tests.calls.browser_call import browser_app
from tests.emulator.webrtc.client import Browser

pytestmark = pytest.mark.anyio
LEFT = 4.0  # seconds the secret has left when the page gets it


async def test_a_call_made_in_its_secrets_lifetime_is_attached_after_it() -> None:
    async with browser_app() as (emu, app, http):
        # The page got its secret 596 s ago (it minted on load; the user pressed Talk now).
        emu.client_secrets.clock = lambda: time.time() - (600 - LEFT)
        minted = (await http.post("/session")).json()
        secret, expires_at = minted["client_secret"], minted["expires_at"]
        browser = Browser()
        try:
            reply = await browser.call(emu.http_url, secret)  # within the lifetime
            assert reply.status_code == 201, reply.text
            assert time.time() < expires_at
            await anyio.sleep(max(0.0, expires_at - time.time()) + 0.2)
            body = {"call_id": browser.call_id, "client_secret": secret}
            attached = await http.post("/session/attach", json=body)
            assert emu.desk.calls[browser.call_id].status == "accepted"  # the call is up
            assert attached.status_code == 200, attached.text
        finally:
            await browser.close()
