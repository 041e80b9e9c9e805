"""Two replicas sharing one real Redis (``redis-server``): every webhook delivered to both
is accepted exactly once, and control commands sent to the wrong replica reach the one that
holds the call; a command for a call whose owner is gone fails at once, clearly. Redis
restarted empty gets its claims back; a call whose replica died is taken over by another,
never accepted twice nor run by two sidebands."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import anyio.lowlevel
import httpx2
import pytest
import redis.asyncio

import rtagents
from rtagents.calls import CallServer, IncomingCall, LocalRegistry, TwilioStreams, transfer_call
from rtagents.calls.lifecycle import HANDED_OVER
from rtagents.calls.registry import CallNotFound, CallOwnerGone, ClaimPending
from rtagents.calls.registry_redis import RedisRegistry
from rtagents.calls.registry_scripts import END, KEEP
from rtagents.emulator import CallFunction, Emulator, ScriptedModel
from rtagents.testing import TwilioMediaClient, fan_out, redis_server, serve_asgi
from tests.calls.harness import incoming, signed

pytestmark = pytest.mark.anyio
SECRET = "whsec_" + "c2VjcmV0LXNpZ25pbmcta2V5LWZvci10ZXN0cw=="


@contextlib.asynccontextmanager
async def two_replicas(
    emu: Emulator,
    agent: rtagents.Agent | None,
    redis_url: str,
    lease_s: float = 30.0,
    **options: Any,
) -> AsyncIterator[tuple[list[CallServer], str]]:
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    apps = [
        CallServer(
            agent=agent,
            **options,
            webhook_secret=SECRET,
            api_key="sk-x",
            base_url=emu.http_url,
            registry=RedisRegistry(redis_url, replica=name, prefix=prefix, lease_s=lease_s),
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
                while (
                    emu.desk.calls[call_id].status != "referred"
                    or owner.calls[call_id].state == "active"
                ):
                    await anyio.sleep(0.02)
            # Referred: the call is over, whether the owner has let its claim go yet ("has
            # ended") or not ("is ended, not active").
            with pytest.raises(CallNotFound, match="ended"):
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
            assert app._lifecycle.tg is not None, "the app's task group ended with its registry"


async def until(condition: Any, timeout: float = 15) -> None:
    with anyio.fail_after(timeout):
        while not condition():
            await anyio.sleep(0.02)


async def placed(emu: Emulator, apps: list[CallServer], relay: str) -> tuple[str, CallServer]:
    """A call placed through the relay, once one replica holds it with its session open:
    the call's id and that replica."""
    call_id = emu.place_call(relay, SECRET)
    await until(lambda: holders(apps, call_id) and open_sidebands(emu, call_id))
    [owner] = [a for a in apps if call_id in a.calls]
    await until(lambda: owner.calls[call_id].session is not None)
    return call_id, owner


def open_sidebands(emu: Emulator, call_id: str) -> list[Any]:
    return [c for c in emu.desk.calls[call_id]._sidebands if not c.closed.is_set()]


async def claim_and_listing(app: CallServer, redis_url: str, call_id: str) -> tuple[Any, bool]:
    """Who holds ``call_id``'s claim in Redis, and whether the call is listed."""
    client = redis.asyncio.from_url(redis_url, decode_responses=True)
    prefix = app.registry.prefix  # type: ignore[attr-defined]
    try:
        claim = await client.get(f"{prefix}:call:{call_id}")
        return claim, bool(await client.hexists(f"{prefix}:live", call_id))
    finally:
        await client.aclose()


def said_by_user(emu: Emulator, call_id: str) -> list[str]:
    items = emu.desk.calls[call_id]._sidebands[-1].core.conversation.items
    return [c["text"] for i in items if i.get("role") == "user" for c in i["content"]]


