"""A browser's call (WebRTC) is not a SIP call: its handle says so, and it cannot be
transferred with SIP REFER (the SDK: refer "Transfer an active SIP call")."""

from __future__ import annotations

import anyio
import pytest

from rtagents.calls import CallControlError
from tests.calls.browser_call import browser_app, page_call

pytestmark = pytest.mark.anyio


async def test_a_browser_calls_handle_says_browser() -> None:
    async with browser_app() as (emu, app, http), page_call(emu, http) as (_, call_id, secret):
        attached = await http.post(
            "/session/attach", json={"call_id": call_id, "client_secret": secret}
        )
        assert attached.json() == {"status": "attached"}
        record = app.calls[call_id]
        assert record.source == "browser"
        assert record.handle is not None
        assert record.handle.source == "browser"  # current_call().source in the call's tools


async def test_a_browser_call_cannot_be_transferred() -> None:
    async with browser_app() as (emu, app, http), page_call(emu, http) as (_, call_id, secret):
        attached = await http.post(
            "/session/attach", json={"call_id": call_id, "client_secret": secret}
        )
        assert attached.json() == {"status": "attached"}
        with pytest.raises(CallControlError):
            await app.transfer(call_id, "tel:+15550123")
        await anyio.sleep(0.3)
        assert emu.desk.calls[call_id].status == "accepted", emu.desk.calls[call_id].public()
