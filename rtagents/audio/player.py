"""The app's audio player, as the session sees it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol, runtime_checkable

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


def guarded_played_ms(player: AudioPlayer) -> Callable[[str], int | None]:
    """The player's ``played_ms``, answering ``None`` when it raises or answers something
    other than an int: a player's bug must not cost the session (the truncate is then
    skipped)."""

    def ask(item_id: str) -> int | None:
        try:
            value = player.played_ms(item_id)
        except Exception:
            log.exception("the audio player failed to say what it played")
            return None
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    return ask
