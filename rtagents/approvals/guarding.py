"""The guardrails' decisions, sans I/O: what counts as a trip, when a check is due, which
response a trip stops, and what the model is told. Time comes in as numbers (``now_ms``);
nothing here awaits, sleeps or sends. The session (``rtagents.session.guards``) runs the
checks and carries out what is decided here.

Fail closed: only a ``GuardrailResult`` whose ``tripped`` is the bool ``False`` passes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from .guardrails import (
    GuardrailKind,
    GuardrailResult,
)
from .verdict import failure, show

DecidedBy = Literal["guardrail", "error", "timeout"]


@dataclass(frozen=True)
class Verdict:
    """A guardrail's answer, judged: ``passed`` only for an explicit, well-typed pass."""

    passed: bool
    reason: str
    decided_by: DecidedBy


_SHAPE = "PASS, GuardrailResult(tripped=False) or Trip(reason)"


def judge(answer: object) -> Verdict:
    """``answer`` as a verdict: anything but a well-typed ``GuardrailResult`` trips."""
    if isinstance(answer, GuardrailResult):
        tripped = answer.tripped
        if type(tripped) is not bool:
            return Verdict(
                False,
                f"it answered GuardrailResult(tripped={show(tripped)}); tripped must be "
                f"True or False, so it counts as a trip",
                "error",
            )
        if not tripped:
            return Verdict(True, "", "guardrail")
        reason = answer.reason if isinstance(answer.reason, str) and answer.reason else None
        return Verdict(False, reason or "no reason given", "guardrail")
    return Verdict(
        False,
        f"it answered {show(answer)}; only {_SHAPE} counts, so it counts as a trip",
        "error",
    )


def raised(exc: BaseException) -> Verdict:
    """A guardrail that raised trips (fail closed), whatever its exception says or fails to."""
    return Verdict(False, f"it raised {failure(exc, 120)}", "error")


def timed_out(timeout: float) -> Verdict:
    """A guardrail that did not answer in time trips."""
    return Verdict(False, f"it did not answer within {timeout:g} s", "timeout")


@dataclass(frozen=True)
class Check:
    """Run the guardrails of ``kind`` on ``text`` (of the item or stream ``key``), those of
    ``of``: the guardrails in force when the stream began (an answer begun before a handoff
    is its leaving agent's, also in a check that comes due after it)."""

    kind: GuardrailKind
    key: str
    text: str
    final: bool
    of: Any = None
    cuts: dict[int, int] | None = None
    """Where each guardrail that tripped on this stream reads from (GPT-Live's, re-armed),
    by the guardrail's ``id`` (a guardrail need not be hashable; the stream's guardrails
    keep it alive): after the text of the check it tripped on. The others read all of it."""

    unreadable: str | None = None
    """Why there is no text to read (the server could not transcribe the user's speech):
    every guardrail of the check trips on it, as one that cannot answer does."""

    def text_for(self, guardrail: Any) -> str:
        """The text ``guardrail`` reads in this check."""
        return self.text[self.cuts.get(id(guardrail), 0) :] if self.cuts else self.text


@dataclass
class _Stream:
    """One item's text as it streams, and where its checks are."""

    kind: GuardrailKind = "output"  # which guardrails read it: the answer's, or the user's
    text: str = ""
    checked: int = 0  # the length of the text the last check was given
    last_ms: float = 0.0  # when the last check started (or the stream did)
    running: Check | None = None  # the check that runs now
    ended: bool = False
    owner: str | None = None  # the response active when it began
    guardrails: Any = None  # those in force when it began (``GuardCore.current``)
    cuts: dict[int, int] | None = None  # see ``Check.cuts``


@dataclass
class _Turn:
    """The user's latest message, and the responses that answer it."""

    item_id: str | None = None
    # Its answer: every response in the conversation since it, until an input trip (the
    # first, and those that answer its tool calls), with their assistant items (audio may
    # play on after its response ended). Sets, as dicts: kept in order.
    answers: dict[str, None] = field(default_factory=dict)
    items: dict[str, None] = field(default_factory=dict)
    stopped: bool = False  # an input trip acted on it: a later response is not its answer
    hold: bool = False  # its answer was not running when it tripped: cancel it as it starts


