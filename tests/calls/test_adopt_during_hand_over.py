"""A draining replica hands a call over: ``hand_over`` gives its claim back (the call stays
listed), and only then does ``_after_drain`` mark the record ``moved``. The replica's own
round that looks for orphaned calls may land in between (its ``_ADOPT`` script finds the call
listed and unclaimed, and claims it): ``CallServer._adopt`` now answers True for any call whose
record is still live here, before it checks ``taking_calls``, so the draining replica keeps
the claim (and renews it), though its session is closed and the record then says ``moved``.
No other replica can adopt the call until this process is gone and the lease ran out: the
call is without its tools for a lease (30 s by default), not for a third of one."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
import redis.asyncio

import rtagents
from rtagents.calls import CallServer
from rtagents.calls.registry_redis import RedisRegistry
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.testing import redis_server, serve_asgi

pytestmark = pytest.mark.anyio
SECRET = "whsec_" + "c2VjcmV0LXNpZ25pbmcta2V5LWZvci10ZXN0cw=="


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


async def until(condition: Any, timeout: float = 10) -> None:
    with anyio.fail_after(timeout):
        while not condition():
            await anyio.sleep(0.02)


async def test_a_draining_replica_does_not_adopt_the_call_it_is_handing_over(
    redis_url: str,
) -> None:
    prefix = f"review-{uuid.uuid4().hex[:8]}"
    async with Emulator(model=ScriptedModel([])) as emu:
        registry = RedisRegistry(redis_url, replica="a", prefix=prefix, lease_s=30)
        app = CallServer(
            agent=rtagents.Agent(name="desk"),
            webhook_secret=SECRET,
            api_key="sk-x",
            base_url=emu.http_url,
            registry=registry,
            drain_timeout=0,
        )
        give_back = registry._give_back  # type: ignore[attr-defined]
        adopted_in_window: list[bool] = []

        async def give_back_then_a_round(call_id: str, info: str) -> None:
            await give_back(call_id, info)
            # The replica's own look for orphaned calls lands here (it runs every lease/3,
            # concurrently with the drain): the call is listed, and no longer claimed.
            if not adopted_in_window:
                adopted_in_window.append(True)
                await registry._adopt()  # type: ignore[attr-defined]
                await anyio.sleep(0.05)  # its _take_over task runs

        registry._give_back = give_back_then_a_round  # type: ignore[attr-defined]
        client = redis.asyncio.from_url(redis_url, decode_responses=True)
        try:
            async with serve_asgi(app) as url:
                call_id = emu.place_call(f"{url}/openai/webhook", SECRET)
                await until(lambda: call_id in app.calls and app.calls[call_id].session is not None)
                await app.drain(0)
                record = app.calls[call_id]
                claim = await client.get(f"{prefix}:call:{call_id}")
                kept = call_id in registry._owned  # type: ignore[attr-defined]
                assert adopted_in_window
                assert record.state == "moved"
                # Handed over: no claim, for another replica's next round to take it.
                assert (claim, kept) == (None, False)
        finally:
            await client.aclose()
