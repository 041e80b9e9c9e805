"""Audio around a session: what the app's player has played, so that a barge-in cuts the
assistant's audio where the user stopped hearing it."""

from .player import AudioPlayer

__all__ = ["AudioPlayer"]
