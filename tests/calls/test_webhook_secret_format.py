"""A webhook secret that is not ``whsec_`` + base64 is taken silently by CallServer, and
then verified with a key that differs from the one the openai SDK (the oracle) uses.

The openai SDK's ``client.webhooks.verify_signature`` uses a secret without the ``whsec_``
prefix as its UTF-8 bytes; ``standardwebhooks`` (what CallServer verifies with) base64-decodes
it anyway (non-validating, after appending ``==``), so ``"my-plain-secret"`` becomes an
unrelated garbage key and every genuine webhook gets 400 ("No matching signature found").
The emulator and ``rtagents call`` refuse such a secret with a clear ValueError.

Right behaviour: either ``CallServer(webhook_secret=...)`` refuses a secret that is not
``whsec_`` + base64 with a ValueError when the server is made (as the emulator does), or it
verifies it as the openai SDK does. Never a server that starts and rejects every call."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import httpx2
import pytest
from openai import OpenAI

import rtagents
from rtagents.calls import CallServer
from rtagents.testing import serve_asgi
from tests.calls.harness import incoming, recording_api

pytestmark = pytest.mark.anyio
PLAIN = "my-plain-webhook-secret"


def sdk_signed(secret: str, body: str, event_id: str = "evt_1") -> dict[str, str]:
    """Headers signed exactly as the openai SDK verifies them (its key derivation)."""
    ts = str(int(time.time()))
    key = base64.b64decode(secret[6:]) if secret.startswith("whsec_") else secret.encode()
    mac = hmac.new(key, f"{event_id}.{ts}.{body}".encode(), hashlib.sha256).digest()
    return {
        "webhook-id": event_id,
        "webhook-timestamp": ts,
        "webhook-signature": "v1," + base64.b64encode(mac).decode(),
        "content-type": "application/json",
    }


@pytest.mark.parametrize(
    "plain",
    # Not base64; and made of base64's letters, which a base64 reading takes as another key.
    [PLAIN, "supersecretvalue"],
    ids=["not-base64", "base64-letters"],
)
async def test_a_secret_without_whsec_is_refused_or_verified_as_the_sdk_does(plain: str) -> None:
    body = incoming("rtc_plain_1")
    headers = sdk_signed(plain, body)
    # The oracle accepts this delivery with this secret.
    OpenAI(api_key="x").webhooks.verify_signature(body, headers, secret=plain)
    async with recording_api() as api:
        try:
            app = CallServer(
                agent=rtagents.Agent(), webhook_secret=plain, api_key="sk-x", base_url=api.url
            )
        except ValueError:
            return  # refused up front: fine
        async with serve_asgi(app) as url, httpx2.AsyncClient(base_url=url) as http:
            reply = await http.post("/openai/webhook", content=body, headers=headers)
    assert reply.status_code == 200, (
        "CallServer took the secret, but rejects a webhook the openai SDK verifies: "
        f"{reply.status_code} {reply.text}"
    )
    assert json.loads(reply.text)["status"] == "accepted"


def test_a_secret_that_is_not_set_is_a_clear_error() -> None:
    # CallServer(webhook_secret=os.environ.get("OPENAI_WEBHOOK_SECRET")), the variable unset.
    with pytest.raises(ValueError, match="got NoneType"):
        CallServer(agent=rtagents.Agent(), webhook_secret=None)  # type: ignore[arg-type]