@dataclass(frozen=True)
class InputStop:
    """What an input trip on the user's latest message stops."""

    cancel: str | None
    """The response to cancel now: its answer, while active."""
    answers: tuple[str, ...]
    """The responses of its answer so far: their calls still running are cancelled, and no
    response is asked for their batches."""
    items: tuple[str, ...]
    """Their assistant items: the audio of one may still be playing."""


@dataclass
class GuardCore:
    """The guardrails' state in one session: streams debounced, trips once per item, and
    which response each stops."""

    every_chars: int
    every_ms: int
    current: Any = None
    """The guardrails in force (set by ``use``, as the session's agent changes): a stream's
    and a whole message's checks are those in force when it began."""
    unseen: str | None = None  # the response under way when guarding began (see owner)
    # What tripped, and the messages checked whole: the latest (dicts: the oldest go first).
    _tripped: dict[str, None] = field(default_factory=dict)
    # Tripped, guarded afresh soon: the guardrails that tripped on the check.
    _rearmed: dict[str, list[Any]] = field(default_factory=dict)
    _seen: dict[str, None] = field(default_factory=dict)
    _given: dict[str, Any] = field(default_factory=dict)  # user message: guardrails when added
    _streams: dict[str, _Stream] = field(default_factory=dict)
    # The responses under way, each with the guardrails in force as it began: its items'
    # (an answer begun before a switch is checked by those it began under, to its end).
    _active: dict[str, Any] = field(default_factory=dict)
    _owners: dict[str, str] = field(default_factory=dict)
    _turn: _Turn = field(default_factory=_Turn)

    # -- streams (the assistant's answer; GPT-Live's transcripts) --------------------------

    def heard(self, kind: GuardrailKind, key: str, delta: str, now_ms: float) -> Check | None:
        """More text of ``key``: a check if one is due (none runs, and ``every_chars`` new
        characters or ``every_ms`` milliseconds have passed since the last)."""
        if key in self._tripped and key not in self._rearmed:
            return None
        stream = self._streams.get(key) or self._begin(kind, key, now_ms)
        stream.text += delta
        if key in self._tripped:
            return None  # kept for the check after the trip's (see ``rearm``)
        if stream.running is not None or not self._due(stream, now_ms):
            return None
        return self._start(kind, key, stream, now_ms)

    def ended(
        self, kind: GuardrailKind, key: str, now_ms: float, whole: str | None = None
    ) -> Check | None:
        """``key`` is complete: one last check of what no check has read yet. ``whole``:
        its whole text, when the item says it (deltas may have been missed: a sideband's
        drop, a server that sends none), read if it holds more than the deltas did."""
        stream = self._streams.get(key)
        if key in self._tripped:
            if key in self._rearmed and stream is not None:
                stream.ended = True  # its last check follows the trip's (see ``checked``)
            return None
        if stream is None and not whole:
            return None
        if stream is None:  # (none of its deltas came; its clock is never read)
            stream = self._begin(kind, key, now_ms)
        if whole and len(whole) > len(stream.text):
            stream.text = whole
        stream.ended = True
        if stream.running is not None:
            return None  # its end is checked when the running check finishes
        if len(stream.text) > stream.checked:
            return self._last(kind, key, stream)
        del self._streams[key]
        return None

    def checked(self, check: Check, now_ms: float) -> Check | None:
        """A check of a stream finished (whatever its verdict): the next one, if due."""
        stream = self._streams.get(check.key)
        if stream is None:
            return None
        stream.running = None
        if check.key in self._tripped:
            if check.key not in self._rearmed:  # over: what is said after is not checked
                del self._streams[check.key]
                return None
            # Guarded afresh: each guardrail that tripped reads what its check did not, the
            # others all of it (text said across the cut is read whole).
            cuts = dict(stream.cuts or {})
            for guardrail in self._rearmed.pop(check.key):
                cuts[id(guardrail)] = len(check.text)
            del self._tripped[check.key]
            stream.cuts = cuts
        if stream.ended:
            if len(stream.text) > stream.checked:
                return self._last(check.kind, check.key, stream)
            del self._streams[check.key]
            return None
        if self._due(stream, now_ms):
            return self._start(check.kind, check.key, stream, now_ms)
        return None

    def whole(self, kind: GuardrailKind, key: str, text: str) -> Check | None:
        """A complete message (a user transcript, typed text): checked once per item."""
        if key in self._seen or key in self._tripped:
            return None
        _note(self._seen, key)
        given = self._given.get(key)  # those in force when the message was added
        return Check(
            kind, key, text, final=True, of=given if _checks(given, kind) else self.current
        )

    def trail_in(self, key: str, now_ms: float) -> float | None:
        """Milliseconds until the text of ``key`` no check has read is due one by time alone
        (``every_ms`` after the last check), if it has such text, no check runs and it has
        not tripped: a burst's tail has no later delta to trigger its check."""
        stream = self._streams.get(key)
        if stream is None or stream.running is not None or key in self._tripped:
            return None
        if len(stream.text) <= stream.checked:
            return None
        return max(0.0, stream.last_ms + self.every_ms - now_ms)

    def trail(self, kind: GuardrailKind, key: str, now_ms: float) -> Check | None:
        """The check ``trail_in`` said was coming, if it is still due (no delta started one)."""
        stream = self._streams.get(key)
        if stream is None or stream.running is not None or key in self._tripped:
            return None
        return self._start(kind, key, stream, now_ms) if self._due(stream, now_ms) else None

    def use(self, guardrails: Any) -> list[tuple[GuardrailKind, str]]:
        """``guardrails`` are in force from now (the session's agent changed). A stream
        whose own have no checks of its kind is theirs, all of it (none read any of it): the
        streams taken so, each due a check by time (``trail_in``), also when the switch came
        after its last delta and no delta is to come."""
        if guardrails is self.current:
            return []
        self.current = guardrails
        return [(s.kind, key) for key, s in self._streams.items() if self._adopt(s)]

    def _begin(self, kind: GuardrailKind, key: str, now_ms: float) -> _Stream:
        """The stream of ``key``, begun: its response's (the one its item was added to, or
        the one under way when guarding began), guarded by those in force as that began."""
        owner = self._owners.pop(key, None) or self.unseen
        guardrails = self._active.get(owner) if owner is not None else None
        stream = _Stream(kind, last_ms=now_ms, owner=owner, guardrails=guardrails)
        self._adopt(stream)
        self._streams[key] = stream
        return stream

    def _adopt(self, stream: _Stream) -> bool:
        """Whether the guardrails in force take ``stream`` over: its own have no checks of
        its kind, and they have (a GPT-Live turn after a switch; an answer begun under an
        agent without them). What it said so far is then unread."""
        if _checks(stream.guardrails, stream.kind) or not _checks(self.current, stream.kind):
            return False
        stream.guardrails = self.current
        stream.checked = 0
        return True

    def _due(self, stream: _Stream, now_ms: float) -> bool:
        fresh = len(stream.text) - stream.checked
        if fresh <= 0:
            return False
        return fresh >= self.every_chars or now_ms - stream.last_ms >= self.every_ms

    def _start(self, kind: GuardrailKind, key: str, stream: _Stream, now_ms: float) -> Check:
        stream.last_ms = now_ms
        return self._last(kind, key, stream, final=False)

    def _last(self, kind: GuardrailKind, key: str, stream: _Stream, *, final: bool = True) -> Check:
        """A check of all the text so far (the last of an item that ended, by default)."""
        check = Check(kind, key, stream.text, final, stream.guardrails, stream.cuts)
        stream.running = check
        stream.checked = len(stream.text)
        return check

    # -- trips ------------------------------------------------------------------------------

    def trip(self, key: str) -> bool:
        """True the first time ``key`` trips: only that trip acts (the rest are recorded)."""
        if key in self._tripped:
            return False
        _note(self._tripped, key)
        return True

    def rearm(self, key: str, guardrail: Any) -> None:
        """Guard ``key`` afresh once the check ``guardrail`` tripped on is done (a stream
        with no items, GPT-Live's): that guardrail reads on from what the check did not
        (said meanwhile or after), as does another that trips on the same check (whose trip
        is recorded only)."""
        if key in self._tripped:
            _note(self._rearmed, key, [*self._rearmed.get(key, ()), guardrail])

    def dropped(self) -> None:
        """The connection dropped, and the next is a new server session (the Realtime
        API's): its responses and their streams are over, unchecked further."""
        self._streams.clear()
        self._active.clear()
        self._owners.clear()

    def item_added(self, item_id: str, response_id: str) -> None:
        """An output item of ``response_id`` began: its text is that response's."""
        if response_id in self._active:
            self._owners[item_id] = response_id
        if response_id in self._turn.answers:
            self._turn.items[item_id] = None

    def owner(self, key: str) -> str | None:
        """The response ``key``'s text belongs to, if it is still active."""
        stream = self._streams.get(key)
        owner = stream.owner if stream is not None else None
        return owner if owner in self._active else None

    # -- responses and turns ----------------------------------------------------------------

    def user_item(self, item_id: str) -> None:
        """The user's message ``item_id`` was added: it is the turn from here."""
        _note(self._given, item_id, self.current)
        if item_id != self._turn.item_id:
            self._turn = _Turn(item_id)

    def response_started(
        self, response_id: str, *, in_conversation: bool, asked_by_a_trip: bool = False
    ) -> bool:
        """A response began; True when it must be cancelled at once (and its batch blocked):
        it answers a turn an input guardrail already stopped. ``asked_by_a_trip``: the one a
        trip asked for (``Guardrails.respond``), never held, and the hold ends with it."""
        self._active[response_id] = self.current
        turn = self._turn
        if asked_by_a_trip:
            turn.hold = False  # what comes after it answers it, not the stopped turn
            return False
        if not in_conversation or turn.item_id is None or (turn.stopped and not turn.hold):
            return False
        turn.answers[response_id] = None
        held, turn.hold = turn.hold, False  # one response only: the note's own is not held
        return held

    def response_ended(self, response_id: str) -> None:
        self._active.pop(response_id, None)
        for key in [k for k, owner in self._owners.items() if owner == response_id]:
            del self._owners[key]  # items that never spoke

    def input_stops(self, item_id: str, *, asked: bool) -> InputStop | None:
        """An input guardrail tripped on the user's message ``item_id``: what of its answer
        to stop (``None`` once the user has spoken since; the model is still told). When no
        response of it is active and one is still to come (none has begun, or ``asked``: a
        response was asked for, to answer its tool calls), that one is cancelled as it
        starts (see ``response_started``)."""
        turn = self._turn
        if item_id != turn.item_id:
            return None
        turn.stopped = True
        active = [r for r in turn.answers if r in self._active]
        turn.hold = not active and (asked or not turn.answers)
        cancel = active[-1] if active else None
        return InputStop(cancel, tuple(turn.answers), tuple(turn.items))


_KEPT = 256
"""How many tripped items and whole messages a session remembers: far more than can still be
in flight (a late transcript of an earlier message), never one per message of a long session."""


def _note(seen: dict[str, Any], key: str, value: Any = None) -> None:
    seen[key] = value
    if len(seen) > _KEPT:
        del seen[next(iter(seen))]


def _checks(guardrails: Any, kind: GuardrailKind) -> bool:
    """Whether ``guardrails`` has checks of ``kind`` to run."""
    return guardrails is not None and bool(getattr(guardrails, kind))