async def test_a_redis_restarted_empty_gets_the_claims_back(tmp_path: Path) -> None:
    """Redis restarts with no persistence under a running call: its owner puts the claim
    back, a command through the other replica reaches it, and the other replica never
    takes the call (no second accept, no second sideband)."""
    redis_running = redis_server(tmp_path)
    url = redis_running.__enter__()
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    try:
        async with Emulator(model=ScriptedModel([])) as emu:
            agent = rtagents.Agent(name="desk")
            async with two_replicas(emu, agent, url, lease_s=1.5) as (apps, relay):
                call_id, owner = await placed(emu, apps, relay)
                other = next(a for a in apps if a is not owner)
                prefix = owner.registry.prefix  # type: ignore[attr-defined]

                redis_running.__exit__(None, None, None)  # Redis restarts, empty
                redis_running = redis_server(tmp_path, port)
                redis_running.__enter__()
                client = redis.asyncio.from_url(url, decode_responses=True)
                key = f"{prefix}:call:{call_id}"
                with anyio.fail_after(10):
                    while await client.get(key) != owner.registry.replica:  # type: ignore[attr-defined]
                        await anyio.sleep(0.05)
                assert await client.hexists(f"{prefix}:live", call_id)
                await client.aclose()

                await other.say(call_id, "Still there?")
                await until(lambda: said_by_user(emu, call_id) == ["Still there?"])
                await anyio.sleep(2)  # past a lease: nothing else happens to the call
                assert holders(apps, call_id) == [owner.registry.replica]  # type: ignore[attr-defined]
                assert len(emu.desk.calls[call_id]._sidebands) == 1
                assert emu.desk.calls[call_id].accept_requests == 1
                assert owner.calls[call_id].state == "active"
    finally:
        redis_running.__exit__(None, None, None)


def weather_desk(ran: list[str]) -> rtagents.Agent:
    """An agent whose one tool, ``get_weather``, notes each city it is asked about."""

    @rtagents.tool
    def get_weather(city: str) -> str:
        """The weather in a city."""
        ran.append(city)
        return f"sunny in {city}"

    return rtagents.Agent(name="desk", tools=[get_weather])


def tear_down(app: CallServer) -> None:
    """The replica's tasks are cancelled where they are (no drain), so its registry stops
    renewing and listening, and its sideband connection drops; what a cancelled call still
    does (it hands the call over, or hangs it up) it does."""
    assert app._lifecycle.tg is not None
    app._lifecycle.tg.cancel_scope.cancel()


def crash(app: CallServer) -> None:
    """The replica dies: as ``tear_down``, but a dead process does nothing more, so its
    calls neither hand over nor hang up: their claims run out."""

    async def nothing(*_: object, **__: object) -> bool:
        return True  # the claim is kept: nothing more is said to Redis, and it runs out

    app._lifecycle._cut_short = nothing  # type: ignore[method-assign]
    tear_down(app)


async def test_a_call_whose_replica_dies_is_taken_over_by_another(redis_url: str) -> None:
    """The owner crashes mid-call: once its lease runs out the other replica attaches a
    sideband to the call (accepted once, never again) and runs its tools; a webhook
    retried meanwhile is a duplicate."""
    model = ScriptedModel(
        [
            CallFunction("get_weather", {"city": "Paris"}),
            "Sunny in Paris.",
            CallFunction("get_weather", {"city": "Oslo"}),
            "Sunny in Oslo.",
        ]
    )
    ran: list[str] = []
    agent = weather_desk(ran)
    async with Emulator(model=model) as emu:
        async with two_replicas(emu, agent, redis_url, lease_s=1.0) as (apps, relay):
            call_id = emu.place_call(relay, SECRET, say=["Weather in Paris?"])
            # The crash comes once Paris's output is in (the model has taken its next
            # turn): an output lost with its replica is documented, and would leave the
            # script a turn behind.
            await until(lambda: len(model.contexts) == 2 and holders(apps, call_id))
            assert ran == ["Paris"]
            [owner] = [a for a in apps if call_id in a.calls]
            survivor = next(a for a in apps if a is not owner)

            crash(owner)
            retried = incoming(call_id)
            async with httpx2.AsyncClient() as http:
                answer = await http.post(
                    relay, content=retried, headers=signed(retried, event_id="evt_retry")
                )
            assert answer.status_code == 200
            await until(lambda: call_id in survivor.calls and survivor.calls[call_id].session)
            assert survivor.calls[call_id].state == "active"
            await survivor.say(call_id, "And in Oslo?")
            await until(lambda: ran == ["Paris", "Oslo"])
            assert len(open_sidebands(emu, call_id)) == 1
            assert len(emu.desk.calls[call_id]._sidebands) == 2
            assert emu.desk.calls[call_id].accept_requests == 1
            assert emu.desk.calls[call_id].status == "accepted"


