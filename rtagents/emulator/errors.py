"""Errors the emulator answers a client event with (an ``error`` event, never a crash)."""

from __future__ import annotations

import json
from typing import Any

from ..errors import ProtocolError


class ClientEventError(Exception):
    """What went wrong with a client event: becomes an ``error`` server event."""

    def __init__(
        self,
        message: str,
        *,
        code: str,
        param: str | None = None,
        type: str = "invalid_request_error",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.param = param
        self.type = type


def schema_error(exc: ProtocolError) -> ClientEventError:
    """A client event that breaks its schema (``exc``), worded as the server words it."""
    if exc.missing:
        return ClientEventError(
            f"Missing required parameter: '{exc.param}'.",
            code="missing_required_parameter",
            param=exc.param,
        )
    return ClientEventError(f"Invalid event: {exc}", code="invalid_value", param=exc.param)


MAX_DEPTH = 128
"""How deeply a client event's JSON may nest: far past any real event (a tool's parameter
schema included), and short of where reading or writing it again would recurse too deep."""


def read_frame(frame: str | bytes) -> dict[str, Any]:
    """A client frame as the JSON object every client event is (``invalid_json`` if not)."""
    try:
        raw = json.loads(frame)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ClientEventError(f"The frame is not valid JSON: {exc}", code="invalid_json") from None
    if not isinstance(raw, dict):
        raise ClientEventError("A client event must be a JSON object.", code="invalid_json")
    text = frame.decode("utf-8", "replace") if isinstance(frame, (bytes, bytearray)) else frame
    if ("\\ud" in text or "\\uD" in text) and _lone_surrogate(raw):  # (cheap to look for)
        # Python's parser takes "\ud800" alone; a strict one (the API's) refuses it, and no
        # text holding one can be sent back (an error quoting it, an item echoed).
        raise ClientEventError(
            "The frame is not valid JSON: it escapes a lone surrogate, no Unicode character.",
            code="invalid_json",
        )
    return raw


def _lone_surrogate(raw: dict[str, Any]) -> bool:
    try:
        json.dumps(raw, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def check_depth(raw: dict[str, Any]) -> None:
    """Refuse a client event that nests deeper than ``MAX_DEPTH`` levels."""
    if _depth(raw) > MAX_DEPTH:
        raise ClientEventError(
            f"The event nests deeper than {MAX_DEPTH} levels.", code="invalid_value"
        )


def _depth(value: Any) -> int:
    """How deeply ``value`` nests (a scalar: 0), without recursing."""
    deepest, level = 0, [(value, 1)]
    while level:
        node, depth = level.pop()
        children = node.values() if isinstance(node, dict) else node
        if isinstance(node, (dict, list)):
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                return deepest
            level.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))
    return deepest
