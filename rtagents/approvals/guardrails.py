"""``Guardrails``: checks of what is said, beside the approval policy that checks what is done.

An output guardrail reads the assistant's transcript as it streams; an input guardrail reads
what the user said (a transcript) or typed. Each answers with a ``GuardrailResult``, and as
with approvals only an explicit, well-typed answer counts: ``PASS`` (or
``GuardrailResult(tripped=False)``) passes; ``Trip("why")`` trips, and so does everything
else (a ``bool``, ``None``, a raise, no answer within ``timeout``). What a trip does is the
session's (``rtagents.session.guards``); what counts as a trip is decided in ``guarding``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Final, Literal, Union

from .._seconds import check_seconds

GuardrailKind = Literal["input", "output"]


@dataclass(frozen=True)
class GuardrailResult:
    """A guardrail's answer: ``tripped`` must be a real ``bool``; ``reason`` is told to the
    model (and in the ``guardrail.tripped`` event) when it trips."""

    tripped: bool
    reason: str | None = None


class Trip(GuardrailResult):
    """A guardrail's "stop": ``return Trip("promised a refund")``."""

    def __init__(self, reason: str) -> None:
        super().__init__(True, reason)


PASS: Final = GuardrailResult(tripped=False)
"""A guardrail's "go on": the one answer (with ``GuardrailResult(tripped=False)``) that passes."""

CheckResult = Union[GuardrailResult, Awaitable[GuardrailResult]]
Check = Callable[[str], CheckResult]
"""A guardrail's function: given the text so far, sync or async, it answers a result."""


@dataclass(frozen=True)
class Guardrail:
    """A check with a name (events and spans say which guardrail tripped). A plain function
    in ``Guardrails`` becomes one named after it; wrap a lambda to name it."""

    check: Check
    name: str

    def __post_init__(self) -> None:
        if not callable(self.check):
            raise TypeError(f"guardrail {self.name!r}: its check must be callable")


@dataclass(frozen=True)
class GuardrailTrip:
    """One trip, as the message hook (``Guardrails.message``) is given it."""

    guardrail: str
    kind: GuardrailKind
    reason: str
    decided_by: Literal["guardrail", "error", "timeout"]
    """``guardrail``: it answered ``Trip``; ``error``: it raised or answered something other
    than a ``GuardrailResult``; ``timeout``: it did not answer within ``timeout``."""
    item_id: str | None
    text: str
    """The text it was given."""


MessageHook = Callable[[GuardrailTrip], Union[str, Awaitable[Union[str, None]], None]]
"""``Guardrails.message`` as a function, sync or async: the text the model is told (``None``:
nothing). It runs once the trip has acted (an async one within the guardrails' timeout)."""

OUTPUT_MESSAGE: Final = "Your last answer was stopped by a guardrail ({guardrail}): {reason}"
INPUT_MESSAGE: Final = (
    "The user's last message was not answered; a guardrail ({guardrail}) stopped it: {reason}"
)


class Guardrails:
    """Input and output guardrails of an agent: ``Agent(guardrails=Guardrails(...))``.

    Output guardrails run on the assistant's transcript while it streams, at most once per
    ``every_chars`` characters or ``every_ms`` milliseconds of new text (whichever comes
    first) and once more when the item ends, each time with the text so far. Input
    guardrails run once on each user message: the transcript of what was said, or the text
    the app sent. Both run as tasks (a sync one in a worker thread of its own): the
    conversation and its tool calls go on meanwhile.

    A trip cancels the response if it is still active, cuts the assistant's audio at what
    the player played, and tells the model with a message item (``message``, as ``role``).
    No new response follows unless ``respond`` is set: the user's next turn does.

    Args:
        output: Checks of the assistant's transcript (functions or ``Guardrail``).
        input: Checks of what the user said or typed.
        timeout: Seconds a check may take; one that takes longer trips (``timeout``).
        every_chars: New characters of an answer that call for another check.
        every_ms: Milliseconds after which new text calls for another check.
        message: What the model is told: a template (``{guardrail}``, ``{reason}``,
            ``{kind}``) or a function of the ``GuardrailTrip``, sync or async (``None``:
            tell nothing).
            By default a line for output trips and one for input trips.
        role: The role of that message item.
        respond: Ask for a new response after telling the model (when none is active).
    """

    def __init__(
        self,
        output: Sequence[Check | Guardrail] = (),
        input: Sequence[Check | Guardrail] = (),
        *,
        timeout: float = 5.0,
        every_chars: int = 40,
        every_ms: int = 300,
        message: str | MessageHook | None = None,
        role: Literal["system", "user"] = "system",
        respond: bool = False,
    ) -> None:
        check_seconds(timeout, "Guardrails: timeout")
        for side, checks in (("output", output), ("input", input)):
            if isinstance(checks, str) or not isinstance(checks, Sequence):  # (one check)
                raise TypeError(
                    f"Guardrails: {side} takes a list ({side}=[...]), not {type(checks).__name__}"
                )
        whole = all(type(n) is int for n in (every_chars, every_ms))  # (no bool, no "40")
        if not whole or every_chars < 1 or every_ms < 0:
            raise ValueError(
                "Guardrails: every_chars must be a whole number, at least 1, and every_ms "
                f"one not negative; got every_chars={every_chars!r}, every_ms={every_ms!r}"
            )
        if role not in ("system", "user"):
            raise ValueError(f"Guardrails: role must be 'system' or 'user', not {role!r}")
        if message is not None and not (isinstance(message, str) or callable(message)):
            raise TypeError("Guardrails: message must be a template string or a function")
        self.output = [_named(check) for check in output]
        self.input = [_named(check) for check in input]
        self.timeout = timeout
        self.every_chars = every_chars
        self.every_ms = every_ms
        self.message = message
        self.role = role
        self.respond = respond

    def __bool__(self) -> bool:
        return bool(self.output or self.input)

    def __repr__(self) -> str:
        names = [g.name for g in self.output], [g.name for g in self.input]
        return f"Guardrails(output={names[0]}, input={names[1]}, timeout={self.timeout:g})"


def _named(check: Check | Guardrail) -> Guardrail:
    if isinstance(check, Guardrail):
        return check
    if not callable(check):
        raise TypeError(f"{check!r} is not a guardrail: give a function or a Guardrail")
    name = getattr(check, "__name__", None) or type(check).__name__
    return Guardrail(check, name)