async def test_a_call_taken_over_that_its_router_now_fails_is_hung_up(redis_url: str) -> None:
    """The survivor routes a taken-over call again, and its router fails: the call is not
    left up without its tools (nor handed from replica to replica), it is hung up, once,
    and the survivor's record says why."""
    routed: list[str] = []

    def route(call: IncomingCall) -> rtagents.Agent:
        routed.append(call.call_id)
        if len(routed) > 1:
            raise LookupError("the customer database is down")
        return rtagents.Agent(name="desk")

    async with Emulator(model=ScriptedModel([])) as emu:
        async with two_replicas(emu, None, redis_url, lease_s=1.0, route=route) as (apps, relay):
            call_id, owner = await placed(emu, apps, relay)
            survivor = next(a for a in apps if a is not owner)
            crash(owner)
            await until(lambda: emu.desk.calls[call_id].status == "ended", timeout=10)
            await until(lambda: survivor.calls.get(call_id) is not None, timeout=5)
            await until(lambda: survivor.calls[call_id].state == "failed", timeout=5)
            record = survivor.calls[call_id]
            assert record.reason == "LookupError: the customer database is down"
            assert len(emu.desk.calls[call_id]._sidebands) == 1  # the owner's, never another
            assert routed == [call_id, call_id]


async def test_a_replica_torn_down_mid_call_hands_its_call_over(redis_url: str) -> None:
    """Its tasks cancelled (no drain): the call did not end, so its claim is not marked
    ended (which would keep every other replica from taking it over, the call left up
    without its tools); it is given back, the call kept listed, for another to adopt."""
    async with Emulator(model=ScriptedModel([])) as emu:
        agent = rtagents.Agent(name="desk")
        async with two_replicas(emu, agent, redis_url, lease_s=30.0) as (apps, relay):
            call_id, owner = await placed(emu, apps, relay)
            tear_down(owner)
            await anyio.sleep(0.3)  # what its cancelled tasks still do is done by now
            claim, listed = await claim_and_listing(owner, redis_url, call_id)
            assert claim != owner.registry.replica  # type: ignore[attr-defined]
            assert listed
            assert emu.desk.calls[call_id].status == "accepted"  # not hung up
            assert owner.calls[call_id].state == "moved"


async def test_a_replica_whose_claim_was_taken_lets_the_call_go(redis_url: str) -> None:
    """Another replica holds the call now (this one was cut off past its lease): this one
    closes its sideband, without hanging up, so that the call never has two."""
    async with Emulator(model=ScriptedModel([])) as emu:
        agent = rtagents.Agent(name="desk")
        async with two_replicas(emu, agent, redis_url, lease_s=1.0) as (apps, relay):
            call_id, owner = await placed(emu, apps, relay)
            client = redis.asyncio.from_url(redis_url, decode_responses=True)
            prefix = owner.registry.prefix  # type: ignore[attr-defined]
            await client.set(f"{prefix}:call:{call_id}", "elsewhere", px=60_000)
            await client.aclose()
            await until(lambda: owner.calls[call_id].state == "moved", timeout=5)
            await until(lambda: not open_sidebands(emu, call_id), timeout=5)
            assert emu.desk.calls[call_id].status == "accepted"  # not hung up


