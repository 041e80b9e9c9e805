"""The server's work that takes more than a moment, sans I/O: step generators (responses,
hosted MCP listings) run one step at a time, each waiting for the clock, for another job,
or for the answer to a request it made."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar

from .actions import Request
from .outbox import Pace, Steps, Until

log = logging.getLogger("rtagents.emulator")
T = TypeVar("T")


@dataclass
class _Job(Generic[T]):
    steps: Steps[None]
    owner: T | None  # what the job is for (a response), to find it again
    waiting: int | None = None  # the ticket of the request it waits on
    due_ms: float = 0.0  # paced: not before
    until: Callable[[], bool] | None = None  # not before this holds
    value: Any = None  # what to send in when it goes on
    request: Request | None = None  # what it waits on, as handed out (to ask again)


class Jobs(Generic[T]):
    """Runs jobs in the order they were added; hands out their requests with tickets."""

    def __init__(self, finished: Callable[[T], None]) -> None:
        self._jobs: list[_Job[T]] = []
        self._waiting: dict[int, _Job[T]] = {}
        self._tickets = itertools.count(1)
        self._finished = finished  # called with the owner of a job that ended
        self.requests: list[Request] = []
        """Requests made and not yet handed out."""

    def add(self, steps: Steps[None], owner: T | None = None) -> None:
        self._jobs.append(_Job(steps, owner))

    def step(self, now_ms: float) -> bool:
        """Move the first job that can go one step on; False when none can."""
        job = next((j for j in self._jobs if self._runnable(j, now_ms)), None)
        if job is None:
            return False
        self._go(job, now_ms)
        return True

    def step_owner(self, owner: T, now_ms: float) -> None:
        """One step of ``owner``'s job, now (its first events go out before anything else)."""
        job = next((j for j in self._jobs if j.owner is owner), None)
        if job is not None:
            self._go(job, now_ms)

    def resolve(self, ticket: int, answer: Any) -> None:
        job = self._waiting.pop(ticket, None)
        if job is not None:
            job.waiting, job.value = None, answer

    def stop_waiting(self, owner: T) -> None:
        """``owner``'s job goes on now, with no answer to what it waited for (a cancel)."""
        job = next((j for j in self._jobs if j.owner is owner), None)
        if job is not None and job.waiting is not None:
            self._waiting.pop(job.waiting, None)
            job.waiting, job.value = None, None

    def wake_at(self) -> list[float]:
        return [job.due_ms for job in self._jobs if job.waiting is None and job.due_ms]

    def ask_again(self, kinds: tuple[type, ...]) -> None:
        """The requests of ``kinds`` handed out and not answered, to be handed out again
        (under the same tickets: a late answer to the first is ignored). The connection that
        performed them left with them (a GPT-Live session's dropped connection): their jobs
        would otherwise wait for ever."""
        waiting = (job.request for job in self._waiting.values())
        again = [r for r in waiting if r is not None and isinstance(r, kinds)]
        self.requests = [r for r in self.requests if not isinstance(r, kinds)] + again

    def clear(self) -> None:
        self._jobs.clear()
        self._waiting.clear()
        self.requests.clear()

    def _runnable(self, job: _Job[T], now_ms: float) -> bool:
        if job.waiting is not None or job.due_ms > now_ms:
            return False
        if job.until is not None:
            if not job.until():
                return False
            job.until = None
        return True

    def _go(self, job: _Job[T], now_ms: float) -> None:
        """Send in what the job waited for; take what it yields."""
        value, job.value = job.value, None
        try:
            if isinstance(value, BaseException):
                step = job.steps.throw(value)
            else:
                step = job.steps.send(value)
        except StopIteration:
            self._end(job)
            return
        except Exception:  # a bug in the emulator: the job ends, the session goes on
            log.exception("emulator job failed")
            self._end(job)
            return
        if isinstance(step, Pace):
            job.due_ms = now_ms + step.after_ms
        elif isinstance(step, Until):
            job.until = step.ready
        elif step is not None:
            ticket = next(self._tickets)
            job.waiting = ticket
            self._waiting[ticket] = job
            job.request = replace(step, ticket=ticket)
            self.requests.append(job.request)

    def _end(self, job: _Job[T]) -> None:
        self._jobs.remove(job)
        if job.owner is not None:
            self._finished(job.owner)
