"""The one place that turns an answer into a decision.

Every path that can approve (a rule, a handler's return value, ``session.approve``, a
remembered decision) ends here, so they cannot drift apart: only ``True`` or
``Decision(approve=True)`` (a real ``bool``) approves; anything else denies, saying why.
"""

from __future__ import annotations

from .._redact import redact
from ..errors import root_cause
from .request import DecidedBy, Decision, Remember

_SHAPE = "True, False or a Decision(approve=True|False)"


def verdict(answer: object, decided_by: DecidedBy) -> Decision:
    """``answer`` as a well-typed decision; a malformed answer is a deny by ``error``."""
    if isinstance(answer, Decision):
        if type(answer.approve) is bool:
            return Decision(
                answer.approve, _reason(answer.reason), _remember(answer.remember), decided_by
            )
        return refuse(
            f"the {decided_by} answered Decision(approve={show(answer.approve)}), and approve "
            f"must be True or False; only {_SHAPE} counts",
            "error",
        )
    if type(answer) is bool:
        return Decision(answer, decided_by=decided_by)
    return refuse(
        f"the {decided_by} answered {show(answer)}; only {_SHAPE} counts, so it was denied",
        "error",
    )


def refuse(reason: str, decided_by: DecidedBy) -> Decision:
    return Decision(False, reason, decided_by=decided_by)


def failure(exc: BaseException, limit: int) -> str:
    """What raised, as a reason says it (to the app, the model, a span): its root cause, its
    message in ``limit`` characters, a credential it quotes (a server echoing the key)
    masked. Masked, then cut: cut first, a secret across the cut would be shown in part."""
    name, _, message = root_cause(exc, limit + _SECRET_ROOM).partition(": ")
    message = redact(message)
    if len(message) > limit:
        message = message[: limit - 3] + "..."  # (as ``root_cause`` cuts)
    return f"{name}: {message}" if message else name


_SECRET_ROOM = 1024  # characters past the cut read for a secret that spans it


# Who said no, as the model reads it: it tells the user something true ("the policy does not
# allow refunds"), not "you declined" for a no the user never gave.
_DENIED_BY: dict[DecidedBy, str] = {
    "rule": "a rule of the approval policy denied it",
    "handler": "the agent's approval handler denied it",
    "user": "it was declined from outside the agent, by session.deny",
    "timeout": "nobody answered in time",
    "error": "the approval failed, so it was denied",
    "close": "the session was closing",
    "cancelled": "the call was cancelled before it was decided",
    "remembered": "an earlier decision in this session denied it",
}


def why_denied(decision: Decision) -> str:
    """What decided a denial, and its reason: the words every denial the model reads uses
    (a function or local MCP tool's output, a hosted MCP approval response's reason)."""
    who = _DENIED_BY.get(decision.decided_by, f"denied ({decision.decided_by})")
    return f"{who} ({decision.reason})" if decision.reason else who


def _reason(reason: object) -> str | None:
    return None if reason is None else reason if isinstance(reason, str) else show(reason)


def _remember(remember: object) -> Remember:
    return "session" if remember == "session" else "once"


def show(value: object, limit: int = 80) -> str:
    """A short repr that survives hostile objects (a raising or huge ``__repr__``)."""
    try:
        text = repr(value)
    except Exception:
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."
