"""A replica that starts while Redis is down (a deploy during a Redis restart or failover)
comes up not ready (``GET /readyz`` 503, as docs/deployment.md says "when the registry cannot
be reached"), and ready once it listens on its channel after Redis answers. It failed its
lifespan with an exception group (redis-py's ``ConnectionError`` from the first subscribe),
and uvicorn exited."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
import redis.asyncio

import rtagents
from rtagents.calls import CallServer
from rtagents.calls.registry_redis import RedisRegistry
from rtagents.testing import redis_server
from tests.calls.harness import SECRET

pytestmark = pytest.mark.anyio


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_a_replica_started_before_redis_is_up_comes_up_not_ready(tmp_path: Path) -> None:
    port = free_port()
    app = CallServer(
        agent=rtagents.Agent(),
        webhook_secret=SECRET,
        api_key="sk-x",
        base_url="http://127.0.0.1:9/v1",
        registry=RedisRegistry(f"redis://127.0.0.1:{port}/0", replica="a"),
        drain_timeout=0,
    )
    said: list[dict[str, Any]] = []
    started, stop = anyio.Event(), anyio.Event()
    raised: list[BaseException] = []

    async def receive() -> dict[str, Any]:
        if not said:
            return {"type": "lifespan.startup"}
        await stop.wait()
        return {"type": "lifespan.shutdown"}

    async def send(message: dict[str, Any]) -> None:
        said.append(message)
        if message["type"].startswith("lifespan.startup"):
            started.set()

    async def lifespan() -> None:
        try:
            await app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, receive, send)
        except BaseException as exc:
            raised.append(exc)
            started.set()

    async with anyio.create_task_group() as tg:
        tg.start_soon(lifespan)
        with anyio.fail_after(10):
            await started.wait()
        outcome = said[-1]["type"] if said else None
        failure = (said[-1].get("message") or "")[-300:] if said else ""
        readiness: list[int] = []
        if outcome == "lifespan.startup.complete":
            transport = httpx2.ASGITransport(app=app)
            async with httpx2.AsyncClient(transport=transport, base_url="http://app") as http:
                readiness.append((await http.get("/readyz")).status_code)  # Redis down
                with redis_server(tmp_path, port=port):
                    with anyio.fail_after(10):
                        while (await http.get("/readyz")).status_code != 200:
                            await anyio.sleep(0.1)
                    readiness.append(200)
                    # Ready once it listens: a command forwarded to it now is heard.
                    client = redis.asyncio.Redis.from_url(f"redis://127.0.0.1:{port}/0")
                    listeners = await client.pubsub_numsub("rtagents:replica:a")
                    await client.aclose()
                    stop.set()
        else:
            stop.set()
    assert outcome == "lifespan.startup.complete", (
        f"the app did not start while Redis was down: {outcome}; raised "
        f"{[type(e).__name__ for e in raised]}: ...{failure}"
    )
    assert readiness == [503, 200]
    assert listeners == [(b"rtagents:replica:a", 1)], listeners
