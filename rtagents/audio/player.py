"""The app's audio player, as the session sees it."""

from __future__ import annotations

from typing import Protocol, runtime_checkable


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
