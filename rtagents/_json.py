"""Reading and showing tool arguments: one way everywhere (calls, approvals, logs, tests)."""

from __future__ import annotations

import json
from typing import Any


def json_object(text: str) -> dict[str, Any]:
    """The JSON object in ``text``. What is not one is kept, not lost: invalid JSON as
    ``{"_raw": text}``, another JSON value as ``{"_value": value}``."""
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {"_raw": text}
    return value if isinstance(value, dict) else {"_value": value}


def format_arguments(arguments: dict[str, Any]) -> str:
    """``to='ann', amount=5``: arguments as a person reads a call."""
    return ", ".join(f"{key}={value!r}" for key, value in arguments.items())
