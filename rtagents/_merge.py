"""Merging an app's ``session_options`` into the configuration built from its agent."""

from __future__ import annotations

import copy
from typing import Any


def deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``extra`` laid over it, a copy (neither is changed): objects merge key by
    key, any other value (a list too) replaces what ``base`` had."""
    out = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out
