"""The reply of ``POST /session`` carries a client secret: it says ``Cache-Control:
no-store``, as a token's reply must (RFC 6749, 5.1), so that no cache on the way (a proxy, the
browser's own) keeps the secret for the next user. Before, it said nothing of caching.
Real parts: a CallServer under uvicorn, the emulator as the API."""

from __future__ import annotations

import pytest

from rtagents.emulator import ScriptedModel
from tests.calls.browser_call import browser_app

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


async def test_the_reply_with_a_client_secret_is_not_stored() -> None:
    async with browser_app(model=ScriptedModel([])) as (emu, app, http):
        minted = await http.post("/session")
    assert minted.status_code == 200, minted.text
    assert "client_secret" in minted.json()
    assert minted.headers.get("cache-control") == "no-store", dict(minted.headers)