async def test_a_draining_replica_hands_its_call_over_to_another(redis_url: str) -> None:
    """The drain's time is up with the call still up: its owner closes its sideband and gives
    the claim back (its record says so), and the other replica adopts the call at its next
    renewal, with no hang-up and one sideband at a time, and runs its tools."""
    model = ScriptedModel([CallFunction("get_weather", {"city": "Oslo"}), "Sunny in Oslo."])
    ran: list[str] = []
    agent = weather_desk(ran)
    async with Emulator(model=model) as emu:
        async with two_replicas(emu, agent, redis_url, lease_s=1.5) as (apps, relay):
            call_id, owner = await placed(emu, apps, relay)
            other = next(a for a in apps if a is not owner)
            await owner.drain(0)
            record = owner.calls[call_id]
            assert (record.state, record.reason) == ("moved", HANDED_OVER)
            assert not open_sidebands(emu, call_id)  # closed before the claim went back
            claim, listed = await claim_and_listing(owner, redis_url, call_id)
            assert claim != owner.registry.replica  # type: ignore[attr-defined]
            assert listed  # given back, not run out: the other replica need not wait a lease
            await until(lambda: call_id in other.calls and other.calls[call_id].session, 5)
            assert other.calls[call_id].state == "active"
            await other.say(call_id, "Weather in Oslo?")
            await until(lambda: ran == ["Oslo"])
            assert len(open_sidebands(emu, call_id)) == 1
            assert len(emu.desk.calls[call_id]._sidebands) == 2
            assert emu.desk.calls[call_id].accept_requests == 1
            assert emu.desk.calls[call_id].status == "accepted"  # never hung up


async def test_a_call_being_transferred_as_its_replica_drains_is_handed_over(
    redis_url: str,
) -> None:
    """The app's transfer is on its way when the drain closes the session: the call is not
    marked ended (should the transfer fail, it would stay up with no replica to take it),
    and not hung up: it is handed over, and the replica that adopts it decides."""
    async with Emulator(model=ScriptedModel([])) as emu:
        agent = rtagents.Agent(name="desk")
        async with two_replicas(emu, agent, redis_url, lease_s=30.0) as (apps, relay):
            call_id, owner = await placed(emu, apps, relay)
            async with anyio.create_task_group() as tg:
                tg.start_soon(owner.transfer, call_id, "tel:+15550001")
                await anyio.lowlevel.checkpoint()  # its request is out
                await owner.drain(0)
            record = owner.calls[call_id]
            assert (record.state, record.reason) == ("moved", HANDED_OVER)
            claim, listed = await claim_and_listing(owner, redis_url, call_id)
            assert claim is None and listed
            assert emu.desk.calls[call_id].status == "referred"  # never hung up


async def test_a_renewal_under_way_does_not_take_back_a_call_handed_over(redis_url: str) -> None:
    """A renewal round is on its way (its list of calls taken) when the drain hands one of
    them over: the claim the renewal put back is given back again, so that no replica has
    to wait a lease for it."""
    registry = RedisRegistry(redis_url, replica="a", prefix=f"test-{uuid.uuid4().hex[:8]}")
    for call_id in ("rtc_y", "rtc_x"):
        assert await registry.claim(call_id)
        await registry.accepted(call_id, {"source": "sip", "sip_headers": {}})
    at_y, go_on = anyio.Event(), anyio.Event()
    evaluate = registry._client.eval

    async def paused_at_y(script: str, keys: int, *args: Any) -> Any:
        if script == KEEP and "rtc_y" in args:  # the round that renews y (and x)
            at_y.set()
            await go_on.wait()
        return await evaluate(script, keys, *args)

    registry._client.eval = paused_at_y  # type: ignore[method-assign]
    try:
        async with anyio.create_task_group() as tg:
            tg.start_soon(registry._keep)
            await at_y.wait()
            assert await registry.hand_over("rtc_x")
            go_on.set()
        client = redis.asyncio.from_url(redis_url, decode_responses=True)
        claim = await client.get(f"{registry.prefix}:call:rtc_x")
        listed = await client.hexists(f"{registry.prefix}:live", "rtc_x")
        await client.aclose()
        assert claim is None and listed  # free for the next replica that looks
        assert list(registry._owned) == ["rtc_y"]
    finally:
        registry._client.eval = evaluate  # type: ignore[method-assign]
        await registry._client.aclose()


