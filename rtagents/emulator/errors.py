"""Errors the emulator answers a client event with (an ``error`` event, never a crash)."""

from __future__ import annotations

import json
from typing import Any


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


def read_frame(frame: str | bytes) -> dict[str, Any]:
    """A client frame as the JSON object every client event is (``invalid_json`` if not)."""
    try:
        raw = json.loads(frame)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ClientEventError(f"The frame is not valid JSON: {exc}", code="invalid_json") from None
    if not isinstance(raw, dict):
        raise ClientEventError("A client event must be a JSON object.", code="invalid_json")
    return raw
