"""A forwarded command whose owner never acknowledges it because Redis stalled right after
the command was published: told in about ``command_timeout``, as any owner that does not
acknowledge is.

registry_replies (ec22875): "The acknowledgement is what tells a replica that is hung or cut
off (none within ``command_timeout``) from a command that takes its time: a hang-up of a
Twilio stream waits for its goodbye to be heard, up to ``GOODBYE_S`` more."
docs/deployment.md: the caller waits "for at most ``command_timeout`` (a ``hangup`` up to 10 s
more ...)"; CallOwnerGone "when the owner does not answer in time, or Redis cannot be
reached".

The wait for the acknowledgement is one ``BLPOP`` after another, whose deadline is checked
between them: a stalled Redis (a partition; ``SIGSTOP`` here) holds the ``BLPOP`` under way,
and only the whole command's bound ends it: ``command_timeout + GOODBYE_S + 2 * 2 s`` for a
hang-up, 15 s with ``command_timeout=1`` (3 s before ec22875), though no acknowledgement
ever came and the hang-up's own 10 s was never earned."""

from __future__ import annotations

import os
import signal
import uuid
from pathlib import Path

import anyio
import pytest

from rtagents.calls.registry import CallOwnerGone
from rtagents.calls.registry_redis import RedisRegistry
from tests.calls.test_redis_stalled import stoppable_redis

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]
CALL = "CA" + "8" * 32


async def test_a_hangup_unacknowledged_as_redis_stalls_is_told_in_command_timeout(
    tmp_path: Path,
) -> None:
    import redis.asyncio as redis

    with stoppable_redis(tmp_path) as (url, pid):
        prefix = f"stall-{uuid.uuid4().hex[:8]}"
        client = redis.from_url(url, decode_responses=True)
        await client.set(f"{prefix}:call:{CALL}", "a")  # replica "a" holds the call
        pubsub = client.pubsub()
        await pubsub.subscribe(f"{prefix}:replica:a")  # ...and listens
        sender = RedisRegistry(url, replica="b", prefix=prefix, command_timeout=1.0)
        outcome: object = None
        took = 0.0

        async def owner() -> None:  # Redis stalls as the command reaches the owner
            async for message in pubsub.listen():
                if message["type"] == "message":
                    os.kill(pid, signal.SIGSTOP)
                    return

        try:
            async with anyio.create_task_group() as tg:
                tg.start_soon(owner)
                await anyio.sleep(0.1)
                start = anyio.current_time()
                with anyio.move_on_after(30):
                    try:
                        await sender.forward(CALL, "hangup", {})
                        outcome = "returned"
                    except Exception as exc:
                        outcome = exc
                took = anyio.current_time() - start
                tg.cancel_scope.cancel()
        finally:
            os.kill(pid, signal.SIGCONT)
        with anyio.CancelScope(shield=True):
            await pubsub.aclose()
            await client.aclose()
    assert isinstance(outcome, CallOwnerGone), outcome
    # command_timeout (1 s), and the 2 s a Redis command may take on top, twice over.
    assert took < 1.0 + 2 * 2.0, f"told after {took:.1f} s: {outcome}"  # observed: ~15 s