async def test_only_a_listed_call_is_handed_over(redis_url: str) -> None:
    """A call claimed but never answered here is not listed: no replica would find it, so
    it is not handed over. A listed one is, and listed again should Redis have lost it."""
    registry = RedisRegistry(redis_url, replica="a", prefix=f"test-{uuid.uuid4().hex[:8]}")
    client = redis.asyncio.from_url(redis_url, decode_responses=True)
    try:
        assert await registry.claim("rtc_new")
        assert not await registry.hand_over("rtc_new")
        assert await registry.claim("rtc_up")
        await registry.accepted("rtc_up", {"source": "sip", "sip_headers": {}})
        await client.hdel(f"{registry.prefix}:live", "rtc_up")  # Redis lost the listing
        assert await registry.hand_over("rtc_up")
        assert await client.get(f"{registry.prefix}:call:rtc_up") is None
        assert await client.hexists(f"{registry.prefix}:live", "rtc_up")
        # One this replica no longer holds (another took it meanwhile) is somewhere else
        # already: nothing to give back, and not to be hung up.
        assert await registry.hand_over("rtc_elsewhere")
    finally:
        await client.aclose()
        await registry._client.aclose()


async def test_a_claim_is_this_replicas_again_but_never_anothers(redis_url: str) -> None:
    """A claim whose answer the webhook did not wait for (its time limit ran out) may still
    have been made: the retry's claim by the same replica wins it back, and once the webhook
    gives it back (``abandon``), any replica's does; nobody's once the call ended."""
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    mine = RedisRegistry(redis_url, replica="a", prefix=prefix)
    theirs = RedisRegistry(redis_url, replica="b", prefix=prefix)
    try:
        assert await mine.claim("rtc_slow")
        assert await mine.claim("rtc_slow")
        with pytest.raises(ClaimPending):  # made, not yet up: the retry is to come again
            await theirs.claim("rtc_slow")
        # The webhook gave up on it (a 503): given back, any replica's retry takes it.
        await mine.abandon("rtc_slow")
        assert await theirs.claim("rtc_slow")
        with pytest.raises(ClaimPending):
            await mine.claim("rtc_slow")
        await theirs.release("rtc_slow")
        assert not await mine.claim("rtc_slow")
        assert not await theirs.claim("rtc_slow")
    finally:
        await mine._client.aclose()
        await theirs._client.aclose()


@pytest.mark.parametrize("kind", ["redis", "local"])
async def test_a_call_over_is_claimed_again_only_by_reclaim(redis_url: str, kind: str) -> None:
    """A Twilio call streamed again once its stream ended (TwiML's ``<Redirect>``): its next
    stream ``reclaim``s it, on any replica. A claim still refuses it (a late webhook retry is
    a duplicate), and nobody reclaims a call that lives."""
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    if kind == "redis":
        mine: Any = RedisRegistry(redis_url, replica="a", prefix=prefix)
        theirs: Any = RedisRegistry(redis_url, replica="b", prefix=prefix)
    else:
        mine = theirs = LocalRegistry()
    try:
        assert await mine.claim("CA1")
        assert not await theirs.reclaim("CA1")
        await mine.release("CA1")
        assert not await theirs.claim("CA1")
        assert await theirs.reclaim("CA1")
        assert not await mine.reclaim("CA1")  # it lives again, on the other replica
        assert await mine.reclaim("CA2")  # one never claimed: as a claim
    finally:
        for registry in {id(mine): mine, id(theirs): theirs}.values():
            if kind == "redis":
                await registry._client.aclose()


