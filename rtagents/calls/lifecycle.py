"""One call's life, the same for every kind of call: claim, route, accept, session, finish.

``CallLifecycle`` owns the calls of this process (``app.calls``) and the rule of each step:
a call is claimed once across replicas, the router's decision is checked, an accepted call
is listed for the replicas that could take it over, a call that fails is never left ringing
or up without its tools, a call that reaches its time limit is warned and hung up
(``limits``), a call still up when a drain closes its session (or when the shutdown cuts
its task short) is handed over to another replica or hung up, one still ringing then is
rejected, and an ended call is released. What differs between a SIP call, a browser's call,
a call taken over from a replica that died and a Twilio stream is its ``CallKind``: how it
is accepted or rejected, hung up, and how its session runs.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import time
from typing import Any, Protocol

import anyio
import anyio.abc

from ..agent import Agent
from ..errors import RtagentsError, root_cause
from ..pricing import PriceBook
from ..session.states import CLOSED_BY_CLIENT
from ..tracing.calls import call_ended, call_span, listed_trace
from .control import (
    HUNG_UP_RINGING,
    LIVE,
    OVER,
    TRANSFERRED,
    CallRecord,
    IncomingCall,
    Reject,
    Route,
)
from .letting_go import drain, letting_go, refuse
from .limits import CallLimit, within_limit
from .registry import CallRegistry, claim_within, give_back
from .routing import Routing

log = logging.getLogger("rtagents.calls")

HANDED_OVER = "handed over to another replica: this one is draining"
HUNG_UP_BY_DRAIN = "hung up: the server is draining, and no other replica can take the call"
STREAM_CLOSED_BY_DRAIN = "the server is draining: its stream is closed"
SHUT_DOWN = "the server shut down before the call was answered"
LET_GO_LATE = "the server shut down, and could not hand the call over or hang it up in time"


class NotTakingCalls(RtagentsError):
    """A claim made as this process began to drain: given back, for a retry elsewhere (a
    webhook's 503, a Twilio stream's 1013, a page's attach's 503)."""


class CallKind(Protocol):
    """What one call does at each step that differs by kind of call."""

    up_already: bool
    """Whether the call was up before this process had it (its ``accept`` answers nothing):
    a browser's, one adopted from a replica that died, a Twilio stream. One that is not is
    rejected if the shutdown cuts it short before it is answered."""

    def listing(self) -> dict[str, Any] | None:
        """What another replica needs to take the call over once it is up (the registry
        keeps it); ``None`` when no other replica can (a Twilio stream ends with its
        websocket)."""
        ...

    async def accept(self, agent: Agent) -> None:
        """Answer the call with ``agent``'s configuration."""
        ...

    async def reject(self, decision: Reject) -> None:
        """Refuse the call (a call that is up already is ended)."""
        ...

    async def hang_up(self) -> None:
        """End a call that is up: it failed, and cannot go on without its tools."""
        ...

    async def ending(self) -> str | None:
        """How the app ended the call (``HUNG_UP``, ``TRANSFERRED``), if it asked to and
        the API took the request (awaited while it is on its way); ``None`` otherwise."""
        ...

    async def connect(self, record: CallRecord, agent: Agent) -> str | None:
        """Run ``agent`` on the call until it ends; why it ended. It sets ``record``'s
        ``session`` and ``handle`` once they exist."""
        ...


