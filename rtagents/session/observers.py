"""The session's observers of the events it delivers: one place, in order, before the app.

Each part of the session that watches the events (the usage meter, the tracer and metrics,
the guardrails, the handoffs' count) is one hook the runner sets when it takes an agent,
instead of each wrapping ``deliver`` or subscribing as an app handler would. A hook sees
each event before the app does (the meter has counted a ``response.done`` when a handler of
it reads ``session.usage``) and may return events to deliver after it (the meter's
``usage.updated``), which go through the hooks too. A part the session does not use (no
guardrails, no handoffs, no tracing SDK) is not a hook: it costs nothing per event.

While the session reads a burst of frames, or a call's output leaves (``hold``), the app's
events wait until the burst is answered and the output has left (``tell``: the last holder
tells), and the meter's count with them. The other hooks see each event as
it happens: the tracer nests and times its spans by the calls the session makes meanwhile,
and the guardrails and the handoffs' count act on what was said before a call that the
same burst holds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from ..errors import root_cause
from .stream import EventStream

log = logging.getLogger("rtagents.session")

_MOST_HELD = 64
"""Events held before those are told anyway (a long burst of audio, say): what the app
waits for, and what is kept meanwhile, stays bounded."""

Observer = Callable[[Any], "Sequence[Any] | None"]
"""A hook on each delivered event; what it returns is delivered after that event."""


class Observers:
    """The hooks, then the app's stream: ``deliver`` is the session's one way out."""

    # Class attributes until set (performance.md, "Density").
    _hooks: tuple[Observer, ...] = ()
    _held: list[tuple[Any, int, str | bytes | None]] | None = None
    # Holders not done yet, and their number: ``tell()`` with none ends every hold, and
    # starts a new number, so that a holder it ended tells nothing later (plain ints:
    # nothing more for the collector per session).
    _holders = 0
    _epoch = 1

    def __init__(self, stream: EventStream, meter: Any = None) -> None:
        self.stream = stream
        self.meter = meter
        """The usage meter (``see``), every session's: it counts each event just before the
        app hears of it. Kept as itself, not as a bound method in a tuple (two objects fewer
        per session for the collector)."""

    @property
    def hooks(self) -> tuple[Observer, ...]:
        """The meter's, then those set (``hooks = ...``: the others, which see each event
        first, as it happens; the meter counts it with the app)."""
        return ((self.meter.see,) if self.meter is not None else ()) + self._hooks

    @hooks.setter
    def hooks(self, hooks: tuple[Observer, ...]) -> None:
        self._hooks = tuple(hooks)

    def hold(self) -> int:
        """Hold the app's events from now on, in order, until every holder has told: the
        reader while it answers a burst of frames, a call's task while its output leaves
        (see ``runner``, ``dispatch``). Returns the number ``tell`` takes."""
        if self._held is None:
            self._held = []
        self._holders += 1
        return self._epoch

    def tell(self, hold: int = 0) -> None:
        """A holder is done (``hold``: what its ``hold()`` returned): once none holds, what
        was held is delivered, in order, and deliveries go out at once again. Without
        ``hold``, every hold ends now (the session's end); a holder whose hold ended so
        tells nothing. What telling raises that is no ``Exception`` is raised once every
        event held is delivered: the session acted on them all. (A sync handler's
        ``SystemExit`` is not: the stream keeps it and ends the session, see ``stream``.)"""
        if hold:
            if hold != self._epoch or not self._holders:
                return  # its hold was ended for it
            self._holders -= 1
            if self._holders:
                return  # another still holds: it tells
        else:
            self._holders = 0
            self._epoch += 1
        held, self._held = self._held, None
        if held:
            self._tell_all(held)

    def _tell_all(self, held: list[tuple[Any, int, str | bytes | None]]) -> None:
        raised: BaseException | None = None
        for event, size, frame in held:
            try:
                self._tell(event, size, frame)
            except BaseException as exc:
                raised = raised or exc
        if raised is not None:
            raise raised

    def deliver(self, event: Any, size: int = 0, frame: str | bytes | None = None) -> None:
        """Hand ``event`` to each hook, then to the meter and the app, now or once the burst
        is answered (``hold``); then what the hooks returned (``size``: its frame's length, 0
        for the framework's own; ``frame``: the frame itself, which the stream may keep
        instead of the event)."""
        after = None
        for hook in self._hooks:
            after = _ask(hook, event, after)
        held = self._held
        if held is None:
            self._tell(event, size, frame)
        else:
            held.append((event, size, frame))
            if len(held) >= _MOST_HELD:  # a long burst: the app hears of it as it goes
                self._held = None  # (what telling them leads to is told at once, as ever)
                try:
                    self._tell_all(held)
                finally:  # the same hold goes on, whatever telling raised
                    if self._holders and self._held is None:
                        self._held = []
        for following in after or ():
            self.deliver(following)

    def _tell(self, event: Any, size: int, frame: str | bytes | None) -> None:
        after = _ask(self.meter.see, event, None) if self.meter is not None else None
        self.stream.deliver(event, size, frame)
        for following in after or ():
            self.deliver(following)


def _ask(hook: Observer, event: Any, after: list[Any] | None) -> list[Any] | None:
    """``hook``'s look at ``event``; what to deliver after it, added to ``after`` (a list
    made only when there is something: most events have nothing after them)."""
    try:
        more = hook(event)
    except Exception as exc:  # an observer's bug must never cost the session
        name = getattr(hook, "__qualname__", repr(hook))
        log.warning("%s failed on %s: %s", name, event.type, root_cause(exc))
        return after
    if more:
        after = [*(after or ()), *more]
    return after
