"""Which hosts the emulator may reach on a client's behalf (a hosted MCP server's URL, a
call's webhook): a shared emulator must not be made to send requests into its network."""

from __future__ import annotations

from fnmatch import fnmatchcase

from .._hosts import loopback


def reachable(listening_on: str, host: str, patterns: list[str] | None) -> bool:
    """Whether the emulator, listening on ``listening_on``, may reach ``host``: one of
    ``patterns`` (globs); with none given, any host while it listens on loopback only (its
    clients are this machine's), none once it listens beyond (a shared server forges no
    requests)."""
    if patterns is None:
        return loopback(listening_on)
    return any(fnmatchcase(host, pattern) for pattern in patterns)
