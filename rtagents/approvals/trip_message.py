"""What the model is told of a guardrail's trip: the default line, the app's template, or
what the app's hook answers (``Guardrails.message``); never an error in its place."""

from __future__ import annotations

import inspect
from typing import Any

from .guardrails import INPUT_MESSAGE, OUTPUT_MESSAGE, Guardrails, GuardrailTrip
from .verdict import show

_UNASKED: Any = object()


def message_for(
    guardrails: Guardrails, trip: GuardrailTrip, answered: Any = _UNASKED
) -> tuple[str | None, str | None]:
    """What the model is told of ``trip``, and a problem with the app's hook if it had one.
    A hook or template that raises (anything: a template's attribute typo raises
    ``AttributeError``), or a hook that answers something other than a ``str`` or ``None``,
    is replaced by the default line: the model is still told. Never raises. ``answered``:
    what an async hook gave (awaited by the session), or the exception it raised."""
    default = OUTPUT_MESSAGE if trip.kind == "output" else INPUT_MESSAGE
    shape = guardrails.message
    if callable(shape):
        try:
            text = shape(trip) if answered is _UNASKED else answered
        except Exception as exc:
            text = exc
        if isinstance(text, BaseException):
            return _fill(default, trip), f"the guardrail message hook raised {show(text, 120)}"
        if text is None or isinstance(text, str):
            return text, None
        if inspect.iscoroutine(text):  # (a sync hook that returned one: never awaited here)
            text.close()
        return _fill(default, trip), f"the guardrail message hook answered {show(text)}"
    try:
        return _fill(shape if isinstance(shape, str) else default, trip), None
    except Exception as exc:
        return _fill(default, trip), f"the guardrail message template failed: {show(exc, 120)}"


def _fill(template: str, trip: GuardrailTrip) -> str:
    return template.format(guardrail=trip.guardrail, reason=trip.reason, kind=trip.kind)
