"""A command forwarded to the replica that holds a call waits for its answer with ``BLPOP``
for ``command_timeout`` seconds (docs/deployment.md; ``RedisRegistry(command_timeout=...)``:
"Seconds a forwarded command waits for the owner's answer"). redis-py's client reads each
reply with its own socket timeout (5 s by default in the redis-py this project allows,
``redis>=5``), and the registry's client retries on ``TimeoutError``: a ``BLPOP`` that waits
5 s or more is cut by the socket timeout and sent again, three times, then the socket
timeout escapes.

So with ``command_timeout=25`` (an app that lets a Twilio stream's hang-up wait for the
goodbye, up to 10 s, and more) a command whose owner does not answer raises a bare
``redis.exceptions.TimeoutError: Timeout reading from 127.0.0.1:PORT`` after about 20 s, out
of ``app.hangup`` / ``app.approve``, instead of ``CallOwnerGone`` once ``command_timeout``
is up; and with the default (5 s) the owner's own timeout never fires: the wait runs to
the outer bound and says Redis did not answer."""

from __future__ import annotations

import uuid
from typing import Any

import anyio
import pytest

from rtagents.calls.registry import CallOwnerGone
from rtagents.calls.registry_redis import RedisRegistry

pytestmark = pytest.mark.anyio


class StuckOwner:
    """A replica that holds the call and is subscribed, but whose command never finishes
    (its event loop busy, a hang-up whose API request hangs)."""

    async def execute(self, call_id: str, command: str, args: dict[str, Any]) -> Any:
        await anyio.sleep_forever()

    async def adopt(self, call_id: str, call: dict[str, Any]) -> bool:
        return False

    def adopting(self) -> bool:
        return True

    async def lost(self, call_id: str) -> None:
        pass


async def test_a_forwarded_command_unanswered_past_the_socket_timeout_is_owner_gone(
    redis_url: str,
) -> None:
    """A ``command_timeout`` past the client's 5 s socket timeout: the owner's silence is
    told once it is up, naming the owner (not Redis, which answered all along)."""
    prefix = f"review-{uuid.uuid4().hex[:8]}"
    owner = RedisRegistry(redis_url, replica="a", prefix=prefix, command_timeout=5.5)
    sender = RedisRegistry(redis_url, replica="b", prefix=prefix, command_timeout=5.5)
    raised: BaseException | None = None
    async with anyio.create_task_group() as tg:
        await tg.start(owner.run, StuckOwner())
        await tg.start(sender.run, StuckOwner())
        assert await owner.claim("CA" + "1" * 32)
        with anyio.fail_after(30):
            try:
                await sender.forward("CA" + "1" * 32, "say", {"text": "hello"})
            except Exception as exc:
                raised = exc
        tg.cancel_scope.cancel()
    assert isinstance(raised, CallOwnerGone), (
        f"the forwarded command raised {type(raised).__module__}.{type(raised).__name__}: {raised}"
    )
    # Observed before: "the call registry (Redis) did not answer say in 7.5 s".
    assert "replica 'a'" in str(raised) and "in 5.5 s" in str(raised), str(raised)


async def test_a_forwarded_command_with_redis_unreachable_is_owner_gone() -> None:
    """Redis refusing connections: ``CallOwnerGone`` saying so, never redis-py's own error."""
    sender = RedisRegistry("redis://127.0.0.1:1/0", replica="b", command_timeout=1)
    with anyio.fail_after(10), pytest.raises(CallOwnerGone, match="call registry"):
        await sender.forward("CA" + "1" * 32, "say", {"text": "hello"})
