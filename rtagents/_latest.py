"""The latest few: a dict kept in insertion order, its oldest entries let go past a bound.

The framework remembers many small things for a while (responses that ended, calls let go,
requests sent), each only as long as a late word of it may still come. A plain dict, in
order, is the record: the collector never tracks one that holds only strings, and the
oldest is the first key."""

from __future__ import annotations

from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


def keep_latest(kept: dict[K, V], key: K, value: V, most: int) -> None:
    """``kept[key] = value``; the oldest entries let go past ``most``."""
    kept[key] = value
    while len(kept) > most:
        del kept[next(iter(kept))]
