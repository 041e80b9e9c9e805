"""Two replicas sharing one real Redis (``redis-server``): every webhook delivered to both
is accepted exactly once, and control commands sent to the wrong replica reach the one that
holds the call; a command for a call whose owner is gone fails at once, clearly."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
import redis.asyncio

import rtagents
from rtagents.calls import CallServer, transfer_call
from rtagents.calls.registry import CallNotFound, CallOwnerGone
from rtagents.calls.registry_redis import RedisRegistry
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.testing import fan_out, redis_server, serve_asgi

pytestmark = pytest.mark.anyio
SECRET = "whsec_" + "c2VjcmV0LXNpZ25pbmcta2V5LWZvci10ZXN0cw=="


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@contextlib.asynccontextmanager
async def two_replicas(
    emu: Emulator, agent: rtagents.Agent, redis_url: str
) -> AsyncIterator[tuple[list[CallServer], str]]:
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    apps = [
        CallServer(
            agent=agent,
            webhook_secret=SECRET,
            api_key="sk-x",
            base_url=emu.http_url,
            registry=RedisRegistry(redis_url, replica=name, prefix=prefix),
            drain_timeout=0,
        )
        for name in ("a", "b")
    ]
    async with serve_asgi(apps[0]) as url_a, serve_asgi(apps[1]) as url_b:
        targets = [f"{url_a}/openai/webhook", f"{url_b}/openai/webhook"]
        async with serve_asgi(fan_out(targets)) as relay:
            yield apps, relay + "/"


def holders(apps: list[CallServer], call_id: str) -> list[str]:
    return [app.registry.replica for app in apps if call_id in app.calls]  # type: ignore[attr-defined]


async def test_200_calls_delivered_twice_are_accepted_exactly_once(redis_url: str) -> None:
    async with Emulator(model=ScriptedModel([])) as emu:
        async with two_replicas(emu, rtagents.Agent(name="desk"), redis_url) as (apps, relay):
            ids = [emu.place_call(relay, SECRET) for _ in range(200)]
            with anyio.fail_after(60):
                while not all(
                    emu.desk.calls[c].status == "accepted"
                    and any(app.calls.get(c) and app.calls[c].session for app in apps)
                    for c in ids
                ):
                    await anyio.sleep(0.05)
            await anyio.sleep(0.2)  # any second accept would have arrived by now
            assert [emu.desk.calls[c].accept_requests for c in ids] == [1] * 200
            assert all(len(holders(apps, c)) == 1 for c in ids)
            shares = {name: sum(holders(apps, c) == [name] for c in ids) for name in ("a", "b")}
            assert sum(shares.values()) == 200
            assert all(
                app.calls[c].state == "active" for app in apps for c in ids if c in app.calls
            )


async def test_commands_sent_to_the_wrong_replica_reach_the_owner(redis_url: str) -> None:
    model = ScriptedModel([CallFunction("transfer_call", {"target_uri": "tel:+15550001"}), "OK."])
    agent = rtagents.Agent(name="desk", tools=[transfer_call])  # no handler: the UI answers
    async with Emulator(model=model) as emu:
        async with two_replicas(emu, agent, redis_url) as (apps, relay):
            call_id = emu.place_call(relay, SECRET, say=["Transfer me."])
            with anyio.fail_after(15):
                while not holders(apps, call_id) or not (
                    (s := next(a for a in apps if call_id in a.calls).calls[call_id].session)
                    and s.pending_approvals
                ):
                    await anyio.sleep(0.02)
            owner = next(a for a in apps if call_id in a.calls)
            other = next(a for a in apps if a is not owner)
            [request] = owner.calls[call_id].session.pending_approvals
            assert await other.approve(call_id, request.id) is True
            with anyio.fail_after(10):
                while emu.desk.calls[call_id].status != "referred":
                    await anyio.sleep(0.02)
            with pytest.raises(CallNotFound, match="has ended"):  # referred: the call is over
                await other.approve(call_id, request.id)

            second = emu.place_call(relay, SECRET)
            with anyio.fail_after(15):
                while (
                    not holders(apps, second)
                    or not next(a for a in apps if second in a.calls).calls[second].session
                ):
                    await anyio.sleep(0.02)
            owner = next(a for a in apps if second in a.calls)
            other = next(a for a in apps if a is not owner)
            await other.say(second, "A supervisor says hello.")
            await other.hangup(second)
            with anyio.fail_after(10):
                while emu.desk.calls[second].status != "ended":
                    await anyio.sleep(0.02)
            said = [
                e
                for e in emu.desk.calls[second]._sidebands[0].core.conversation.items
                if e.get("role") == "user"
            ]
            assert [c["text"] for e in said for c in e["content"]] == ["A supervisor says hello."]


async def test_a_gone_owner_or_an_unknown_call_is_a_clear_error(redis_url: str) -> None:
    async with Emulator(model=ScriptedModel([])) as emu:
        async with two_replicas(emu, rtagents.Agent(), redis_url) as (apps, _relay):
            registry: Any = apps[0].registry
            client = redis.asyncio.from_url(redis_url, decode_responses=True)
            await client.set(f"{registry.prefix}:call:rtc_ghost", "crashed-replica")
            with anyio.fail_after(2):
                with pytest.raises(CallOwnerGone, match=r"crashed-replica.*is gone"):
                    await apps[0].hangup("rtc_ghost")
                with pytest.raises(CallNotFound, match="no replica holds call 'rtc_nobody'"):
                    await apps[1].hangup("rtc_nobody")
            await client.aclose()
    assert "redis://" not in repr(registry)


async def test_an_owner_that_does_not_answer_times_out_clearly(redis_url: str) -> None:
    registry = RedisRegistry(redis_url, replica="asker", prefix="stuck", command_timeout=0.3)

    async def never(call_id: str, command: str, args: dict[str, Any]) -> Any:
        raise AssertionError("not asked")

    client = redis.asyncio.from_url(redis_url, decode_responses=True)
    deaf = client.pubsub()
    await deaf.subscribe("stuck:replica:deaf")  # listens, never answers (a hung replica)
    await client.set("stuck:call:rtc_stuck", "deaf")
    async with anyio.create_task_group() as tg:
        await tg.start(registry.run, never)
        with anyio.fail_after(3), pytest.raises(CallOwnerGone, match="did not answer hangup"):
            await registry.forward("rtc_stuck", "hangup", {})
        tg.cancel_scope.cancel()
    await deaf.aclose()
    await client.aclose()


async def test_a_registry_that_goes_away_refuses_calls_so_they_are_retried(
    tmp_path: Path,
) -> None:
    """Redis stops under a running replica: readiness fails, a new call's webhook gets 503
    (not marked seen, so OpenAI's retry is handled), and the replica stays up."""
    redis_running = redis_server(tmp_path)
    url = redis_running.__enter__()
    async with Emulator(model=ScriptedModel([])) as emu:
        app = CallServer(
            agent=rtagents.Agent(),
            webhook_secret=SECRET,
            api_key="sk-x",
            base_url=emu.http_url,
            registry=RedisRegistry(url, replica="lonely", prefix="away"),
            drain_timeout=0,
        )
        async with serve_asgi(app) as served, httpx2.AsyncClient(base_url=served) as http:
            assert (await http.get("/readyz")).status_code == 200
            redis_running.__exit__(None, None, None)  # Redis goes away
            ready = await http.get("/readyz")
            assert ready.status_code == 503 and ready.json()["status"] == "registry unavailable"
            call_id = emu.place_call(f"{served}/openai/webhook", SECRET)
            with anyio.fail_after(10):
                while not emu.desk.calls[call_id].webhook:
                    await anyio.sleep(0.02)
            assert emu.desk.calls[call_id].webhook["status"] == 503
            assert call_id not in app.calls
            await anyio.sleep(1.5)  # the registry's listener notices, and the app stays up
            assert (await http.get("/healthz")).status_code == 200
            assert app._tg is not None, "the app's task group ended with its registry"
