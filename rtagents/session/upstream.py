"""The session's connection to the server, kept: ``Upstream`` sends on the current transport
and, after a drop, moves the session to the next one.

A send is timed only when it may block (a server that stopped reading), and held while a
replay gives a new connection the conversation back first. After a drop the ``Reconnector``
opens the next transport; this configures it, replays the journal and opens it to all. The
connection's state stays the core's (``states.Connection``): this carries out its
transitions, and asks the session (``SessionPort``) for what is the session's to do.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import anyio

from .. import protocol as p
from ..errors import SessionClosedError, SessionConfigError, root_cause
from .actions import Action, Encoded, Send
from .adapter import WireAdapter
from .events import SessionReconnected, SessionWarning
from .reconnect import Reconnect, Reconnector, Reopened
from .states import Link, LinkInput
from .transport import Transport, TransportClosed

log = logging.getLogger("rtagents.session")

LAST_WORD_S = 1.0
"""How long a session's close waits for the server's answer to its goodbye (GPT-Live's
``session.closed``, with the final usage), when the reader can still hear it."""
GOODBYE_ANEW_S = 2.0
"""How long a close while the connection is down spends on one more connection, for its
goodbye alone (GPT-Live's ``session.close``: else the server keeps the session, billed)."""


class SessionPort(Protocol):
    """What keeping the connection needs of the session that owns it."""

    async def execute(self, actions: list[Action]) -> bool:
        """Carry out the core's actions."""

    async def reconfigure(self) -> bool:
        """Configure a new connection, ahead of everything held back: True once the server
        took it, False when it dropped meanwhile; raises ``SessionConfigError``."""

    async def finish(self, reason: str, *, error: bool) -> None:
        """End the session with ``reason``."""

    def spawn(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn(*args)`` as a task of the session's."""

    def deliver(self, event: Any, size: int = 0, frame: str | bytes | None = None) -> None:
        """Give the app an event (through the session's observers)."""

    def tell(self, hold: int = 0) -> None:
        """Tell the app what its events' holders hold (``tell()``: all of it, now)."""


class Upstream:
    """The session's current transport, and the steps that replace it after a drop."""

    # Class attributes until set (performance.md, "Density").
    _made: Reconnector | None = None
    _replayed: anyio.Event | None = None  # set once a replay has gone out
    _farewell: anyio.Event | None = None  # set once the goodbye's answer came
    _down = False  # the connection dropped, and no next one yet (see ``close``)
    _broken: Transport | None = None  # a send met its end, the reader not yet (see _write)
    _held = 0  # sends waiting for the replay
    _flushed: anyio.Event | None = None  # set once they are out

    def __init__(
        self,
        transport: Transport,
        core: WireAdapter,
        session: SessionPort,
        *,
        reconnector: Reconnector | None = None,
        reconnect: Reconnect | None = None,
        opener: Callable[[], Awaitable[Transport]] | None = None,
        send_timeout: float | None,
    ) -> None:
        self.transport = transport
        self._core = core
        self._encode = core.encode
        self._link = core.orchestrator.link
        self._session = session
        # The reconnector is made at the first drop (or handover) from ``reconnect`` and
        # ``opener``: one object fewer for each session that never drops.
        if reconnector is not None:
            self._made = reconnector
        self._settings = reconnect if opener is not None else None
        self._opener = opener
        self._send_timeout = send_timeout

    @property
    def reconnects(self) -> bool:
        """Whether a drop is followed by a new connection (else it ends the session)."""
        return self._made is not None or self._settings is not None

    @property
    def renews(self) -> bool:
        """Whether the session hands over to a fresh one before the server's time cap."""
        if self._made is not None:
            return self._made.settings.handover_before_s is not None
        return self._settings is not None and self._settings.handover_before_s is not None

    @property
    def _reconnector(self) -> Reconnector | None:
        if self._made is None and self._settings is not None and self._opener is not None:
            self._made = Reconnector(self._settings, self._opener)
        return self._made

    # -- sending -------------------------------------------------------------------------

    async def send(self, event: p.WireModel | str | Encoded, *, force: bool = False) -> None:
        """Send, or raise ``SessionClosedError``. A server that stops reading would block a
        send forever: past ``send_timeout`` the session closes, saying so.

        While the connection is down, an item we create goes in the journal (the next
        connection gets it in the replay) and anything else is dropped: a new connection
        is configured afresh and asks for the responses still owed. ``force`` sends on a
        connection being set up, ahead of everything held back."""
        link = self._link
        if link.state is Link.CLOSED:
            raise SessionClosedError(link.closed_reason or "the session closed")
        transport = self.transport
        # Encoded first: an event that cannot be (a bug) raises before the journal counts it.
        frame = event if isinstance(event, str) else self._encode(event)
        if not force:
            self._core.sent(event)
            if link.state is Link.OFFLINE:
                return
            if link.state is Link.REPLAYING and self._replayed is not None:
                await self._after_replay(frame, self._replayed)
                return
        await self._write(frame, transport)

    async def _after_replay(self, frame: str, replayed: anyio.Event) -> None:
        """Send ``frame`` once the conversation has been given back to the new connection,
        before the session asks it for what is owed (``_resume`` waits for these sends)."""
        link, epoch = self._link, self._link.epoch
        self._held += 1
        try:
            await replayed.wait()
            if link.current(epoch):  # else dropped again meanwhile: the replay holds it
                await self._write(frame, self.transport)
        finally:
            self._held -= 1
            if not self._held and self._flushed is not None:
                self._flushed.set()

    async def _write(self, frame: str, transport: Transport) -> None:
        try:
            # A send can only hang when the peer stops reading and the buffer fills: only
            # then is it timed (a time limit costs as much as the send itself).
            if self._send_timeout is None or transport.send_wont_block(frame):
                await transport.send(frame)
            else:
                # The server stopped reading: the app is not kept waiting with this send
                # (the events the session holds until its sends are out are told now). The
                # frame goes whatever telling raises: it is journaled as sent already.
                try:
                    self._session.tell()
                finally:
                    with anyio.fail_after(self._send_timeout):
                        await transport.send(frame)
        except TransportClosed as exc:
            reconnector = self._reconnector
            if reconnector is not None and not self.over:
                # A close the reader has not reached yet: the reader decides, once it has
                # acted on the frames the server sent before it (a ``response.created``, a
                # whole answer, a ``session_expired`` at the time cap), which a connection
                # written off now would see acted on after its loss. A drop this send met
                # is one it reconnects after, whatever close it then reads. What this send
                # held is journaled, and goes out again on the next connection.
                if reconnector.recoverable(exc, self._link):
                    self._broken = transport
                return
            await self._failed(exc.reason, error=exc.error)
        except TimeoutError:
            reason = (
                f"sending timed out after {self._send_timeout:g} s (the server stopped reading)"
            )
            await self._failed(reason, error=True)
        except Exception as exc:  # whatever the transport raised, the app sees our error
            await self._failed(f"sending failed: {root_cause(exc)}", error=True)

    async def _failed(self, reason: str, *, error: bool) -> None:
        await self._session.finish(reason, error=error)
        raise SessionClosedError(reason) from None

    async def close(self, goodbye: str | None = None, *, listen: bool = False) -> None:
        """The session ended: sends held for a replay end, ``goodbye`` goes out (the frame
        that ends the session on the server, see ``WireAdapter.goodbye``), and the transport
        closes. With ``listen`` (the reader still reads), the server's answer to the goodbye
        is waited for a moment first (``heard_last``): GPT-Live's has the final usage."""
        if self._replayed is not None:
            self._replayed.set()
        with anyio.CancelScope(shield=True):
            # Its own short wait: a server that stopped reading must not keep the socket open.
            if goodbye is not None:
                self._farewell = anyio.Event() if listen else None
                again = self._reconnector if self._down and self._core.session_id else None
                if not await _said(self.transport, goodbye) and again is not None:
                    # Down (a reconnect waited): the server keeps the session, billed, for an
                    # attach that would never come. One more connection says goodbye.
                    self._farewell = None  # (no reader hears that one's answer)
                    await self._goodbye_anew(goodbye, again)
                if self._farewell is not None:
                    with anyio.move_on_after(LAST_WORD_S):
                        await self._farewell.wait()
        closing = None
        while closing is not self.transport:  # (and one a reconnect set up meanwhile)
            closing = self.transport
            await _close(closing, 2)

    async def _goodbye_anew(self, goodbye: str, reconnector: Reconnector) -> None:
        with anyio.move_on_after(GOODBYE_ANEW_S):
            try:
                transport = await reconnector.open_once()
            except Exception as exc:
                log.debug("no connection for the goodbye: %s", root_cause(exc))
                return
            try:
                await _said(transport, goodbye)
            finally:
                await _close(transport, 1)

    def heard_last(self) -> None:
        """The server's answer to our goodbye came (or its connection ended): see ``close``."""
        if self._farewell is not None:
            self._farewell.set()

    # -- reconnecting (the decisions are Reconnector's and the core's) ------------------------

    async def lost(self, transport: Transport) -> None:
        """``transport`` is gone: calls and approvals go on; sends wait for the next one."""
        if transport is self.transport:  # not an old connection's news
            await self._session.execute(self._core.disconnected())

    async def recover(self, exc: TransportClosed) -> bool:
        """After the reader saw ``exc``: a new connection, or False to end the session."""
        reconnector, old = self._reconnector, self.transport
        broken = self._broken is old and not self.over  # (a send met the drop first)
        if reconnector is None or not (broken or reconnector.recoverable(exc, self._link)):
            return False
        self._down = True  # (until the next connection: a close then says goodbye on one)
        await self.lost(old)
        await _close(old, 1)
        reopened = await reconnector.reopen(
            exc.reason,
            planned=self._link.planned,
            responses_done=self._core.orchestrator.responses_done,
            deliver=self._session.deliver,
        )
        if self._link.state is Link.CLOSED:  # it ended meanwhile: nobody would close this one
            await _close(reopened.transport, 1)
            return False
        self.transport, self._down, self._broken = reopened.transport, False, None
        self._session.spawn(self._resume, reopened)
        return True

    async def _resume(self, reopened: Reopened) -> None:
        """The new connection: configured, given the conversation, then open to all."""
        transport, core = reopened.transport, self._core
        try:
            if not await self._session.reconfigure():
                return  # it dropped meanwhile: the reader is on it
        except SessionConfigError as exc:
            reason = (
                f"on the new connection, {exc}"
                if exc.code == "timeout"
                else f"the new connection refused the configuration: {exc}"
            )
            await self._session.finish(reason, error=True)
            return
        except Exception as exc:  # the agent cannot be sent (changed in place, a page's rule)
            reason = f"the agent could not be given to the new connection: {root_cause(exc)}"
            await self._session.finish(reason, error=True)
            return
        if transport is not self.transport:
            return
        replayed = self._replayed = anyio.Event()
        try:
            # No await from here to the snapshot: what was sent while offline is in it, and
            # what comes after waits for ``replayed``.
            replay = core.replay()
            for action in replay:
                if isinstance(action, Send):
                    await self.send(action.event, force=True)
        finally:
            self._replayed = None
            replayed.set()
        if self._held:  # what was sent meanwhile goes first: a response must see it
            flushed = self._flushed = anyio.Event()
            await flushed.wait()
            self._flushed = None
        if (
            transport is not self.transport
            or self._broken is transport
            or self._link.state is not Link.REPLAYING
        ):
            return  # it dropped while it was given the conversation: the reader is on it
        assert self._reconnector is not None  # only a reconnector reopens
        self._reconnector.set_up(core.orchestrator.responses_done)
        downtime = round(time.monotonic() - reopened.started, 3)
        self._session.deliver(
            SessionReconnected(core.session_id, len(replay), reopened.attempts, downtime)
        )
        await self._session.execute(core.resumed())

    # -- the handover before the time cap (see reconnect.HandoverPort) ------------------------

    async def renew_before_expiry(self) -> None:
        """A task for the session's life: move to a fresh session before the server's cap."""
        if self._reconnector is not None:
            await self._reconnector.hand_over_before_expiry(self)

    def cap_due(self) -> float | None:
        return self._core.expires_at

    def idle(self) -> bool:
        return self._link.state is Link.ONLINE and not self._core.responding

    @property
    def over(self) -> bool:
        return self._link.state is Link.CLOSED

    def warn(self, message: str) -> None:
        self._session.deliver(SessionWarning(message))

    async def hand_over(self) -> None:
        self._core.orchestrator.link_event(LinkInput.HAND_OVER)
        self._core.expires_at = None  # the next session says its own
        await self.transport.close()  # the reader sees the close and reconnects


async def _said(transport: Transport, frame: str) -> bool:
    """Send ``frame``, waiting at most half a second (a server that stopped reading must
    not keep a close waiting); False when the connection is gone."""
    try:
        with anyio.move_on_after(0.5):
            await transport.send(frame)
        return True
    except Exception:
        return False


async def _close(transport: Transport, within: float) -> None:
    """Close ``transport``, waiting at most ``within`` seconds, whatever cancels the caller."""
    with anyio.CancelScope(shield=True), anyio.move_on_after(within):
        try:
            await transport.close()
        except Exception as exc:  # already gone
            log.debug("closing the transport: %s", root_cause(exc))
