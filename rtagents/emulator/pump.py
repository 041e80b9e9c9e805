"""The order a server core's actions go out in, sans I/O: shared by the Realtime core and the
GPT-Live core, which differ in what they decide, not in how it leaves.

One action at a time: what ends the connection first (a fault that fired, a drop), then the
requests the core's work made (the model, a hosted MCP server), then the next server event
(once any injected latency has passed), and only when nothing waits, one more step of the
core's work. The faults are counted here, on the events as they go out, and the timed ones
fire from here as the clock moves.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from ..protocol import WireModel
from .actions import CONNECTION_BOUND, Disconnect, Send, ServerAction
from .faults import DropConnection, ExpireSession, Fault, FaultPlan
from .jobs import Jobs
from .outbox import Outbox

T = TypeVar("T")


def own_type(event: WireModel) -> Sequence[str]:
    """The type a fault counts a server event as: its own."""
    return (str(getattr(event, "type", "")),)


class Pump(Generic[T]):
    """Hands out one core's actions (see the module's docstring)."""

    def __init__(
        self,
        out: Outbox,
        jobs: Jobs[T],
        *,
        started_ms: float,
        expire: Callable[[], list[ServerAction]],
        kinds: Callable[[WireModel], Sequence[str]] = own_type,
    ) -> None:
        self.out = out
        self.jobs = jobs
        self.faults = FaultPlan(())
        self.closed = False
        """Whether the connection is over (handed out its end, or the client left)."""
        self.loses_work = False
        """Whether the work under way goes with the connection (``DropConnection``'s)."""
        self._started_ms = started_ms
        self._expire = expire  # what the session's time cap sends, and the close after it
        self._kinds = kinds  # the types a fault counts an event as
        self._timed: list[tuple[float, DropConnection | ExpireSession]] = []
        self._ending: list[ServerAction] = []  # what ends the connection, before all else
        self._head_due: float | None = None  # when the next event may go (latency faults)

    @property
    def ending(self) -> bool:
        """Whether the connection is over or its end is decided: a client frame that comes
        now is never handled (a dropped connection takes what follows with it)."""
        return self.closed or bool(self._ending)

    def add_fault(self, fault: Fault) -> None:
        """Inject a fault from now on (time faults count from the connection's start)."""
        self.faults.add(fault)
        if isinstance(fault, (DropConnection, ExpireSession)) and fault.at_s is not None:
            self._timed.append((self._started_ms + fault.at_s * 1000, fault))

    def retime(self, fault: DropConnection | ExpireSession, at_s: float) -> None:
        """``fault`` (given to ``add_fault``) fires ``at_s`` seconds after the connection's
        start instead."""
        self._timed = [(due, f) for due, f in self._timed if f is not fault]
        self._timed.append((self._started_ms + at_s * 1000, fault))

    def reopen(self, now_ms: float) -> None:
        """A new connection carries on this core's work (a GPT-Live session attached to
        again): the old one's end and faults are gone, the time faults count from ``now_ms``,
        and the requests it left unanswered with its own clients are handed out again (see
        ``CONNECTION_BOUND``). What was queued and not sent goes out on the new one."""
        self.closed = self.loses_work = False
        self.faults, self._timed, self._ending = FaultPlan(()), [], []
        self._started_ms, self._head_due = now_ms, None
        self.jobs.ask_again(CONNECTION_BOUND)

    def advance(self, now_ms: float) -> None:
        """Fire the timed faults that are due."""
        for due, fault in [t for t in self._timed if t[0] <= now_ms]:
            self._timed.remove((due, fault))
            self.end(fault)

    def end(self, fault: DropConnection | ExpireSession) -> None:
        """An ending fault fired: a drop right now, or the time cap's events and close."""
        if isinstance(fault, DropConnection):
            self._ending = [Disconnect(fault.code, fault.reason, fault.reset)]
            self.loses_work = fault.loses_work
        else:
            self._ending = self._expire()

    def drop(self, code: int, reason: str) -> None:
        """End the connection abruptly, as a crashing server would."""
        self._ending = [Disconnect(code, reason)]

    def next_action(self, now_ms: float) -> ServerAction | None:
        """The next thing to do, or ``None`` until more input or time."""
        while not self.closed:
            if self._ending:
                action = self._ending.pop(0)
                self.closed = isinstance(action, Disconnect)
                return action
            if self.jobs.requests:
                return self.jobs.requests.pop(0)
            head = self.out.peek()
            if isinstance(head, Disconnect):
                self.out.pop()
                self.closed = True
                return head
            if head is not None:
                if self._head_due is None:
                    self._head_due = now_ms + self.faults.delay_ms()
                if self._head_due > now_ms:
                    return None
                self._head_due = None
                self.out.pop()
                for kind in self._kinds(head):
                    ending = self.faults.sent(kind)
                    if ending is not None:
                        self.end(ending)
                return Send(head)  # type: ignore[arg-type]
            if not self.jobs.step(now_ms):
                return None
        return None

    def wake_times(self) -> list[float]:
        """When the pump has something to do next on its own (timed faults, jobs, latency)."""
        times = [due for due, _ in self._timed]
        times += self.jobs.wake_at()
        if self._head_due is not None:
            times.append(self._head_due)
        return times