class QuietHost:
    """A registry's host that only records the calls it is told it lost."""

    def __init__(self) -> None:
        self.lost_calls: list[str] = []

    async def execute(self, call_id: str, command: str, args: dict[str, Any]) -> Any:
        return None

    async def adopt(self, call_id: str, call: dict[str, Any]) -> bool:
        return False

    def adopting(self) -> bool:
        return True

    async def lost(self, call_id: str) -> None:
        self.lost_calls.append(call_id)


async def test_a_call_is_not_claimed_again_while_its_end_is_on_its_way(redis_url: str) -> None:
    """The first stream's release is still on its way (a slow reply, or redis-py trying it
    again) when the next stream of the call reclaims it on the same replica: won then, the
    late end would mark the new claim ended, another replica could take the call too, and
    the next renewal would let the live stream go. It is refused until the end is in (the
    server waits for its own release first: ``CallLifecycle.claim``), and one stream wins."""
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    a = RedisRegistry(redis_url, replica="a", prefix=prefix)
    b = RedisRegistry(redis_url, replica="b", prefix=prefix)
    host = QuietHost()
    evaluate = a._client.eval

    async def slow_end(script: str, *args: Any) -> Any:
        if script == END:
            await anyio.sleep(0.2)  # the reply to the first try was lost: tried again
        return await evaluate(script, *args)

    a._client.eval = slow_end  # type: ignore[method-assign]
    try:
        async with anyio.create_task_group() as tg:
            a._host, a._tg = host, tg  # type: ignore[assignment]
            assert await a.claim("CA1")  # the first stream
            tg.start_soon(a.release, "CA1")  # it ended: released, slowly
            await anyio.sleep(0.05)
            assert not await a.reclaim("CA1")  # its end is not in yet
            await anyio.sleep(0.3)
            assert await a.reclaim("CA1")  # the next stream
            assert not await a.reclaim("CA1")  # a second one at once: not both
            await a._keep()
            a._tg = None
        assert not await b.reclaim("CA1")  # the call lives on replica a
    finally:
        a._client.eval = evaluate  # type: ignore[method-assign]
        await a._client.aclose()
        await b._client.aclose()
    assert host.lost_calls == []


async def test_a_command_reaches_the_replica_that_streams_the_call_again(redis_url: str) -> None:
    """A call streamed on replica a, ended (its record stays in a's ``app.calls``), then
    streamed again on replica b. A supervisor's ``hangup`` sent to a reaches b's live stream
    (it ran on a's ended record: "is ended, not active")."""
    from .test_twilio import TOKEN, phone_agent

    prefix = f"test-{uuid.uuid4().hex[:8]}"
    async with Emulator(model=ScriptedModel([], then="Hello.")) as emu:
        apps = [
            CallServer(
                agent=phone_agent(),
                twilio=TwilioStreams(auth_token=TOKEN),
                webhook_secret=SECRET,
                api_key="sk-x",
                base_url=emu.http_url,
                registry=RedisRegistry(redis_url, replica=name, prefix=prefix),
            )
            for name in ("a", "b")
        ]
        async with serve_asgi(apps[0]) as url_a, serve_asgi(apps[1]) as url_b:

            def phone(url: str, **options: Any) -> TwilioMediaClient:
                ws = url.replace("http", "ws", 1) + "/twilio"
                return TwilioMediaClient(ws, auth_token=TOKEN, **options)

            async def up(app: CallServer, call_sid: str) -> None:
                with anyio.fail_after(10):
                    while not (call_sid in app.calls and app.calls[call_sid].session):
                        await anyio.sleep(0.01)

            async with phone(url_a) as first:
                await up(apps[0], first.call_sid)
            with anyio.fail_after(10):
                while apps[0].calls[first.call_sid].state == "active":
                    await anyio.sleep(0.01)
            async with phone(url_b, call_sid=first.call_sid) as again:
                await up(apps[1], first.call_sid)
                with anyio.fail_after(10):
                    await apps[0].hangup(first.call_sid)  # sent to replica a
                    closed = await again.wait_closed()
            with pytest.raises(CallNotFound, match="is ended, not active"):
                await apps[0].hangup(first.call_sid)  # over everywhere: said so
    assert closed == 1000
