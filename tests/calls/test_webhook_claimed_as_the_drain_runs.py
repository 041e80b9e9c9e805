"""A webhook comes in just before the drain; its claim is on its way to Redis when
``drain()`` starts, and ``drain()`` returns (no call was live yet) before the claim's answer
comes. The replica then takes the call all the same: ``CallLifecycle.start`` does not look
at ``draining``, and ``_webhook`` checked ``taking_calls`` only before the claim.

docs/deployment.md: while draining "a new webhook gets 503 and is not marked as seen, so
OpenAI retries it, and the retry reaches another replica", and "``drain()`` returns once
each of these calls was handed over or hung up". Here ``drain()`` has returned, and the
draining replica answers the call (200 "accepted") and runs it: its session is never
drained (the shutdown later cuts it short, its tool calls in flight given no output).

Redis's replies are held by a relay while the drain runs (a slow Redis; deterministic)."""

from __future__ import annotations

import uuid

import anyio
import pytest

import rtagents
from rtagents.calls import CallServer
from rtagents.calls.registry_redis import RedisRegistry
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.testing import serve_asgi
from tests.calls.harness import Relay

pytestmark = pytest.mark.anyio
SECRET = "whsec_" + "c2VjcmV0LXNpZ25pbmcta2V5LWZvci10ZXN0cw=="


async def test_a_call_whose_claim_outlasts_the_drains_start_is_not_taken(redis_url: str) -> None:
    relay = Relay(redis_url)
    async with relay.serving() as slow_url, Emulator(model=ScriptedModel([])) as emu:
        registry = RedisRegistry(slow_url, replica="a", prefix=f"races-{uuid.uuid4().hex[:8]}")
        app = CallServer(
            agent=rtagents.Agent(name="desk"),
            webhook_secret=SECRET,
            api_key="sk-x",
            base_url=emu.http_url,
            registry=registry,
            drain_timeout=0,
        )
        async with serve_asgi(app) as url:
            relay.flowing.clear()  # Redis's answers now take their time
            call_id = emu.place_call(f"{url}/openai/webhook", SECRET)
            with anyio.fail_after(10):
                while call_id not in app._webhooks.claiming:  # its claim is on its way
                    await anyio.sleep(0.005)
            await app.drain(0)  # SIGTERM: nothing live yet, so the drain is over at once
            relay.flowing.set()  # the claim's answer comes
            with anyio.fail_after(10):
                while (
                    call_id in app._webhooks.claiming
                ):  # (then the webhook starts the call at once)
                    await anyio.sleep(0.005)
            taken = app.calls.get(call_id)
            # drained, and not taking calls: the webhook is refused (503) for its retry to
            # reach another replica, and this replica does not answer the call.
            assert app.draining
            assert taken is None, f"the draining replica took the call: {taken}"
