"""A command one replica forwards to another through Redis (``RedisRegistry``): carried out
by the owner of its call, once, and the replies the sender waits for.

The owner of the call pushes two replies to the list the sender waits on: an acknowledgement
as soon as it has the command, then its answer (the result, or the error it raised, by name).
The acknowledgement is what tells a replica that is hung or cut off (none within
``command_timeout``) from a command that takes its time: a hang-up of a Twilio stream waits
for its goodbye to be heard, up to ``GOODBYE_S`` more. Replicas of an earlier version, in a
rolling deploy, know nothing of it: a command asks for one (``"ack": true``), and an owner
acknowledges only a command that asks; an answer that comes without one is taken as it is.

The sender reads the list in slices shorter than redis-py's socket timeout (5 s): a longer
``BLPOP`` would be cut by it, sent again by the client's retries, and its error let out.
"""

from __future__ import annotations

import contextlib
import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import anyio

from .._latest import keep_latest
from ..errors import SessionClosedError, root_cause
from .control import CallControlError
from .registry import COMMANDS, GOODBYE_S, CallHost, CallNotFound, CallOwnerGone
from .rest import CallsAPIError

log = logging.getLogger("rtagents.calls.registry")

ACK = json.dumps({"ack": True})
_SLICE_S, _SLICE_MIN_S = 1.0, 0.01  # one BLPOP's wait (its timeout of 0 would wait for ever)
_STALL_S = 1.0  # past a wait and its last slice: a stalled Redis holds a BLPOP this long at most


async def listen(
    pubsub: Any,
    subscribed: bool,
    subscribe: Callable[[Any], Awaitable[bool]],
    heard: Callable[[Any], None],
    back: Callable[[], Coroutine[Any, Any, None]],
) -> None:
    """A replica's commands, each given to ``heard`` as it comes, until cancelled. A lost
    connection to Redis is reopened (``subscribe``, with backoff), never the end of the
    replica; each time Redis answers again, maybe restarted empty, ``back`` runs (the
    replica's claims go back)."""
    delay = 0.1
    async with anyio.create_task_group() as tg:
        while True:
            if subscribed:
                try:
                    async for message in pubsub.listen():
                        delay = 0.1
                        kind = message.get("type")
                        if kind == "message":
                            heard(message.get("data"))
                        elif kind == "subscribe":  # (redis-py resubscribes by itself after
                            tg.start_soon(back)  # a lost connection: Redis is back)
                except Exception as exc:
                    log.warning("the registry lost Redis (%s); listening again in %g s", exc, delay)
            await anyio.sleep(delay)
            delay = min(delay * 2, 5.0)
            subscribed = await subscribe(pubsub)
            if subscribed:
                await back()


async def push(client: Any, key: str, reply: str, keep_s: float) -> None:
    """Push ``reply`` to the sender's list, kept ``keep_s`` for a sender still to read it
    (an answer Redis could not take is logged: its sender times out and says so)."""
    try:
        async with client.pipeline(transaction=False) as pipe:
            pipe.rpush(key, reply)
            pipe.expire(key, max(1, int(keep_s)))
            await pipe.execute()
    except Exception as exc:
        log.warning("a reply to a forwarded command could not be sent: %s", exc)


async def forward(
    client: Any,
    command: dict[str, Any],
    *,
    claim: str,
    channel: Callable[[str], str],
    prefix: str,
    reach_s: float,
    within: float,
    failed: type[Exception],
) -> Any:
    """Publish ``command`` (its ``call_id``, ``command``, ``args``) on the channel of the
    replica whose name the call's ``claim`` key holds (``channel(replica)``), and wait for
    its answer: Redis has ``reach_s`` to answer, the owner ``within`` (``command_timeout``),
    and a hang-up its goodbye more. The whole of it is bounded, not only the waits for its
    replies (a stalled Redis, a partition, answers nothing, and its client's own timeouts
    and retries are long); the client's errors (``failed``) are ``CallOwnerGone``, never
    redis-py's own: the app's are ours."""
    call_id, name = command["call_id"], command["command"]
    if name not in COMMANDS:
        raise ValueError(f"unknown command {name!r}")
    own = GOODBYE_S if name == "hangup" else 0.0  # (its goodbye: see the module's doc)
    bound = within + own + 2 * reach_s
    try:
        with anyio.move_on_after(bound):
            owner, request = await _publish(client, command, claim, channel, reach_s)
            key = reply_key(prefix, request)
            return await answer(
                client, key, owner=owner, call_id=call_id, command=name, within=within, own=own
            )
    except failed as exc:
        said = f"the call registry (Redis) failed {name}: {exc}"
        raise CallOwnerGone(f"call {call_id!r}: {said}") from None
    raise CallOwnerGone(
        f"call {call_id!r}: the call registry (Redis) did not answer {name} in {bound:g} s"
    )


