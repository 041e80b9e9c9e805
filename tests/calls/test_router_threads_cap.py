"""``ROUTING_THREADS`` (256) promises: "At most this many sync routers run at once, each in
a thread (...); one given up on counts until its code returns". Under a burst of webhooks
(a busy minute, or calls while the CRM the router asks hangs), the cap is checked when a call
asks (``Routing.decide``: ``_running``, counted only once a thread runs) while the calls of
the burst wait for the limiter; when the first 256 are given up on (``route_timeout``), their
limiter slots free at once and the waiting calls of the same burst start threads too. Every
call of the burst then has a stuck router thread: 300 > 256."""

from __future__ import annotations

import threading

import anyio
import httpx2
import pytest

import rtagents
from rtagents.calls import CallServer, IncomingCall
from rtagents.calls.routing import ROUTING_THREADS
from rtagents.testing import serve_asgi
from tests.calls.harness import SECRET, incoming, recording_api, signed

pytestmark = pytest.mark.anyio
CALLS = ROUTING_THREADS + 44


async def test_a_burst_of_calls_never_runs_more_than_routing_threads_routers() -> None:
    lock = threading.Lock()
    gate = threading.Event()
    counts = {"now": 0, "peak": 0}

    def crm_lookup(call: IncomingCall) -> rtagents.Agent:  # the CRM stopped answering
        with lock:
            counts["now"] += 1
            counts["peak"] = max(counts["peak"], counts["now"])
        gate.wait(15)
        with lock:
            counts["now"] -= 1
        return rtagents.Agent()

    async with recording_api() as api:
        app = CallServer(
            route=crm_lookup,
            webhook_secret=SECRET,
            api_key="sk-x",
            base_url=api.url,
            route_timeout=1.0,
        )
        limits = httpx2.Limits(max_connections=CALLS)
        async with (
            serve_asgi(app) as url,
            httpx2.AsyncClient(base_url=url, limits=limits, timeout=30) as http,
        ):

            async def deliver(n: int) -> None:
                body = incoming(f"rtc_burst_{n}")
                reply = await http.post(
                    "/openai/webhook", content=body, headers=signed(body, event_id=f"e{n}")
                )
                assert reply.status_code == 200

            try:
                async with anyio.create_task_group() as tg:
                    for n in range(CALLS):
                        tg.start_soon(deliver, n)
                await anyio.sleep(2.0)  # past route_timeout: the waiting calls had their turn
                peak = counts["peak"]
            finally:
                gate.set()
    assert peak <= ROUTING_THREADS, f"{peak} sync routers ran at once (cap {ROUTING_THREADS})"
