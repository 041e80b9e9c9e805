"""Which process holds which call: the claim that makes a call accepted exactly once, and
the route a control command (approve, deny, hang up, transfer, say) takes to the process
that holds the call.

``LocalRegistry`` (the default) is one process's view. ``RedisRegistry`` (in
``registry_redis``, the ``rtagents[redis]`` extra) shares it between replicas.
"""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from typing import Any, Protocol, runtime_checkable

import anyio
from anyio.abc import TaskStatus

from ..errors import RtagentsError


class CallHost(Protocol):
    """What a registry asks of the process it serves (a ``CallServer``)."""

    async def execute(self, call_id: str, command: str, args: dict[str, Any]) -> Any:
        """Run a control command on a call this process holds (another process asked)."""
        ...

    async def adopt(self, call_id: str, call: dict[str, Any]) -> bool:
        """Run the tools of an accepted call whose holder is gone: this process holds it
        now (``call`` is what the holder said of it in ``accepted``). False when it cannot
        (draining): the claim is given back, for another replica."""
        ...

    async def lost(self, call_id: str) -> None:
        """Another process holds the call now: let it go, without hanging up."""
        ...

    def adopting(self) -> bool:
        """Whether this process takes over calls now (not while it drains): a registry
        claims none for it otherwise."""
        ...


COMMANDS = frozenset({"approve", "deny", "hangup", "transfer", "say"})
GOODBYE_S = 10.0
"""The longest a hang-up waits for its goodbye to be heard (a Twilio stream's marks): what a
forwarded ``hangup`` may take beyond the registry's ``command_timeout``."""


class CallNotFound(RtagentsError, KeyError):
    """No process holds the call (it never came, or it has ended)."""

    def __str__(self) -> str:  # KeyError would print the message quoted
        return str(self.args[0]) if self.args else "no such call"


class CallOwnerGone(RtagentsError):
    """The process that holds the call did not answer: it crashed, or is cut off."""


class ClaimPending(RtagentsError):
    """Another process claimed the call and has not taken it up yet (its answer is on its
    way, or its claim may yet be given back): the claimant is to ask again later, never take
    it for a duplicate (should that claim be given back, the retry is what takes the call)."""


@runtime_checkable
class CallRegistry(Protocol):
    """Where calls live. ``CallServer`` runs ``run`` in its task group from startup to
    shutdown (as the ``host`` of its calls), ``claim`` before accepting a call,
    ``accepted`` once it is up, ``release`` when it ends, and ``forward`` for a command on
    a call it does not hold.

    Optional, and not part of the protocol's type: ``async def hand_over(call_id) -> bool``,
    which a draining process calls for an accepted call that is still up once its session
    closed. It gives the claim back and keeps the call listed, so that another process adopts
    it (``CallHost.adopt``); False when no other process can. A call no other process can
    take (or one of a registry without ``hand_over``) is hung up."""

    async def run(
        self, host: CallHost, *, task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        """Serve other processes' commands, and keep this process's claims, until
        cancelled; ``task_status.started()`` once ready."""
        ...

    async def claim(self, call_id: str) -> bool:
        """True for exactly one claimant of ``call_id``, across every process sharing this
        registry, for as long as the call lives (and a while after, for late retries). May
        raise ``ClaimPending`` while another process's claim is not yet taken up."""
        ...

    async def accepted(self, call_id: str, call: dict[str, Any]) -> None:
        """The call is up (accepted, or a browser's attached). Should this process die,
        another adopts it (``CallHost.adopt``, given ``call``), and no new claim of it wins."""
        ...

    async def release(self, call_id: str) -> None: ...

    async def forward(self, call_id: str, command: str, args: dict[str, Any]) -> Any:
        """Run ``command`` on the process that holds ``call_id``; its result. Raises
        ``CallNotFound`` or ``CallOwnerGone``."""
        ...

    async def ready(self) -> bool:
        """Whether the registry can be used now (readiness)."""
        ...


class LocalRegistry:
    """One process: a call is claimed once in it, and no other process is asked. The latest
    ``remember`` call ids are kept (a late retry of an older call's webhook is known by the
    verifier's as many ids, or found up in ``CallServer.calls``): a long-lived process does
    not grow with every call."""

    def __init__(self, *, remember: int = 10_000) -> None:
        self._claimed: OrderedDict[str, bool] = OrderedDict()  # call id -> whether it ended
        self._remember = remember

    async def run(
        self, host: CallHost, *, task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        task_status.started()  # nothing to serve: no other process asks, or adopts

    async def claim(self, call_id: str) -> bool:
        if call_id in self._claimed:
            return False
        self._claimed[call_id] = False
        if len(self._claimed) > self._remember:
            self._claimed.popitem(last=False)
        return True

    async def reclaim(self, call_id: str) -> bool:
        """``claim``, which also wins for a call that ended (a Twilio call's next stream)."""
        if self._claimed.get(call_id) is False:
            return False  # it lives
        self._claimed.pop(call_id, None)
        return await self.claim(call_id)

    async def abandon(self, call_id: str) -> None:
        self._claimed.pop(call_id, None)  # the webhook gave up on it: its retry takes it

    async def accepted(self, call_id: str, call: dict[str, Any]) -> None:
        pass  # this process is the only one: nobody is left to adopt its calls

    async def release(self, call_id: str) -> None:
        if call_id in self._claimed:  # kept: a late retry of the webhook is still a duplicate
            self._claimed[call_id] = True

    async def hand_over(self, call_id: str) -> bool:
        return False  # no other process can take the call

    async def forward(self, call_id: str, command: str, args: dict[str, Any]) -> Any:
        raise CallNotFound(f"no call {call_id!r} in this process")

    async def ready(self) -> bool:
        return True


async def claim_within(
    registry: CallRegistry, call_id: str, seconds: float, *, again: bool = False
) -> bool:
    """``registry.claim(call_id)`` (with ``again``, its ``reclaim``: a call that ended may be
    claimed again), given up after ``seconds`` (a registry behind a network partition
    neither answers nor fails). On any failure the claim, which may have been made all the
    same (its answer came too late), is given back before the failure is raised: the caller
    answers "try again later", and the retry can take the call anywhere."""
    # (A registry from before ``reclaim`` claims a call once, whatever comes after.)
    claim = getattr(registry, "reclaim", registry.claim) if again else registry.claim
    try:
        with anyio.fail_after(seconds):
            return bool(await claim(call_id))
    except Exception:
        await give_back(registry, call_id, seconds)
        raise


async def give_back(registry: CallRegistry, call_id: str, seconds: float) -> None:
    """Give a claim back (if it was made) for another replica to take, within ``seconds``
    and whatever cancels the caller; a registry that cannot costs the claim its lease."""
    abandon = getattr(registry, "abandon", None)  # (a registry from before it)
    if abandon is not None:
        with (
            anyio.CancelScope(shield=True),
            anyio.move_on_after(seconds),
            contextlib.suppress(Exception),
        ):
            await abandon(call_id)
