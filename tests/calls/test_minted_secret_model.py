"""A browser's call runs on the agent's model: ``POST /session`` mints a client secret whose
session is "configured from the agent" (docs/browser.md), and the WebRTC call the page makes
with it runs on ``Agent.model``. The sideband meters the call's usage (and
``CallServer(prices=...)`` prices it) under ``agent.model``, so a call left on the API's
default model is both run and priced on the wrong model.

Today ``created_session`` (the mint's and the SIP accept's session) leaves ``model`` out:
an ``Agent(model="gpt-realtime-mini")`` gets ``gpt-realtime`` calls, billed as mini."""

from __future__ import annotations

import pytest

import rtagents
from tests.calls.browser_call import browser_app, page_call

pytestmark = pytest.mark.anyio

MODEL = "gpt-realtime-mini"


async def test_the_minted_secret_and_the_call_carry_the_agents_model() -> None:
    agent = rtagents.Agent(name="helper", model=MODEL, instructions="Be brief.")
    async with browser_app(agent=agent) as (emu, app, http):
        async with page_call(emu, http) as (browser, call_id, secret):
            created = (await browser.until("session.created"))[-1]
            minted_session = emu.client_secrets.session(secret)
            body = {"call_id": call_id, "client_secret": secret}
            attached = await http.post("/session/attach", json=body)
            assert attached.json() == {"status": "attached"}, attached.text
    assert minted_session is not None
    assert minted_session.get("model") == MODEL, f"the secret's session: {minted_session}"
    assert created["session"]["model"] == MODEL, "the page's call runs on another model"