async def _publish(
    client: Any,
    command: dict[str, Any],
    claim: str,
    channel: Callable[[str], str],
    reach_s: float,
) -> tuple[str, str]:
    """``command`` published to its call's owner (who listens): the owner, and the
    request's id its replies come under. Redis has ``reach_s`` to answer."""
    call_id = command["call_id"]
    request = uuid.uuid4().hex
    message = {"id": request, **command, "ack": True}
    owner, listeners = None, 0
    with anyio.move_on_after(reach_s) as reaching:  # (a stalled Redis: told at once)
        owner = await client.get(claim)
        if owner is not None and not owner.startswith("ended:"):
            listeners = await client.publish(channel(owner), json.dumps(message))
    if reaching.cancelled_caught:
        raise CallOwnerGone(f"call {call_id!r}: the call registry (Redis) did not answer")
    if owner is None:
        raise CallNotFound(f"no replica holds call {call_id!r}")
    if owner.startswith("ended:"):
        raise CallNotFound(f"call {call_id!r} has ended")
    if not listeners:
        raise CallOwnerGone(f"replica {owner!r}, which holds call {call_id!r}, is gone")
    return owner, request


async def answer(
    client: Any, key: str, *, owner: str, call_id: str, command: str, within: float, own: float
) -> Any:
    """The owner's answer to ``command``: its result, or the error it raised, as the same
    type. ``CallOwnerGone`` when it did not acknowledge ``within`` seconds, or did and did
    not answer within those plus the command's ``own`` time, from now."""
    start = anyio.current_time()
    reply = await _pop(client, key, within, call_id)
    if reply is not None and reply.get("ack") is True:
        waited = f"acknowledged {command} and did not answer it in {within + own:g} s"
        while reply is not None and reply.get("ack") is True:  # (an owner of an earlier
            # version acknowledges a command's copy too: the answer is what follows)
            reply = await _pop(client, key, start + within + own - anyio.current_time(), call_id)
    else:
        waited = f"did not answer {command} in {within:g} s"
    if reply is None:
        raise CallOwnerGone(f"replica {owner!r}, which holds call {call_id!r}, {waited}")
    if reply.get("ok"):
        return reply.get("result")
    said = reply.get("error") or f"{command} failed on replica {owner!r}"
    kind = _RAISED.get(reply.get("kind"))
    if kind is None:
        raise RuntimeError(said)
    # The error the owner raised, as the same type: which replica the command reached shows
    # in nothing the app catches.
    raise kind(said, status=reply.get("status")) if kind is CallsAPIError else kind(said)


async def _pop(client: Any, key: str, within: float, call_id: str) -> dict[str, Any] | None:
    """The next reply within ``within`` seconds, or ``None``; ``CallOwnerGone`` when Redis
    holds a ``BLPOP`` past them (stalled: its client's own timeouts and retries are long)."""
    deadline = anyio.current_time() + within
    with anyio.move_on_after(max(within, 0.0) + _SLICE_S + _STALL_S):
        while (left := deadline - anyio.current_time()) > 0:
            popped = await client.blpop([key], max(_SLICE_MIN_S, min(left, _SLICE_S)))
            if popped is not None:  # (a reply that is no JSON object says nothing: {})
                with contextlib.suppress(ValueError, RecursionError):
                    reply = json.loads(popped[1])
                    return reply if isinstance(reply, dict) else {}
                return {}
        return None
    raise CallOwnerGone(f"call {call_id!r}: the call registry (Redis) did not answer in time")


async def carry_out(
    client: Any,
    data: Any,
    host: CallHost | None,
    answered: dict[str, None],
    prefix: str,
    keep_s: float,
) -> None:
    """The owner's part: a command another replica published (``data``), acknowledged, run
    on ``host`` and answered on its reply list (``{prefix}:reply:{id}``). A copy of one
    already carried out (``answered``: redis-py sends a ``PUBLISH`` again when a dropped
    connection lost its reply) is not: a ``say`` or a ``transfer`` runs once."""
    try:
        message = json.loads(data)
        request, call_id = str(message["id"]), str(message["call_id"])
        command, args = str(message["command"]), dict(message.get("args") or {})
    except (ValueError, KeyError, TypeError):
        log.warning("a malformed control message was ignored")
        return
    if request in answered:
        return
    keep_latest(answered, request, None, _ANSWERED_KEPT)
    key = reply_key(prefix, request)
    if message.get("ack") is True:  # (an earlier version's sender asks for none)
        await push(client, key, ACK, keep_s)
    answer: dict[str, Any]
    try:
        if command not in COMMANDS or host is None:
            raise ValueError(f"unknown command {command!r}")
        answer = {"ok": True, "result": await host.execute(call_id, command, args)}
    except Exception as exc:
        answer = said(exc)
    await push(client, key, json.dumps(answer), keep_s)


def reply_key(prefix: str, request: str) -> str:
    """The list a command's replies go to (by the command's request id)."""
    return f"{prefix}:reply:{request}"


_ANSWERED_KEPT = 4096  # commands whose copies are ignored: far more than are ever in flight


def said(exc: Exception) -> dict[str, Any]:
    """The answer that tells of ``exc``: its kind (see ``_RAISED``) and message."""
    for name, kind in _RAISED.items():
        if isinstance(exc, kind):
            status = getattr(exc, "status", None) if kind is CallsAPIError else None
            return {"ok": False, "kind": name, "error": str(exc), "status": status}
    return {"ok": False, "error": root_cause(exc, None)}


_RAISED: dict[Any, type[Exception]] = {
    "not_found": CallNotFound,
    "control": CallControlError,
    "calls_api": CallsAPIError,
    "value": ValueError,
    "type": TypeError,
    "closed": SessionClosedError,  # (a session that closed under the command)
}
"""The errors a command may fail with on the replica that holds its call, by the name its
answer gives them: raised as the same type where the command was given (any other error as
a ``RuntimeError`` that names it). A name, never a type read from the message."""
