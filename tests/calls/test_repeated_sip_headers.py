"""OpenAI's ``realtime.call.incoming`` keeps the INVITE's repeated headers ("Retained names,
values, repeated entries, and order are preserved", the openai SDK's type). A carrier sends
``P-Asserted-Identity`` twice (a sip: and a tel: identity, RFC 3325) and ``Diversion`` once
per forward, the top-most the latest. The router sees ``call.sip_headers`` as a mapping: it
must still see every value (RFC 3261 7.3.1: repeated fields combine into one, comma
separated), not only the last one, silently."""

from __future__ import annotations

import json
import time

import anyio
import httpx2
import pytest

from rtagents.calls import CallServer, IncomingCall, Reject
from rtagents.emulator import Emulator
from rtagents.testing import serve_asgi
from tests.calls.harness import SECRET, signed

pytestmark = pytest.mark.anyio

FIRST = "<sip:+15550100@carrier.example;user=phone>"
SECOND = "<tel:+15550100>"


async def test_a_repeated_sip_header_reaches_the_router_whole() -> None:
    seen: list[IncomingCall] = []

    def route(call: IncomingCall) -> Reject:
        seen.append(call)
        return Reject(486)

    event = {
        "id": "evt_r1",
        "object": "event",
        "created_at": int(time.time()),
        "type": "realtime.call.incoming",
        "data": {
            "call_id": "rtc_repeated1",
            "sip_headers": [
                {"name": "From", "value": "<sip:+15550100@carrier.example>;tag=1"},
                {"name": "P-Asserted-Identity", "value": FIRST},
                {"name": "P-Asserted-Identity", "value": SECOND},
            ],
        },
    }
    body = json.dumps(event)
    async with Emulator() as emu:
        app = CallServer(route=route, webhook_secret=SECRET, api_key="sk-x", base_url=emu.http_url)
        async with serve_asgi(app) as url, httpx2.AsyncClient() as http:
            reply = await http.post(
                f"{url}/openai/webhook", content=body, headers=signed(body, event_id="evt_r1")
            )
            assert reply.status_code == 200
            with anyio.fail_after(5):
                while not seen:
                    await anyio.sleep(0.01)
    value = seen[0].sip_headers["P-Asserted-Identity"]
    assert FIRST in value and SECOND in value, value
