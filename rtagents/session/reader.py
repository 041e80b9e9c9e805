"""The session's reader: one task that reads each frame, has the core decide what it leads
to, carries that out, and tells the app once the frames at hand are answered.

A drop goes to ``Upstream``, which reconnects or says the session is over. Once the session
has ended, for whatever reason and from whichever task, the reader reads no further: the
frames still buffered behind the end (the server's own ``session.closed`` on GPT-Live, say)
would reach the app after the framework's ``session.closed``, which is the last word.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from ..errors import SessionClosedError, root_cause
from .actions import Action
from .adapter import WireAdapter
from .metering import UsageMeter
from .observers import Observers
from .reconnect import ReconnectFailed
from .states import Connection, Link
from .transport import TransportClosed, more_at_hand
from .upstream import Upstream
from .workers import WorkerPool

log = logging.getLogger("rtagents.session")

THREADS_FIRST_S = 0.002
"""How long, at most, the reader waits for the calls whose code a burst of frames handed to
worker threads, before it reads the frames after theirs (the turn's last, then the work the
burst leaves for after: the journal's writes, the app's events): that code needs the GIL to
run, and the reader would hold it first (performance.md). One budget a burst, however many
calls it hands over; short enough that the app never hears of it: about a tenth of one 20 ms
audio frame."""


class Readable(Protocol):
    """What the reader needs of the session it reads for (the runner)."""

    upstream: Upstream
    core: WireAdapter
    observers: Observers
    meter: UsageMeter
    workers: WorkerPool
    link: Connection
    fatal: BaseException | None
    """What app code raised past ``Exception`` (``SystemExit``): the session is ending."""

    async def execute(self, actions: list[Action]) -> bool:
        """Carry out the core's actions; True when they started a tool call."""

    async def ended(self, reason: str, *, error: bool) -> None:
        """End the session from one of its tasks (never raises what a handler did)."""

    async def task_fatal(self, exc: BaseException) -> None:
        """A ``SystemExit`` or ``KeyboardInterrupt`` from app code: the session ends."""


async def read(session: Readable) -> None:
    """The reader task, from the session's start to its end; it raises nothing but its own
    cancellation: every way the reading ends becomes the session's end, with a reason."""
    try:
        await _frames(session)  # returns once the session ended, which said so
    except asyncio.CancelledError:
        raise  # (as it is: raised again from ``_failed``, its frame would hold the session)
    except BaseException as exc:
        await _failed(session, exc)


async def _failed(session: Readable, exc: BaseException) -> None:
    """What the reader's work raised, as the session's end with a reason. (Its own function,
    not a wrapper coroutine around the reader: one object fewer per idle session.)"""
    if isinstance(exc, TransportClosed):
        # The server's close after its session_expired is a clean 1000: with no reconnect
        # to take over, the time cap is a failure all the same (failures.md), as on GPT-Live.
        reason, error = exc.reason, exc.error or session.link.state is Link.EXPIRED
    elif isinstance(exc, ReconnectFailed):
        reason, error = str(exc), True
    elif isinstance(exc, SessionClosedError):
        return  # it ended under a send of ours, which said why
    elif isinstance(exc, Exception):  # a bug of ours: close with the reason, never a group
        log.error("the session's reader failed", exc_info=exc)
        reason, error = f"internal error: {root_cause(exc)}", True
    else:  # SystemExit, KeyboardInterrupt from what the reader ran:
        await session.task_fatal(exc)  # the session ends, and connect() raises it on exit
        return
    await session.ended(reason, error=error)


async def _frames(session: Readable) -> None:
    upstream, core, observers, workers, link = (
        session.upstream,
        session.core,
        session.observers,
        session.workers,
        session.link,
    )
    closed = Link.CLOSED
    loop = asyncio.get_running_loop()
    holding = 0  # the reader's hold on the app's events, for the burst it answers
    threads_until = 0.0  # the end of the burst's wait for its calls' threads (loop time)
    while True:
        transport = upstream.transport
        try:
            frame = await transport.recv()
        except TransportClosed as exc:
            if holding:  # never hold the app's events through a reconnect
                observers.tell(holding)
                holding = 0
            if link.state is closed:
                upstream.heard_last()  # (the server closed, after our goodbye)
            if await upstream.recover(exc):
                continue
            raise
        if session.fatal is not None:
            return  # it ends: the app asked
        if link.state is closed:  # it ended (a task did): read on for the server's last word
            usage = core.last_word(frame)  # (GPT-Live's final usage, after our goodbye)
            if usage is not None:
                session.meter.see(usage)  # counted, never told: the app heard the end
                upstream.heard_last()
            continue
        # Decide first, tell after (performance.md): the frames at hand are answered.
        if not holding:
            holding = observers.hold()
            threads_until = loop.time() + THREADS_FIRST_S
        if await session.execute(core.receive_frame(frame)):
            await asyncio.sleep(0)  # the call starts now (asyncio's: no anyio lookup)
            returning = workers.returning()
            if returning is not None:  # its thread runs first: the reader lets go of the GIL
                timer = loop.call_later(max(threads_until - loop.time(), 0.0), _wake, returning)
                try:
                    await returning
                finally:
                    timer.cancel()
        if link.state is closed:
            return  # this frame ended it, and the end was told: read no more
        if not more_at_hand(transport):
            # A call handed over since (after its approval, say) waited for that: not for
            # this work, which would hold its thread back for a few tens of microseconds.
            workers.forget_handed()
            await _answered(session, holding)
            holding = 0


async def _answered(session: Readable, holding: int) -> None:
    """The frames at hand are answered: the work left for after is done now."""
    if session.link.state is Link.CLOSED:
        return  # the end told what was held, and the journal has no more to keep
    await session.execute(session.core.settle())  # the journal's writes, its news
    session.observers.tell(holding)  # unless a call's output is still leaving


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)
