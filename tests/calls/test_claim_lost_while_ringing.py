"""A ringing call whose claim is lost (Redis lost the key: restarted empty, evicted under
``maxmemory``, a failover to a replica behind) while its router runs, and that another
replica claims from a second delivery of its webhook and answers: the first replica lets it
go (``Supervision.lost`` takes ringing calls too) and neither accepts nor hangs it up once its
router answers. (It did both: its accept failed, and its failure path hung up the call the
other replica ran.) docs/deployment.md: "Each call is accepted exactly once"."""

from __future__ import annotations

import uuid

import anyio
import httpx2
import pytest
import redis.asyncio

import rtagents
from rtagents.calls import CallServer, IncomingCall
from rtagents.calls.registry_redis import RedisRegistry
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.testing import serve_asgi
from tests.calls.harness import SECRET, incoming, signed

pytestmark = pytest.mark.anyio
LEASE_S = 1.5


async def test_a_ringing_call_whose_claim_was_lost_is_not_answered_by_both(
    redis_url: str,
) -> None:
    prefix = f"review-{uuid.uuid4().hex[:8]}"
    routing, go_on = anyio.Event(), anyio.Event()

    async def slow_route(call: IncomingCall) -> rtagents.Agent:
        routing.set()
        await go_on.wait()  # a slow lookup
        return rtagents.Agent(name="a-desk")

    async with Emulator(model=ScriptedModel([], then="Hello.")) as emu:

        def replica(name: str, **how: object) -> CallServer:
            return CallServer(
                **how,  # type: ignore[arg-type]
                webhook_secret=SECRET,
                api_key="sk-x",
                base_url=emu.http_url,
                registry=RedisRegistry(redis_url, replica=name, prefix=prefix, lease_s=LEASE_S),
                drain_timeout=0,
            )

        a = replica("a", route=slow_route)
        b = replica("b", agent=rtagents.Agent(name="b-desk"))
        client = redis.asyncio.Redis.from_url(redis_url, decode_responses=True)
        async with serve_asgi(a) as url_a, serve_asgi(b) as url_b, httpx2.AsyncClient() as http:
            call_id = emu.place_call(f"{url_a}/openai/webhook", SECRET)
            with anyio.fail_after(10):
                await routing.wait()  # a holds the claim; its router is deciding
            await client.delete(f"{prefix}:call:{call_id}")  # Redis lost the claim
            body = incoming(call_id)  # a second delivery of the call, to b
            reply = await http.post(
                f"{url_b}/openai/webhook", content=body, headers=signed(body, event_id="evt_2")
            )
            assert reply.json() == {"status": "accepted"}
            with anyio.fail_after(10):  # b answers it and runs it
                while not (call_id in b.calls and b.calls[call_id].session is not None):
                    await anyio.sleep(0.02)
            await anyio.sleep(LEASE_S)  # a's renewal finds the claim b's
            go_on.set()  # a's router answers
            await anyio.sleep(1.5)
            status = emu.desk.calls[call_id].status
            accepts = emu.desk.calls[call_id].accept_requests
            states = (a.calls[call_id].state, a.calls[call_id].reason, b.calls[call_id].state)
        await client.aclose()
    assert (accepts, status) == (1, "accepted"), (
        f"{accepts} accept requests; the call is {status!r}; a's record {states[:2]}, "
        f"b's {states[2]!r}"
    )
