"""A webhook secret without ``whsec_`` whose characters happen to be valid base64
(``"supersecretvalue"``) is taken by ``CallServer`` and base64-decoded into a key no
webhook is signed with: the server starts, then answers 400 to every webhook the openai
SDK (the oracle) verifies with that secret.

The openai SDK's ``webhooks.verify_signature`` uses a secret without ``whsec_`` as its
UTF-8 bytes. ``webhook_key`` (rtagents/_webhook_key.py) refuses a plain secret that is not
valid base64 (``"my-plain-webhook-secret"``, see tests/calls/test_webhook_secret_format.py),
but one made of base64's alphabet with a length divisible by 4 slips through and is
decoded. Right behaviour, as for the other plain secret: refuse it when the server is made,
or verify as the SDK does; never a server that starts and rejects every call."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

import httpx2
import pytest
from openai import OpenAI

import rtagents
from rtagents.calls import CallServer
from rtagents.testing import serve_asgi
from tests.calls.harness import incoming, recording_api

pytestmark = pytest.mark.anyio
PLAIN = "supersecretvalue"  # 16 letters: valid base64, but not a base64 secret


def sdk_signed(secret: str, body: str, event_id: str = "evt_1") -> dict[str, str]:
    ts = str(int(time.time()))
    key = base64.b64decode(secret[6:]) if secret.startswith("whsec_") else secret.encode()
    mac = hmac.new(key, f"{event_id}.{ts}.{body}".encode(), hashlib.sha256).digest()
    return {
        "webhook-id": event_id,
        "webhook-timestamp": ts,
        "webhook-signature": "v1," + base64.b64encode(mac).decode(),
        "content-type": "application/json",
    }


async def test_a_plain_secret_made_of_base64_letters_is_refused_or_verified_as_the_sdk_does() -> (
    None
):
    body = incoming("rtc_plain_2")
    headers = sdk_signed(PLAIN, body)
    OpenAI(api_key="x").webhooks.verify_signature(body, headers, secret=PLAIN)  # the oracle
    async with recording_api() as api:
        try:
            app = CallServer(
                agent=rtagents.Agent(), webhook_secret=PLAIN, api_key="sk-x", base_url=api.url
            )
        except ValueError:
            return  # refused up front: fine
        async with serve_asgi(app) as url, httpx2.AsyncClient(base_url=url) as http:
            reply = await http.post("/openai/webhook", content=body, headers=headers)
    assert reply.status_code == 200, (
        "CallServer took the secret, but rejects a webhook the openai SDK verifies: "
        f"{reply.status_code} {reply.text}"
    )
