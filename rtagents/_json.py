"""Reading and showing tool arguments: one way everywhere (calls, approvals, logs, tests)."""

from __future__ import annotations

import json
from typing import Any


class ArgumentsError(ValueError):
    """Arguments that are not one JSON object this process can read."""


def parse_object(text: str, *, strict: bool = False) -> dict[str, Any]:
    """The JSON object in ``text`` (empty text is ``{}``), or ``ArgumentsError``.

    Nesting too deep for the parser is an error like any other: it must never escape as a
    ``RecursionError`` into the task that read the frame. ``strict``: for text another
    parser reads after us (a hosted MCP call's arguments, which the server hands on), what
    parsers read differently is an error too: a key given twice (one keeps the first value,
    another the last), ``NaN`` and ``Infinity`` (not JSON at all).
    """
    try:
        if strict:
            value = json.loads(text or "{}", object_pairs_hook=_unique, parse_constant=_no_constant)
        else:
            value = json.loads(text or "{}")
    except RecursionError:
        raise ArgumentsError("the arguments are nested too deeply") from None
    except ValueError as exc:
        raise ArgumentsError(f"the arguments are not valid JSON ({exc})") from None
    if not isinstance(value, dict):
        raise ArgumentsError(f"the arguments are a JSON {type(value).__name__}, not an object")
    return value


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for key, item in pairs:
        if key in value:
            raise ValueError(f"the key {key!r} is given twice")
        value[key] = item
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def json_object(text: str) -> dict[str, Any]:
    """The JSON object in ``text``, for showing. What is not one is kept, not lost: invalid
    JSON (or JSON too deep to read) as ``{"_raw": text}``, another value as ``{"_value": value}``."""
    try:
        value = json.loads(text or "{}")
    except (ValueError, RecursionError):
        return {"_raw": text}
    return value if isinstance(value, dict) else {"_value": value}


def _key(key: Any) -> str:
    return key if isinstance(key, str) and key.isidentifier() and key.isascii() else repr(key)


def shown_name(name: str) -> str:
    """A tool's name or a server's label as a person is shown it: as it is when it is one
    word of printable characters (``user-profile/update``, ``météo``), else quoted (control
    characters, a terminal's escape codes, bidi overrides, spaces), so that what a person
    approves is what runs. A hosted tool's name and label are what the server says."""
    plain = name.isprintable() and name and not any(c.isspace() for c in name)
    return name if plain else repr(name)


def format_arguments(arguments: dict[str, Any]) -> str:
    """``to='ann', amount=5``: arguments as a person reads a call."""
    try:
        # A key shown as it is only when it is a name: any other (control characters, a
        # terminal's escape codes) is quoted, so that what a person approves is what runs.
        return ", ".join(f"{_key(key)}={value!r}" for key, value in arguments.items())
    except RecursionError:
        return "(arguments nested too deeply to show)"