class CallLifecycle:
    """The calls of one process, from their claim to their end."""

    def __init__(
        self,
        route: Route,
        registry: CallRegistry,
        keep_ended: int,
        limit: CallLimit | None = None,
        prices: PriceBook | None = None,
        claim_timeout: float = 5.0,
        route_timeout: float = 10.0,
    ) -> None:
        self.routing, self.claim_timeout = Routing(route, route_timeout), claim_timeout
        self.prices = prices  # what each call's usage cost
        self.registry = registry
        self.limit = limit
        self.calls: dict[str, CallRecord] = {}
        self.draining = False
        self.tg: anyio.abc.TaskGroup | None = None  # the app's, from startup to shutdown
        self._keep_ended = keep_ended
        # Ended calls, oldest first, each once (a call streamed again, then ended again, is
        # one of the latest): a dict as an ordered set.
        self._ended: dict[str, None] = {}
        self._releasing: dict[str, anyio.Event] = {}  # calls whose claim is being let go
        # The calls whose sessions the drain closed, each set once the call let go.
        self._drained: dict[str, anyio.Event] = {}

    @property
    def taking_calls(self) -> bool:
        return self.tg is not None and not self.draining

    def live(self) -> list[CallRecord]:
        return [r for r in self.calls.values() if r.state in LIVE]

    async def close_sessions(self) -> None:
        """The drain's time is up: each session still open closes once its tool calls in
        flight are answered. Its call is still up, so it is then handed over or hung up
        (``_after_drain``); this returns once each call has done so (for at most
        ``LETTING_GO_S`` more), so that a process may exit then. A call still being set up
        is given ``LETTING_GO_S`` to open its session first (see ``letting_go.drain``)."""
        closed: list[CallRecord] = []
        async with anyio.create_task_group() as tg:
            for record in self.live():
                session = record.session
                if record.call_id in self._drained:
                    continue  # an earlier drain gave it its time: the shutdown cuts it short
                # A call still being set up (routed, accepted, its session opening) is
                # drained once its session is open.
                if session is None or session.closed_reason is None:
                    let_go = self._drained[record.call_id] = anyio.Event()
                    tg.start_soon(drain, record, let_go)
                    closed.append(record)
        if closed:  # one line for the operator; each call's is at INFO
            outcomes = collections.Counter(record.reason for record in closed)
            moved, hung_up = outcomes[HANDED_OVER], outcomes[HUNG_UP_BY_DRAIN]
            log.warning(
                "drained: %d call(s) handed over, %d hung up, %d other",
                moved,
                hung_up,
                len(closed) - moved - hung_up,
            )

    async def claim(self, call_id: str, *, again: bool = False, in_flight: bool = False) -> bool:
        """Whether this process is the one to take ``call_id`` (once across replicas; ``again``:
        also once over, a Twilio call's next stream). Raises when the registry cannot say in
        ``claim_timeout`` (the claim given back): the caller answers "try again later"; so
        when this process began to drain meanwhile, unless the call is ``in_flight``, one
        of its own already (a page's call made with a secret it minted)."""
        if (here := self.calls.get(call_id)) is not None and not (again and here.state in OVER):
            return False
        if (releasing := self._releasing.get(call_id)) is not None:  # the stream before's
            with anyio.move_on_after(self.claim_timeout):  # (it may not win over a live one)
                await releasing.wait()
        claimed = await claim_within(self.registry, call_id, self.claim_timeout, again=again)
        if claimed and not self.taking_calls and not in_flight:  # the drain began meanwhile
            await give_back(self.registry, call_id, self.claim_timeout)  # (for the retry's)
            raise NotTakingCalls(f"call {call_id}: this server began to drain as it claimed it")
        return claimed

    def start(
        self,
        call: IncomingCall,
        kind: CallKind,
        agent: Agent | None = None,
        answered_at: float | None = None,
    ) -> anyio.Event:
        """Take a claimed call in the app's task group (a request answers at once); the
        event is set once the call is over. ``answered_at`` (wall-clock time) is when a
        call taken over from another replica was answered: its time limit counts from it."""
        if self.tg is None:
            raise RuntimeError("the server is not running: it takes no call")
        self._record(call)
        over = anyio.Event()
        self.tg.start_soon(self._run, call, kind, agent, answered_at, over, self.tg)
        return over

    async def run(self, call: IncomingCall, kind: CallKind, agent: Agent | None = None) -> None:
        """Take a claimed call in this task, until it ends (a Twilio stream's endpoint)."""
        self._record(call)
        await self._run(call, kind, agent, None, anyio.Event(), None)

    def _record(self, call: IncomingCall) -> None:
        caller = None if call.source == "browser" else call.caller  # a page has no number
        self.calls[call.call_id] = CallRecord(call.call_id, caller, source=call.source)

    async def _run(
        self,
        call: IncomingCall,
        kind: CallKind,
        agent: Agent | None,
        answered_at: float | None,
        over: anyio.Event,
        app_tg: anyio.abc.TaskGroup | None,
    ) -> None:
        """The call, in ``app_tg`` (the app's task group, which ``self.tg`` stops naming
        before it is cancelled at shutdown) or, with ``None``, in its caller's task."""
        record = self.calls[call.call_id]
        with call_span(call.call_id, call.source) as span:
            ended = cancelled = keep_claim = False
            try:
                keep_claim = await self._steps(call, kind, agent, record, answered_at)
                ended = True
            except anyio.get_cancelled_exc_class():
                cancelled = True
                raise
            finally:
                # Cancelled in the app's task group, by it or by a scope around it.
                torn_down = app_tg is not None and (cancelled or app_tg.cancel_scope.cancel_called)
                try:
                    if torn_down and not ended:
                        keep_claim = await self._cut_short(kind, record)
                finally:
                    over.set()
                    self._metered(record)
                    call_ended(span, record.state, record.reason, record.usage, record.cost)
                    # A call handed over gave its claim back; one that could not be let go
                    # of leaves it to run out, so that another replica takes it over.
                    try:
                        with letting_go() if torn_down else contextlib.nullcontext():
                            await self._finished(call.call_id, record, release=not keep_claim)
                    finally:
                        let_go = self._drained.pop(call.call_id, None)
                        if let_go is not None:
                            let_go.set()

    async def _steps(
        self,
        call: IncomingCall,
        kind: CallKind,
        agent: Agent | None,
        record: CallRecord,
        answered_at: float | None,
    ) -> bool:
        """The call from its route to its end; True when its claim is kept for another
        replica: handed over (given back), not let go of in time (left to run out), or let
        go (``moved``: another replica holds it, or adopts it once its lease runs out), after
        which nothing here touches the call, and it is never released as ended."""
        accepted = False
        try:
            decision = agent or await self.routing.decide(call)
            if record.state == "moved":  # let go as it was routed: the call is another's
                return True
            if record.hung_up:  # the app hung up as it rang: never answered
                decision = Reject(reason=HUNG_UP_RINGING)
            if isinstance(decision, Reject):
                await kind.reject(decision)
                record.state, record.reason = "rejected", decision.reason or None
                return False
            record.agent = decision.name
            await kind.accept(decision)
            accepted = True
            if record.state == "moved":  # let go as its answer went out: the other's now
                return True
            record.state = "active"
            answered_at = time.time() if answered_at is None else answered_at
            listing = kind.listing()
            if listing is not None:
                listing = {**listing, "answered_at": answered_at, **listed_trace()}
                await self.registry.accepted(call.call_id, listing)
            if record.hung_up:  # as its answer went out, or as it was listed: it ends now
                await kind.hang_up()
                record.state, record.reason = "ended", HUNG_UP_RINGING
                return False
            reason = await self._connect(kind, record, decision, answered_at)
            if record.state == "moved":  # let go meanwhile: never released as ended
                return True
            if call.call_id in self._drained and reason in (CLOSED_BY_CLIENT, TRANSFERRED):
                # The shutdown, should it come meanwhile, waits for this (as the drain does).
                with letting_go():
                    return await self._after_drain(kind, record, transferring=reason == TRANSFERRED)
                record.state, record.reason = "failed", LET_GO_LATE
                return True
            record.state, record.reason = "ended", reason
        except Exception as exc:  # the call fails; the server goes on
            if record.state == "moved":  # another replica's call: never refused or hung up
                log.info("call %s, let go, failed here: %s", call.call_id, root_cause(exc))
                return True
            record.state, record.reason = "failed", root_cause(exc)
            log.warning("call %s failed: %s", call.call_id, record.reason)
            with letting_go(), contextlib.suppress(Exception):
                if not accepted:  # never left ringing
                    await refuse(kind)
                else:  # nor left up without its tools
                    await kind.hang_up()
        return False

    async def _after_drain(
        self, kind: CallKind, record: CallRecord, *, transferring: bool = False
    ) -> bool:
        """The drain closed the session of a call that is still up: another replica takes
        it over when one can (the registry gives its claim back and keeps it listed); else
        it is hung up. A call being transferred is never hung up: should its transfer fail,
        the replica that adopts it runs its tools (one that finds it gone lets it go). True
        when handed over."""
        if kind.listing() is None:  # a stream, which ends with its websocket (Twilio's)
            record.state, record.reason = "ended", STREAM_CLOSED_BY_DRAIN
            return False
        hand_over = getattr(self.registry, "hand_over", None)  # (a registry from before it)
        if hand_over is not None and await hand_over(record.call_id):
            record.state, record.reason = "moved", HANDED_OVER
            log.info("call %s is handed over to another replica", record.call_id)
            return True
        if transferring:
            record.state, record.reason = "ended", TRANSFERRED
            return False
        log.info("call %s is hung up: no other replica can take it", record.call_id)
        await kind.hang_up()
        record.state, record.reason = "ended", HUNG_UP_BY_DRAIN
        return False

    async def _cut_short(self, kind: CallKind, record: CallRecord) -> bool:
        """The app's task group cancelled the call's task (its shutdown, after the drain, or
        a replica torn down without one). A call still ringing here is rejected: its
        webhook was answered, so no other process will be offered it. One that is up (or
        was before this process had it: ``up_already``) is let go of as a drain does:
        handed over or hung up, or left to the app's transfer or hang-up that the API
        took. True when its claim is kept: handed over, or not let go of (it runs out)."""
        if record.state == "moved":  # let go already: its claim is another's
            return True
        with letting_go():
            try:
                ending = await kind.ending()
                if ending is not None and ending != TRANSFERRED:  # the app hung it up
                    record.state, record.reason = "ended", ending
                elif record.state == "ringing" and not kind.up_already:
                    rejected = await refuse(kind)
                    record.state, record.reason = "rejected" if rejected else "ended", SHUT_DOWN
                elif record.state in ("ringing", "active"):
                    log.info("call %s was cut short by the shutdown", record.call_id)
                    transferring = ending == TRANSFERRED
                    return await self._after_drain(kind, record, transferring=transferring)
                return False
            except Exception as exc:  # the process is exiting: say so, and go on
                record.state, record.reason = "failed", f"cut short: {root_cause(exc)}"
                log.warning("call %s %s", record.call_id, record.reason)
                return True
        record.state, record.reason = "failed", LET_GO_LATE  # (the deadline cut it short)
        return True

    async def _connect(
        self, kind: CallKind, record: CallRecord, agent: Agent, answered_at: float
    ) -> str | None:
        """The call's session until it ends, with the time limit's clock beside it."""
        if self.limit is None:
            return await kind.connect(record, agent)
        return await within_limit(
            self.limit, record, kind, kind.connect(record, agent), answered_at
        )

    def _metered(self, record: CallRecord) -> None:
        """The call's usage, its session's, and its cost at the server's prices."""
        if record.session is not None:
            record.usage = record.session.usage
            if self.prices is not None:
                record.cost = self.prices.cost(record.usage)[0]

    async def _finished(self, call_id: str, record: CallRecord, *, release: bool) -> None:
        """The registry lets the call go (with ``release``), and the oldest ended calls
        beyond ``keep_ended`` leave ``app.calls`` (not one claimed again since, live). A call
        taken back meanwhile (its record another) has a claim that is the new task's."""
        if release and self.calls.get(call_id, record) is record:
            self._releasing[call_id] = released = anyio.Event()
            try:
                # The call is over whatever the registry says: one that fails or hangs costs
                # the claim its lease (it runs out), never the server's other calls.
                with anyio.move_on_after(self.claim_timeout):
                    await self.registry.release(call_id)
            except Exception as exc:
                log.warning("call %s: its claim was not released: %s", call_id, root_cause(exc))
            finally:
                released.set()
                if self._releasing.get(call_id) is released:
                    del self._releasing[call_id]
        self._ended.pop(call_id, None)
        self._ended[call_id] = None
        while len(self._ended) > self._keep_ended:
            oldest = next(iter(self._ended))
            del self._ended[oldest]
            if (gone := self.calls.get(oldest)) and gone.state not in LIVE:
                del self.calls[gone.call_id]
