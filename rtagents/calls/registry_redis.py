"""``RedisRegistry``: calls shared by replicas through Redis (redis-py's asyncio client).

- **Claim.** ``SET key replica NX PX lease``: one replica wins. The winner renews the lease
  while the call lives. When the call ends the key stays, marked ended, for
  ``remember_s``: a webhook retried to another replica after the end is still refused.
  If the replica dies, its lease runs out and the call can be claimed again.
- **Control.** A command for a call held elsewhere is published on the owner's channel.
  ``PUBLISH`` says how many listened: none means the owner is gone, at once. The owner runs
  the command and pushes the result to a reply list the sender waits on (``BLPOP``), for
  at most ``command_timeout``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import uuid
from typing import Any

import anyio
from anyio.abc import TaskStatus

from .registry import COMMANDS, CallNotFound, CallOwnerGone, Execute

log = logging.getLogger("rtagents.calls.registry")

# Renew or end a claim only if this replica still holds it (compare and set, atomically).
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
_END = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('SET', KEYS[1], 'ended:' .. ARGV[1], 'PX', ARGV[2])
end
return 0
"""


def _redis() -> Any:
    try:
        import redis.asyncio
    except ImportError:
        raise ImportError("RedisRegistry needs redis-py: pip install 'rtagents[redis]'") from None
    return redis.asyncio


class RedisRegistry:
    """Args:
    url: The Redis server (``redis://host:6379/0``; ``rediss://`` for TLS). A password
        in it is never logged or shown in the repr.
    replica: This process's name (unique per replica; a random one when omitted).
    lease_s: How long a claim outlives a replica that stopped renewing it.
    remember_s: How long an ended call stays claimed (late webhook retries).
    command_timeout: Seconds a forwarded command waits for the owner's answer.
    prefix: The keys' and channels' prefix, to share one Redis between deployments.
    """

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
        self.replica = replica or uuid.uuid4().hex[:12]
        self.lease_ms = int(lease_s * 1000)
        self.remember_ms = int(remember_s * 1000)
        self.command_timeout = command_timeout
        self.prefix = prefix
        self._client = _redis().from_url(url, decode_responses=True)
        self._owned: set[str] = set()
        self._tg: anyio.abc.TaskGroup | None = None
        self._execute: Execute | None = None

    def __repr__(self) -> str:
        return f"RedisRegistry(replica={self.replica!r}, prefix={self.prefix!r})"

    def _key(self, call_id: str) -> str:
        return f"{self.prefix}:call:{call_id}"

    def _channel(self, replica: str) -> str:
        return f"{self.prefix}:replica:{replica}"

    # -- lifecycle -----------------------------------------------------------------------------

    async def run(
        self, execute: Execute, *, task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        self._execute = execute
        pubsub = self._client.pubsub()
        try:
            await pubsub.subscribe(self._channel(self.replica))  # listening before any claim
            async with anyio.create_task_group() as tg:
                self._tg = tg
                tg.start_soon(self._listen, pubsub)
                tg.start_soon(self._renew)
                task_status.started()
        finally:
            self._tg = None
            with anyio.CancelScope(shield=True):
                await pubsub.aclose()
                await self._client.aclose()

    async def ready(self) -> bool:
        try:
            with anyio.fail_after(2):
                return bool(await self._client.ping())
        except Exception:
            return False

    # -- claims --------------------------------------------------------------------------------

    async def claim(self, call_id: str) -> bool:
        won = await self._client.set(self._key(call_id), self.replica, nx=True, px=self.lease_ms)
        if won:
            self._owned.add(call_id)
        return bool(won)

    async def release(self, call_id: str) -> None:
        self._owned.discard(call_id)
        with contextlib.suppress(Exception):  # a lease that runs out ends it too
            await self._client.eval(_END, 1, self._key(call_id), self.replica, self.remember_ms)

    async def _renew(self) -> None:
        while True:
            await anyio.sleep(self.lease_ms / 3000)
            for call_id in list(self._owned):
                try:
                    held = await self._client.eval(
                        _RENEW, 1, self._key(call_id), self.replica, self.lease_ms
                    )
                except Exception as exc:  # Redis away: try again next round
                    log.warning("renewing the claim on call %s failed: %s", call_id, exc)
                    continue
                if not held:
                    log.warning("the claim on call %s was lost", call_id)
                    self._owned.discard(call_id)

    # -- commands ------------------------------------------------------------------------------

    async def forward(self, call_id: str, command: str, args: dict[str, Any]) -> Any:
        if command not in COMMANDS:
            raise ValueError(f"unknown command {command!r}")
        owner = await self._client.get(self._key(call_id))
        if owner is None:
            raise CallNotFound(f"no replica holds call {call_id!r}")
        if owner.startswith("ended:"):
            raise CallNotFound(f"call {call_id!r} has ended")
        request = uuid.uuid4().hex
        reply_key = f"{self.prefix}:reply:{request}"
        message = {"id": request, "call_id": call_id, "command": command, "args": args}
        listeners = await self._client.publish(self._channel(owner), json.dumps(message))
        if not listeners:
            raise CallOwnerGone(f"replica {owner!r}, which holds call {call_id!r}, is gone")
        reply = await self._client.blpop([reply_key], timeout=self.command_timeout)
        if reply is None:
            raise CallOwnerGone(
                f"replica {owner!r}, which holds call {call_id!r}, did not answer "
                f"{command} in {self.command_timeout:g} s"
            )
        answer = json.loads(reply[1])
        if not answer.get("ok"):
            kind = CallNotFound if answer.get("kind") == "not_found" else RuntimeError
            raise kind(answer.get("error") or f"{command} failed on replica {owner!r}")
        return answer.get("result")

    async def _listen(self, pubsub: Any) -> None:
        """Commands for this replica, until cancelled; a lost connection to Redis is
        reopened (with backoff), never the end of the replica."""
        delay = 0.1
        while True:
            try:
                async for message in pubsub.listen():
                    delay = 0.1
                    if message.get("type") == "message" and self._tg is not None:
                        self._tg.start_soon(self._answer, message.get("data"))
            except Exception as exc:
                log.warning("the registry lost Redis (%s); listening again in %g s", exc, delay)
            await anyio.sleep(delay)
            delay = min(delay * 2, 5.0)
            with contextlib.suppress(Exception):
                await pubsub.subscribe(self._channel(self.replica))

    async def _answer(self, data: Any) -> None:
        try:
            message = json.loads(data)
            request, call_id = str(message["id"]), str(message["call_id"])
            command, args = str(message["command"]), dict(message.get("args") or {})
        except (ValueError, KeyError, TypeError):
            log.warning("a malformed control message was ignored")
            return
        answer: dict[str, Any]
        try:
            if command not in COMMANDS or self._execute is None:
                raise ValueError(f"unknown command {command!r}")
            answer = {"ok": True, "result": await self._execute(call_id, command, args)}
        except CallNotFound as exc:
            answer = {"ok": False, "kind": "not_found", "error": str(exc)}
        except Exception as exc:
            answer = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        reply_key = f"{self.prefix}:reply:{request}"
        try:
            async with self._client.pipeline(transaction=False) as pipe:
                pipe.rpush(reply_key, json.dumps(answer))
                pipe.expire(reply_key, max(1, int(self.command_timeout * 2)))
                await pipe.execute()
        except Exception as exc:  # Redis away: the sender times out and says so
            log.warning("the answer to a %s command could not be sent: %s", command, exc)
