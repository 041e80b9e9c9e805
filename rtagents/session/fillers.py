"""Spoken asides while tools run, sans I/O: a tool's progress updates (``ctx.progress``) and
a batch's filler (``Agent.filler_after_ms``).

An aside is an out-of-band response (outside the conversation): it is never a batch's
answer, and the batch still gets exactly one request for that. The orchestrator owns the
turn-taking; this keeps the asides' own accounts and rules:

- An aside goes only when no response is active (in the conversation or out of band, the
  app's or ours) and no request of ours for one is unanswered; otherwise it waits.
- It waits in a queue of one: a later update replaces an earlier one (the latest is what is
  true now), and an update whose call finished first is dropped (the answer says more); one
  already asked for or speaking then is cancelled (``response.cancel``), at once or as it
  starts, so that the answer, which waits for its end, is not held up by it.
- While our aside is asked for or speaking, the batch's own request waits for its end (the
  answer is not spoken over the filler); the aside's start and end never free or answer it.
- A batch gets one filler at most, when one of its calls is still running
  ``filler_after_ms`` after the batch's response is done: the silence starts there (the
  model may still be speaking when a call starts). Its clock is a ``StartTimer`` the runner
  carries out; the rules are checked again when it fires. A progress update of one of the
  batch's calls, made before, stands for its filler. A barge-in stops every filler's clock:
  the silence it would fill is the user's turn now.
- Our aside's request is given up if the server neither starts it nor refuses it within
  ``ASIDE_ANSWER_S`` (a timer too): the batch's request, which waits for it, must not wait
  for ever on a reply that never comes.

A dropped connection ends every response on it, ours too: what was in flight is forgotten.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol

from .actions import CancelResponse, Decision, Emit, SayAside, StartTimer
from .events import ProgressDropped

DEFAULT_FILLER_INSTRUCTIONS = (
    "Tell the user, in a few words and in the language of the conversation, that you are "
    "still working on their request (for example: 'One moment, please.'). Do not answer the "
    "request, do not guess any result, and say nothing else."
)
"""What the model is told to say for a filler when the agent sets no ``filler_instructions``."""

ASIDE_ANSWER_S = 5.0
"""How long our aside's request may go unanswered (no ``response.created``, no error naming
it) before it is given up; read when the aside is asked for."""

_FILLER = "filler:"
_ASIDE = "aside:"
_REPLACED = "a later update replaced it"
_FINISHED = "the call finished first"
_CUT = "the call finished while it was asked for or spoken: cut off"
_INTERRUPTED = "the user took the turn"


def progress_instructions(text: str) -> str:
    """What the model is told to say for a progress update."""
    return (
        "Tell the user this short update on the work in progress, in one brief sentence and "
        "in the language of the conversation, and say nothing else (do not answer the "
        f"request yet): {text}"
    )


class Refs(Protocol):
    """Where the ids of what is sent come from (the orchestrator: passed as itself, so that
    a call's end makes no bound method)."""

    def next_ref(self) -> str: ...


@dataclass(frozen=True, slots=True)
class _Queued:
    kind: Literal["progress", "filler"]
    call_ids: tuple[str, ...]
    batch: str  # the response id of the batch
    text: str | None = None


class Fillers:
    """The asides of one session: their settings, the one waiting, ours in flight."""

    # Settings and scalars are class attributes until set (performance.md, "Density"): the
    # fillers of an idle session, or of an agent without any, keep none of them.
    after_ms: int | None = None
    instructions = DEFAULT_FILLER_INSTRUCTIONS
    _queued: _Queued | None = None
    _in_flight: str | None = None  # the ref of our aside's request, unanswered
    _speaking: str | None = None  # the response id of our aside, active
    _saying: str | None = None  # the call whose update that aside is
    _said = ""  # and the update's text
    # That call finished before the aside started (or the user took the turn: a reason
    # alone, nothing to report): cancelled then, and reported so.
    _stale: ProgressDropped | str | None = None

    def __init__(self) -> None:
        # Sets of ids kept as dicts (id -> None): a dict of strings is never tracked by the
        # collector, a set always is (three per session, in a server holding thousands).
        self._others: dict[str, None] = {}  # out-of-band responses not ours, active
        self._armed: dict[str, None] = {}  # batches whose filler's clock runs
        self._filled: dict[str, None] = {}  # armed batches a progress update stood for

    def configure(self, after_ms: int | None, instructions: str | None) -> None:
        """The agent's settings (``None``: no filler; the default instructions)."""
        self.after_ms = after_ms
        self.instructions = instructions or DEFAULT_FILLER_INSTRUCTIONS

    @property
    def busy(self) -> bool:
        """Our aside is asked for or speaking: the batch's request waits for its end."""
        return self._in_flight is not None or self._speaking is not None

    @property
    def quiet(self) -> bool:
        """No out-of-band response is active and none of ours is asked for."""
        return not self.busy and not self._others

    # -- what the server did -------------------------------------------------------------

    def started(self, response_id: str | None, *, ours: bool, refs: Refs) -> list[Decision]:
        """An out-of-band response started (``ours``: one of our asides); cancelled at once
        if it is an update whose call finished meanwhile (see ``call_done``)."""
        if ours:
            # (Without an id its end cannot be matched: waiting for it would hold the batch.)
            self._in_flight = None
            self._speaking = response_id
            stale, self._stale = self._stale, None
            if stale is not None and response_id is not None:  # (with no id, it plays on)
                told = [] if isinstance(stale, str) else [Emit(stale)]
                return [CancelResponse(refs.next_ref(), response_id), *told]
        elif response_id is not None:
            self._others[response_id] = None
        return []

    def ended(self, response_id: str | None) -> None:
        if response_id is None:
            return
        if response_id == self._speaking:
            self._speaking = self._saying = None
        self._others.pop(response_id, None)

    def refused(self, ref: str | None) -> bool:
        """True if ``ref`` was our aside's request (it is dropped: an aside is not retried)."""
        if ref is None or ref != self._in_flight:
            return False
        self._in_flight = self._saying = None
        self._stale = None
        return True

    def expired(self, key: str) -> bool:
        """The timer ``key`` fired: True if it gave up our aside's request, unanswered (a
        late start still counts as ours, see ``started``)."""
        if self._in_flight is None or key != _ASIDE + self._in_flight:
            return False
        self._in_flight = self._saying = None
        self._stale = None
        return True

    def disconnected(self) -> None:
        """Every response of the connection is over: ours, the app's, what we asked for."""
        self._in_flight = self._speaking = self._saying = None
        self._stale = None
        self._others.clear()

    # -- what the tools and the clock did -------------------------------------------------

    def arm(self, response_id: str | None, *, running: bool) -> list[Decision]:
        """The batch of ``response_id`` is done asking; ``running``: calls of it still run."""
        if self.after_ms is None or not running or response_id is None:
            return []
        self._armed[response_id] = None
        queued = self._queued
        if queued is not None and queued.kind == "progress" and queued.batch == response_id:
            self._filled[response_id] = None  # an update of the batch's waits: it stands for it
        return [StartTimer(_FILLER + response_id, self.after_ms / 1000)]

    def due(self, key: str, running: tuple[str, ...]) -> bool:
        """The timer ``key`` fired, the batch's calls ``running`` now: True if a filler is
        queued for it."""
        batch = key[len(_FILLER) :] if key.startswith(_FILLER) else None
        if batch is None or batch not in self._armed:
            return False
        self._armed.pop(batch, None)
        if batch in self._filled:
            self._filled.pop(batch, None)
            return False
        if not running or (self._queued is not None and self._queued.kind == "progress"):
            return False  # done, or an update waits to be spoken: it says more
        self._queued = _Queued("filler", running, batch)
        return True

    def progress(self, call_id: str, batch: str, text: str) -> list[Decision]:
        """A running call's update, queued (replacing the one waiting, which is reported)."""
        dropped = self._drop(_REPLACED) if self._queued is not None else []
        self._queued = _Queued("progress", (call_id,), batch, text)
        if batch in self._armed:
            self._filled[batch] = None
        return dropped

    def interrupted(self, refs: Refs) -> list[Decision]:
        """The user took the turn: our aside speaking is cancelled, one asked for is as it
        starts, the one waiting is dropped, and the fillers' clocks stop (none is said over
        the user: the silence a filler fills is over; the answer's end arms its own)."""
        decided = self._drop(_INTERRUPTED)
        self._armed.clear()
        self._filled.clear()
        if self._speaking is not None:
            decided.append(CancelResponse(refs.next_ref(), self._speaking))
        elif self._in_flight is not None and self._stale is None:
            self._stale = _INTERRUPTED  # cancelled as it starts, with nothing more to tell
        return decided

    def call_done(self, call_id: str, refs: Refs) -> list[Decision]:
        """A call has its output: its update still waiting is dropped, and the one asked for
        or speaking is cancelled (at once, or as it starts)."""
        queued = self._queued
        if queued is None and self._saying is None:
            return []  # most calls: no update is waiting, asked for or speaking
        decided: list[Decision] = []
        if queued is not None and queued.kind == "progress" and queued.call_ids == (call_id,):
            decided = self._drop(_FINISHED)
        if call_id == self._saying:
            self._saying = None
            cut = ProgressDropped(call_id, self._said, _CUT)
            if self._speaking is not None:
                decided += [CancelResponse(refs.next_ref(), self._speaking), Emit(cut)]
            elif self._in_flight is not None:
                self._stale = cut  # cancelled as it starts
        return decided

    # -- what goes out ----------------------------------------------------------------------

    def release(
        self, next_ref: Callable[[], str], running: Callable[[str], bool]
    ) -> list[Decision]:
        """The aside waiting, asked for now, if it still matters (``running``: whether a call
        still runs). The caller has checked that no response is active in the conversation
        and none of ours is asked for."""
        queued = self._queued
        if queued is None or not self.quiet:
            return []
        self._queued = None
        self._stale = None
        if queued.kind == "progress":  # (its call still runs: its end dropped it, see call_done)
            text = queued.text or ""
            self._saying, self._said = queued.call_ids[0], text
            ref = self._in_flight = next_ref()
            say = SayAside(ref, "progress", progress_instructions(text), queued.call_ids, text)
        else:
            still = tuple(c for c in queued.call_ids if running(c))
            if not still:
                return []  # the batch finished first: no filler
            self._saying = None
            ref = self._in_flight = next_ref()
            say = SayAside(ref, "filler", self.instructions, still, response_id=queued.batch)
        return [say, StartTimer(_ASIDE + ref, ASIDE_ANSWER_S)]

    def _drop(self, reason: str) -> list[Decision]:
        queued, self._queued = self._queued, None
        if queued is None or queued.kind != "progress":
            return []
        return [Emit(ProgressDropped(queued.call_ids[0], queued.text or "", reason))]
