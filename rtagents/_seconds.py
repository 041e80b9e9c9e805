"""The one check of a time limit a user gives (a tool's, an MCP server's, an approval's)."""

from __future__ import annotations

import math
from typing import Any


def check_seconds(value: Any, what: str) -> None:
    """Raise ``ValueError`` unless ``value`` is a positive real number of seconds: NaN never
    compares above 0 (a NaN deadline fires at once, and every call would time out), a
    ``bool`` is no time, and a string ("5", from a config file) fails later, in the
    deadline's arithmetic, call after call, where this says it once."""
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not (number and 0 < value < math.inf):  # (infinity: a limit that never comes)
        raise ValueError(f"{what} must be positive (seconds), got {value!r}")
