"""``RedisRegistry``: calls shared by replicas through Redis (redis-py's asyncio client).

- **Claim.** ``SET key replica NX PX lease``: one replica wins. The winner renews the lease
  while the call lives. When the call ends the key stays, marked ended, for
  ``remember_s``: a webhook retried to another replica after the end is still refused.
- **Live calls.** Once a call is up its holder lists it in a hash (with what another
  replica needs to run it), and a claim of a listed call never wins: the call is accepted
  once, whatever webhooks come again.
- **Keeping claims.** Each renewal (every third of the lease) puts back a claim that is
  missing, and so does the listener when it reaches Redis again: a Redis restarted empty
  (no persistence) gets this replica's calls back. A claim another replica holds now is
  let go (``CallHost.lost``): never two sidebands on a call.
- **Adoption.** On the same beat every replica looks for listed calls whose lease ran out
  (their holder died) and takes each over in one script, so exactly one replica adopts a
  call (``CallHost.adopt``: it attaches a sideband). A call is without its tools for at
  most ``lease_s`` plus a third of it after its holder died.
- **Control.** A command for a call held elsewhere is published on the owner's channel.
  ``PUBLISH`` says how many listened: none means the owner is gone, at once. The owner says
  it has the command, runs it and pushes the result to a reply list the sender waits on
  (``BLPOP``), once however often it comes (see ``registry_replies``).

The scripts touch keys they derive (one Redis, not a Redis Cluster).
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import uuid
from typing import Any

import anyio
from anyio.abc import TaskStatus

from .._extras import require
from .._redact import register_url_secrets, url_parts
from .._seconds import check_seconds
from . import registry_replies as replies
from .registry import GOODBYE_S, CallHost, ClaimPending
from .registry_scripts import ADOPT, CLAIM, END, GIVE_BACK, KEEP, RECLAIM

_REDIS_S = 2.0
"""How long one Redis command a call waits on (its listing) may take, beside what it waits
for on purpose (a forwarded command's answer, ``command_timeout``)."""

_KEPT_AT_ONCE = 1000  # claims renewed in one round trip (one script, Redis busy for a few ms)
log = logging.getLogger("rtagents.calls.registry")


def _redis() -> Any:
    return require("redis", "redis.asyncio", "RedisRegistry")


def _backoff() -> Any:
    return require("redis", "redis.backoff", "RedisRegistry").ExponentialBackoff(cap=0.5, base=0.05)


class RedisRegistry:
    """Args:
    url: The Redis server (``redis://host:6379/0``; ``rediss://`` for TLS). A password
        in it is never logged or shown in the repr.
    replica: This process's name (unique per replica; a random one when omitted).
    lease_s: How long a claim outlives a replica that stopped renewing it.
    remember_s: How long an ended call stays claimed (late webhook retries).
    command_timeout: Seconds a forwarded command waits for the owner's answer (a hang-up
        up to ``GOODBYE_S`` more, for its goodbye).
    prefix: The keys' and channels' prefix, to share one Redis between deployments.
    """

    _listening = False  # subscribed to its channel once (redis-py resubscribes after)

    def __init__(
        self,
        url: str = "redis://localhost:6379/0",
        *,
        replica: str | None = None,
        lease_s: float = 30.0,
        remember_s: float = 3600.0,
        command_timeout: float = 5.0,
        prefix: str = "rtagents",
    ) -> None:
        # Said here: Redis refuses "PX 0", and every claim and end would fail, retried quietly.
        check_seconds(lease_s, "RedisRegistry: lease_s")
        check_seconds(remember_s, "RedisRegistry: remember_s")
        check_seconds(command_timeout, "RedisRegistry: command_timeout")
        self.replica = replica or uuid.uuid4().hex[:12]
        self.lease_ms = max(1, int(lease_s * 1000))
        self._period = self.lease_ms / 3000  # the renewals' beat: a third of the lease
        # How long after its renewal a claim can still be renewed: its lease, less a tenth of
        # a period to spare (the loop's own delays, a clock's steps).
        self._spare = self.lease_ms / 1000 - self._period / 10
        self.remember_ms = max(1, int(remember_s * 1000))
        self.command_timeout = command_timeout
        self.prefix = prefix
        register_url_secrets(url)  # (its password: never logged, whoever logs it)
        url_parts(url)  # one redis-py would refuse, refused now (never quoting a password)
        redis = _redis()
        # A connection the server closed (a Redis restart, a failover) is retried on a new
        # one: from_url's client would fail the command instead.
        retry = redis.retry.Retry(_backoff(), 3)
        self._client = redis.from_url(
            url,
            decode_responses=True,
            retry=retry,
            retry_on_error=[redis.ConnectionError, redis.TimeoutError],
        )
        self._owned: dict[str, str] = {}  # call id -> what ``accepted`` said (JSON), or ""
        self._handed_over: set[str] = set()  # given back by a drain (see ``_keep``)
        self._ending: set[str] = set()  # ended while Redis was away: ended again each round
        self._tg: anyio.abc.TaskGroup | None = None
        self._host: CallHost | None = None
        self._answered: dict[str, None] = {}  # the latest commands' request ids (see _answer)
        self._renewed: dict[str, float] = {}  # call id -> when its claim was last made good
        self._due = 0.0  # when the renewals' latest round began (on their beat)

    def __repr__(self) -> str:
        return f"RedisRegistry(replica={self.replica!r}, prefix={self.prefix!r})"

    def _key(self, call_id: str) -> str:
        return f"{self.prefix}:call:{call_id}"

    def _channel(self, replica: str) -> str:
        return f"{self.prefix}:replica:{replica}"

    @property
    def _live(self) -> str:
        return f"{self.prefix}:live"

    # -- lifecycle -----------------------------------------------------------------------------

    async def run(
        self, host: CallHost, *, task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        self._host = host
        pubsub = self._client.pubsub()
        try:
            # Listening before any claim; with Redis away, the replica starts all the same
            # (not ready: ``ready``), and listens once Redis answers.
            if not (subscribed := await self._subscribe(pubsub)):
                log.warning("the registry cannot reach Redis yet; this replica is not ready")
            async with anyio.create_task_group() as tg:
                self._tg = tg
                tg.start_soon(
                    replies.listen, pubsub, subscribed, self._subscribe, self._heard, self._keep
                )
                tg.start_soon(self._renew)
                tg.start_soon(self._upkeep)
                task_status.started()
        finally:
            self._tg = None
            with anyio.CancelScope(shield=True):
                await pubsub.aclose()
                await self._client.aclose()

    async def ready(self) -> bool:
        if not self._listening:  # (started while Redis was away: commands would go unheard)
            return False
        try:
            with anyio.fail_after(_REDIS_S):
                return bool(await self._client.ping())
        except Exception:
            return False

    # -- claims --------------------------------------------------------------------------------

    async def claim(self, call_id: str) -> bool:
        return await self._claim(CLAIM, call_id)

    async def reclaim(self, call_id: str) -> bool:
        """``claim``, which also wins for a call that ended (a Twilio call's next stream)."""
        return await self._claim(RECLAIM, call_id)

    async def _claim(self, script: str, call_id: str) -> bool:
        keys, began = (self._key(call_id), self._live), anyio.current_time()
        won = await self._client.eval(script, 2, *keys, self.replica, self.lease_ms, call_id)
        if won == 2:
            raise ClaimPending(f"another replica is taking call {call_id!r}")
        if won:
            self._owned[call_id] = ""
            self._renewed[call_id] = began
            self._ending.discard(call_id)  # (claimed again: no end owed to an earlier run)
        return bool(won)

    async def accepted(self, call_id: str, call: dict[str, Any]) -> None:
        info = json.dumps(call)
        self._owned[call_id] = info
        try:  # (bounded: the call's tools wait for this; a stalled Redis answers nothing)
            with anyio.fail_after(_REDIS_S):
                await self._client.hset(self._live, call_id, info)
        except Exception as exc:  # Redis away: the next renewal lists it
            log.warning("listing call %s failed: %s", call_id, str(exc) or "timed out")

    async def release(self, call_id: str) -> None:
        self._owned.pop(call_id, None)
        if not await self._end(call_id):  # (its listing would outlive it: another replica
            self._ending.add(call_id)  # would adopt an ended call once its lease ran out)

    async def _end(self, call_id: str) -> bool:
        """Unlist an ended call; False when Redis could not be reached."""
        keys = (self._key(call_id), self._live)
        try:  # (bounded: a Twilio stream closes after this; a stalled Redis answers nothing)
            with anyio.fail_after(_REDIS_S):
                await self._client.eval(END, 2, *keys, self.replica, self.remember_ms, call_id)
        except Exception:
            return False
        return True

    async def hand_over(self, call_id: str) -> bool:
        """The claim is given back and the listing kept: another replica adopts the call at
        its next renewal (within ``lease_s / 3``). Where Redis cannot be reached, the claim
        is no longer renewed and runs out instead, with the same end. False for a call this
        replica claimed and never listed (not answered yet): no replica would find it."""
        info = self._owned.pop(call_id, None)
        if info == "":
            self._owned[call_id] = info  # still this replica's, to release or let run out
            return False
        self._handed_over.add(call_id)
        if info is not None:  # (None: another replica holds it already)
            await self._give_back(call_id, info)
        return True

    async def abandon(self, call_id: str) -> None:
        """A claim its webhook stopped waiting for (it answered 503, and OpenAI retries, maybe
        to another replica): given back, if it was made, so that the retry can take it."""
        self._owned.pop(call_id, None)
        await self._give_back(call_id, "")

    async def _give_back(self, call_id: str, info: str) -> None:
        keys = (self._key(call_id), self._live)
        # (bounded: where Redis stalls, the claim runs out instead, with the same end)
        with contextlib.suppress(Exception), anyio.move_on_after(_REDIS_S):
            await self._client.eval(GIVE_BACK, 2, *keys, self.replica, call_id, info)

    async def _renew(self) -> None:
        # On a fixed beat, a third of the lease: a round's own time (thousands of calls, a
        # Redis far away) is not added to it, or leases would run out under a busy replica;
        # nor is what else the registry waits on (``_upkeep``), which a partition stalls.
        period, self._due = self._period, anyio.current_time()
        while True:
            self._due = max(self._due + period, anyio.current_time())  # (behind: no burst)
            await anyio.sleep_until(self._due)  # (a late round's delay, computed, is negative)
            await self._keep(self._due)

    async def _upkeep(self) -> None:
        """On the renewals' beat, beside them: the ends Redis missed, then adoption."""
        while True:
            await anyio.sleep(self._period)
            for call_id in list(self._ending):
                if await self._end(call_id):
                    self._ending.discard(call_id)
            await self._adopt()

    async def _keep(self, began: float | None = None) -> None:
        """This replica's claims renewed, those Redis lost put back, those another replica
        holds now let go: a round trip a thousand claims, the round's ``n``-th over by
        ``began`` (the beat's time) plus ``n`` periods, and before its claims' leases run out
        (``_spare`` before). Once one fails (Redis away), the rest wait for the next round:
        a claim whose lease runs out before that round could try it is let go now, while it
        is still this replica's; one it could still renew is let go when that try fails."""
        owned, period = list(self._owned.items()), self._period
        began = anyio.current_time() if began is None else began
        chunks = [owned[at : at + _KEPT_AT_ONCE] for at in range(0, len(owned), _KEPT_AT_ONCE)]
        for index, chunk in enumerate(chunks):
            runs_out = min((self._renewed.get(c, math.inf) for c, _ in chunk), default=math.inf)
            over_by = min(began + (index + 1) * period, runs_out + self._spare)
            if not await self._keep_some(chunk, over_by):
                next_round = max(self._due + period, anyio.current_time())
                for later, rest in enumerate(chunks[index:], index):  # (each trip a period)
                    self._lapse(rest, next_round + later * period)
                break
        for call_id in [c for c in self._renewed if c not in self._owned]:
            del self._renewed[call_id]  # (let go since: released, handed over, lost)

    async def _keep_some(self, owned: list[tuple[str, str]], over_by: float) -> bool:
        """One round trip of renewals, over by ``over_by``; False when Redis did not answer."""
        prefix = self._key("")  # the claims' keys (KEEP's arguments: see there)
        flat = [value for pair in owned for value in pair]
        began = anyio.current_time()
        try:  # (bounded: a partition answers nothing, and the leases run out meanwhile)
            with anyio.fail_after(max(over_by - began, 0.0)):
                results = await self._client.eval(
                    KEEP, 1, self._live, self.replica, self.lease_ms, prefix, *flat
                )
        except Exception as exc:  # Redis away: try again next round
            log.warning("renewing %d claims failed: %s", len(owned), str(exc) or "timed out")
            return False
        for (call_id, info), kept in zip(owned, results, strict=True):
            if kept:
                self._renewed[call_id] = began
            if kept and call_id in self._handed_over and call_id not in self._owned:
                # Handed over while this renewal was on its way, which put the claim back:
                # given back again, for another replica to adopt now, not after a lease.
                self._handed_over.discard(call_id)
                if self._tg is None:  # (not running: nothing to hold up)
                    await self._give_back(call_id, info)
                else:  # not awaited here: a stall would hold the beat up
                    self._tg.start_soon(self._give_back, call_id, info)
            elif kept == 2:
                log.info("the claim on call %s was missing from Redis and is put back", call_id)
            elif not kept and self._owned.pop(call_id, None) is not None:
                log.warning("the claim on call %s was lost; this replica lets it go", call_id)
                if self._host is not None and self._tg is not None:
                    self._tg.start_soon(self._host.lost, call_id)
        return True

    def _lapse(self, owned: list[tuple[str, str]], next_try: float) -> None:
        """Renewals failed: a claim whose lease runs out (``_spare`` before) by the time the
        next round could try it (``next_try``, at the latest) is let go now
        (``CallHost.lost``), while it is still this replica's. Another
        replica, which may reach Redis, adopts the call once the lease is over: a replica
        cut off from Redis must not go on running it beside that one (two sidebands, each
        running its tools). Should Redis be away for every replica, its calls go without
        their tools until a replica adopts them again."""
        for call_id, info in owned:
            renewed = self._renewed.get(call_id)
            if renewed is None or renewed + self._spare > next_try:
                continue
            if info == "":  # not listed (still ringing): no replica could adopt it, so it
                continue  # is kept, until a renewal finds it this replica's or another's
            if self._owned.pop(call_id, None) is not None:
                log.warning(
                    "the claim on call %s could not be renewed in its lease; this replica lets "
                    "it go (a replica that reaches Redis adopts it)",
                    call_id,
                )
                if self._host is not None and self._tg is not None:
                    self._tg.start_soon(self._host.lost, call_id)

    async def _adopt(self) -> None:
        """Take over the calls whose holder is gone (their lease ran out); none while this
        replica drains (it would claim even the call it just handed over, and its claim,
        given back only after, would hold the call up for a lease were it to exit first)."""
        if self._host is not None and not self._host.adopting():
            return
        prefix, began = f"{self.prefix}:call:", anyio.current_time()
        try:  # (bounded, as a renewal is: the next round's renewals must not wait on it)
            with anyio.fail_after(self._period):
                found = await self._client.eval(
                    ADOPT, 1, self._live, prefix, self.replica, self.lease_ms
                )
        except Exception as exc:
            log.warning(
                "looking for calls whose replica is gone failed: %s", str(exc) or "timed out"
            )
            return
        for call_id, info in zip(found[::2], found[1::2], strict=True):
            self._owned[call_id] = info
            self._renewed[call_id] = began
            self._handed_over.discard(call_id)  # this replica's again
            if self._tg is not None:
                self._tg.start_soon(self._take_over, call_id, info)

    async def _take_over(self, call_id: str, info: str) -> None:
        log.warning("call %s lost its replica; replica %s takes it over", call_id, self.replica)
        try:
            call = json.loads(info)
            taken = self._host is not None and await self._host.adopt(
                call_id, call if isinstance(call, dict) else {}
            )
        except Exception as exc:
            log.warning("taking over call %s failed: %s", call_id, exc)
            taken = False
        if not taken and self._owned.pop(call_id, None) is not None:
            await self._give_back(call_id, info)  # (where Redis is away, its lease runs out)

    # -- commands ------------------------------------------------------------------------------

    async def forward(self, call_id: str, command: str, args: dict[str, Any]) -> Any:
        return await replies.forward(
            self._client,
            {"call_id": call_id, "command": command, "args": args},
            claim=self._key(call_id),
            channel=self._channel,
            prefix=self.prefix,
            reach_s=_REDIS_S,
            within=self.command_timeout,
            failed=_redis().RedisError,
        )

    async def _subscribe(self, pubsub: Any) -> bool:
        """This replica's channel subscribed; False when Redis does not answer (in time)."""
        try:
            with anyio.fail_after(_REDIS_S):
                await pubsub.subscribe(self._channel(self.replica))
        except Exception:
            return False
        self._listening = True
        return True

    def _heard(self, data: Any) -> None:
        if self._tg is not None:
            self._tg.start_soon(self._answer, data)

    async def _answer(self, data: Any) -> None:
        keep_s = 2 * (self.command_timeout + GOODBYE_S)
        await replies.carry_out(self._client, data, self._host, self._answered, self.prefix, keep_s)
