"""The app's audio player, as the session sees it."""

from __future__ import annotations

import logging
import math
from typing import Any, Protocol, runtime_checkable

from ..errors import root_cause

log = logging.getLogger("rtagents.session")


@runtime_checkable
class AudioPlayer(Protocol):
    """What a session needs from the app's player: ``connect(..., player=...)``.

    When the user barges in (server VAD's ``speech_started``, or ``session.interrupt()``
    without ``played_ms``), the session asks how much of the assistant item was played,
    truncates the item there (the server then forgets the text the user never heard; no
    truncate when nothing was played), and tells the player to stop. Both calls must be
    quick: they run on the session's event loop.
    """

    def played_ms(self, item_id: str) -> int | None:
        """Milliseconds of ``item_id``'s audio actually played (``None``: not known)."""
        ...

    def clear(self) -> None:
        """Stop now and drop what is queued."""
        ...

    # Optional: ``cut(item_id)``, told the item the session stopped, so that audio of it fed
    # later (the app's loop may not have read its first deltas yet) is dropped, not played
    # after the barge-in. ``PlaybackBuffer`` has it.


class GuardedPlayer:
    """The app's player as a session uses it on a barge-in: a player's bug must not cost
    the session, so what it raises is logged or reported, never raised."""

    def __init__(self, player: AudioPlayer) -> None:
        self._player = player

    def played_ms(self, item_id: str) -> int | None:
        """How much of ``item_id`` it played, in whole milliseconds (a float, such as a
        count of samples over a rate, rounded down); ``None`` when it raises or answers
        something that is not a finite number of 0 or more (the truncate is then skipped)."""
        try:
            value = self._player.played_ms(item_id)
        except Exception:
            log.exception("the audio player failed to say what it played")
            return None
        try:
            return whole_ms(value)
        except (TypeError, ValueError):  # no figure: the truncate is skipped
            return None

    def clear(self, item_id: str | None = None) -> str | None:
        """Stop playing at once, ``item_id`` for good (its ``cut``, if it has one); what
        went wrong, if the player failed to."""
        try:
            self._player.clear()
            cut = getattr(self._player, "cut", None) if item_id is not None else None
            if cut is not None:
                cut(item_id)
        except Exception as exc:
            return root_cause(exc)
        return None


def whole_ms(played_ms: Any) -> int | None:
    """A figure of what was played as the truncate takes it (the app's to ``interrupt``, a
    player's): whole milliseconds (a count of samples over a rate is a float);
    ``TypeError`` or ``ValueError`` for one that is no time."""
    if played_ms is None:
        return None
    if isinstance(played_ms, bool) or not isinstance(played_ms, (int, float)):
        raise TypeError(f"played_ms must be a number of milliseconds, not {played_ms!r}")
    if not (math.isfinite(played_ms) and played_ms >= 0):
        raise ValueError(f"played_ms must be 0 or more milliseconds, got {played_ms!r}")
    return int(played_ms)
