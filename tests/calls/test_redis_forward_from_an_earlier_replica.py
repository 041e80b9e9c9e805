"""A command forwarded by a replica of the previous version to one of this version.

registry_replies (ec22875): "The owner of the call pushes two replies to the list the sender
waits on: an acknowledgement as soon as it has the command, then its answer ... A replica of
an earlier version answers without one: its answer is taken as it comes." So replicas of two
versions share one Redis (a rolling deploy, whose drain hands calls over to the others:
docs/deployment.md). The other way round breaks: a sender of the previous version pops one
reply, the first, and reads it as the answer. The new owner's first reply is now always
``{"ack": true}``, which has no ``"ok"``: the earlier sender raises
``RuntimeError("<command> failed on replica ...")`` for a command that ran (the call hung up,
an approval given), and the supervisor retries or reports a failure that did not happen.

The earlier sender is written out here as 51da54a's ``RedisRegistry._forward`` read its reply
(one ``BLPOP`` of ``{prefix}:reply:{id}``, the answer its first element)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import anyio
import pytest

from rtagents.calls.registry_redis import RedisRegistry

pytestmark = pytest.mark.anyio
CALL = "CA" + "7" * 32


class Host:
    def __init__(self) -> None:
        self.ran: list[str] = []

    async def execute(self, call_id: str, command: str, args: dict[str, Any]) -> Any:
        self.ran.append(command)
        return "said"

    async def adopt(self, call_id: str, call: dict[str, Any]) -> bool:
        return False

    def adopting(self) -> bool:
        return True

    async def lost(self, call_id: str) -> None:
        pass


async def earlier_forward(url: str, prefix: str, call_id: str, command: str) -> dict[str, Any]:
    """51da54a's sender: publish to the owner's channel, then the first reply is the answer."""
    import redis.asyncio as redis

    client = redis.from_url(url, decode_responses=True)
    try:
        owner = await client.get(f"{prefix}:call:{call_id}")
        request = uuid.uuid4().hex
        message = {"id": request, "call_id": call_id, "command": command, "args": {}}
        assert await client.publish(f"{prefix}:replica:{owner}", json.dumps(message)) == 1
        reply = await client.blpop([f"{prefix}:reply:{request}"], timeout=3)
        assert reply is not None, "no reply in 3 s"
        answer: dict[str, Any] = json.loads(reply[1])
        return answer
    finally:
        await client.aclose()


async def test_an_earlier_replicas_forwarded_command_reads_the_answer(redis_url: str) -> None:
    prefix = f"mixed-{uuid.uuid4().hex[:8]}"
    host = Host()
    owner = RedisRegistry(redis_url, replica="new", prefix=prefix, command_timeout=2)
    async with anyio.create_task_group() as tg:
        await tg.start(owner.run, host)
        assert await owner.claim(CALL)
        with anyio.fail_after(10):
            answer = await earlier_forward(redis_url, prefix, CALL, "say")
        tg.cancel_scope.cancel()
    assert host.ran == ["say"]  # it ran on the owner
    # Observed: {'ack': True}: the earlier sender raises "say failed on replica 'new'".
    assert answer == {"ok": True, "result": "said"}, answer


async def test_a_reply_that_is_no_json_is_a_clear_error(redis_url: str) -> None:
    """A replica that answers what is not JSON (a bug, another program on the channel): the
    command fails as one the owner could not run (``RuntimeError`` naming it), never with
    the JSON decoder's own error out of ``app.say``."""
    import redis.asyncio as redis

    prefix = f"garbled-{uuid.uuid4().hex[:8]}"
    client = redis.from_url(redis_url, decode_responses=True)
    pubsub = client.pubsub()
    await pubsub.subscribe(f"{prefix}:replica:odd")
    await client.set(f"{prefix}:call:{CALL}", "odd")
    sender = RedisRegistry(redis_url, replica="sender", prefix=prefix, command_timeout=2)

    async def odd_replica() -> None:
        async for message in pubsub.listen():
            if message.get("type") == "message":
                request = json.loads(message["data"])["id"]
                await client.rpush(f"{prefix}:reply:{request}", "{not json")
                return

    try:
        async with anyio.create_task_group() as tg:
            tg.start_soon(odd_replica)
            with anyio.fail_after(10), pytest.raises(RuntimeError, match="failed on replica"):
                await sender.forward(CALL, "say", {"text": "hi"})
    finally:
        await pubsub.aclose()
        await client.aclose()
