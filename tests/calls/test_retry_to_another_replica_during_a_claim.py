"""OpenAI retries a webhook (same ``webhook-id``) while the first delivery is still claiming
the call on replica A (A's link to Redis is slow: its claim was made, its answer is late).
The retry reaches replica B, which finds A's claim and answers 200 "duplicate". A then gives
its claim up after ``CLAIM_TIMEOUT_S`` (503) and gives it back. OpenAI got a 2xx, so it
retries no more: no replica ever takes the call, which is left ringing.

docs/calls.md: "A retry (or a second delivery of the same call) that comes while the first
is still claiming the call in the registry gets 409, so that OpenAI tries it again: should
that claim fail, the retry takes the call, which is never left ringing." That holds when
the retry reaches the same replica (``SipWebhooks.claiming``), not across replicas:
``RedisRegistry``'s claim script cannot tell "claimed by another replica, not accepted
yet" from "taken", and ``CallServer._webhook`` answers both "duplicate".

Real parts only: two CallServers under uvicorn, a real redis-server, and a TCP relay that
holds Redis's replies to replica A for a few seconds (a slow network path)."""

from __future__ import annotations

import uuid

import anyio
import httpx2
import pytest

import rtagents
from rtagents.calls import CallServer
from rtagents.calls.registry_redis import RedisRegistry
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.testing import serve_asgi
from tests.calls.harness import SECRET, Relay, incoming, signed

pytestmark = pytest.mark.anyio


async def test_a_retry_to_another_replica_while_the_first_still_claims_does_not_lose_the_call(
    redis_url: str,
) -> None:
    prefix = f"review-{uuid.uuid4().hex[:8]}"
    relay = Relay(redis_url)
    async with Emulator(model=ScriptedModel([], then="Hello.")) as emu, relay.serving() as slow_url:
        apps = [
            CallServer(
                agent=rtagents.Agent(name="desk"),
                webhook_secret=SECRET,
                api_key="sk-x",
                base_url=emu.http_url,
                registry=RedisRegistry(url, replica=name, prefix=prefix),
                drain_timeout=0,
            )
            for name, url in (("a", slow_url), ("b", redis_url))
        ]
        # A call that rings at the emulator; its webhook is delivered by this test.
        call_id = emu.place_call("http://127.0.0.1:9/unreachable", SECRET)
        body = incoming(call_id)
        async with (
            serve_asgi(apps[0]) as url_a,
            serve_asgi(apps[1]) as url_b,
            httpx2.AsyncClient(timeout=30) as http,
        ):
            replies: dict[str, httpx2.Response] = {}

            async def deliver(name: str, url: str) -> None:
                headers = signed(body, event_id="evt_retry_1")  # the same delivery, retried
                replies[name] = await http.post(
                    f"{url}/openai/webhook", content=body, headers=headers
                )

            # A's connection to Redis is open (a readiness check), so its claim goes out at once.
            assert (await http.get(f"{url_a}/readyz")).status_code == 200
            relay.delay = 6.0  # replica A's Redis answers come late from now on
            async with anyio.create_task_group() as tg:
                tg.start_soon(deliver, "a", url_a)
                await anyio.sleep(1.0)  # A's claim is made in Redis; its answer is on its way
                await deliver("b", url_b)  # OpenAI's retry, to the other replica
            relay.delay = 0.0
            await anyio.sleep(2.0)
            status = emu.desk.calls[call_id].status
            holders = [app.registry.replica for app in apps if call_id in app.calls]  # type: ignore[attr-defined]
    a, b = replies["a"], replies["b"]
    assert a.status_code == 503, (a.status_code, a.text)  # A gave its claim up: OpenAI retries...
    # ... unless another reply already told OpenAI the delivery was handled.
    assert not (200 <= b.status_code < 300 and status == "ringing" and not holders), (
        f"replica b answered the retry {b.status_code} {b.text} while replica a was still "
        f"claiming; a then answered 503 and gave the claim back: the call is {status!r} and "
        "no replica holds it, and OpenAI, told 2xx, retries no more"
    )
