"""``connect``'s own options, checked before anything is opened: a wrong type or a negative
number said at the call, naming the option, rather than an internal error once the session
runs (a buffer that drops every event, a keepalive that fails on every ping)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .._seconds import check_seconds
from .reconnect import Reconnect


def check_options(
    *,
    api_key: Any,
    headers: Any,
    reconnect: Any,
    max_buffered_events: Any,
    max_buffered_bytes: Any,
    max_message_size: Any,
    ping_interval: Any,
    send_timeout: Any,
    shutdown_grace: Any,
) -> None:
    """Raise ``TypeError`` or ``ValueError`` naming the first option given wrong."""
    if api_key is not None and not isinstance(api_key, str):
        raise TypeError(f"connect(api_key=...) takes a str, not {type(api_key).__name__}")
    if headers is not None and not (
        isinstance(headers, Mapping) and all(isinstance(v, str) for v in headers.values())
    ):
        raise TypeError("connect(headers=...) takes a mapping of header names to str values")
    if reconnect is not None and not isinstance(reconnect, Reconnect):
        raise TypeError(
            f"connect(reconnect=...) takes rtagents.Reconnect(...), or None to end the session "
            f"at the first drop, not {reconnect!r:.40}"
        )
    _count(max_buffered_events, "max_buffered_events", least=0)
    _count(max_buffered_bytes, "max_buffered_bytes", least=1)
    if max_message_size is not None:
        _count(max_message_size, "max_message_size", least=1)
    for name, seconds in (("ping_interval", ping_interval), ("send_timeout", send_timeout)):
        if seconds is not None:
            check_seconds(seconds, f"connect({name}=...)")
    grace = shutdown_grace
    if isinstance(grace, bool) or not isinstance(grace, (int, float)) or not 0 <= grace < math.inf:
        raise ValueError(f"connect(shutdown_grace=...) must be 0 or more (seconds), got {grace!r}")


def _count(value: Any, name: str, *, least: int) -> None:
    if type(value) is not int or value < least:  # (no bool, no "10" from a config file)
        raise ValueError(
            f"connect({name}=...) must be a whole number, {least} or more, got {value!r}"
        )
