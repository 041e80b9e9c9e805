"""What was said on GPT-Live, sans I/O: the transcript deltas kept in the journal (for
``session.history``), given to the next client delegation, and the user's and the model's
turns (what a delegated response answers, and what a guardrail's trip stops)."""

from __future__ import annotations

import itertools
from typing import Any, Literal

from .events import TranscriptDelta
from .journal import Journal


class Transcript:
    """What was said, as the transcript deltas come (GPT-Live has no items and no
    transcript-done event): kept in the journal by stretches of one speaker, and given to the
    next client delegation (what was said since the last one)."""

    def __init__(self, journal: Journal) -> None:
        self._journal = journal
        self._stretches = itertools.count(1)
        self._role: str | None = None
        self._item_id = ""
        self.user_turn = ""
        """The id of the user's latest stretch: their turn, until the model speaks and they
        speak again (what a delegation begun meanwhile answers; see ``stop_turn``)."""
        self.model_turn = ""
        """The id of the model's latest stretch (what a guardrail's trip of it may stop)."""
        self._text = ""
        self._since: list[list[str]] = []
        self._chars = 0  # the length of what is in ``_since``

    def heard(self, role: str, delta: str) -> None:
        if role != self._role:
            self._role, self._text = role, ""
            self._item_id = f"live_{role}_{next(self._stretches)}"
            if role == "user":
                self.user_turn = self._item_id
            else:
                self.model_turn = self._item_id
        self._text += delta
        if role == "assistant":
            self._journal.streaming(self._item_id, delta)
        else:
            self._journal.transcribed(self._item_id, self._text.strip())
        if self._since and self._since[-1][0] == role:
            self._since[-1][1] += delta
        else:
            self._since.append([role, delta])
        # A model that never delegates would keep the whole conversation here: what the next
        # delegation is given keeps to the journal's own bound (about four characters a
        # token), its latest words.
        self._chars += len(delta)
        room = self._journal.max_tokens * 4
        while self._chars > room and self._since:
            oldest = self._since[0]
            cut = min(len(oldest[1]), self._chars - room)
            oldest[1] = oldest[1][cut:]
            self._chars -= cut
            if not oldest[1]:
                del self._since[0]

    def taken(self) -> tuple[tuple[str, str], ...]:
        since, self._since, self._chars = self._since, [], 0
        return tuple((role, text.strip()) for role, text in since)


def said(role: Literal["user", "assistant"], event: Any) -> TranscriptDelta:
    """A transcript delta of GPT-Live as the event both APIs give (see ``TranscriptDelta``)."""
    start, end = getattr(event, "start_ms", None), getattr(event, "end_ms", None)
    return TranscriptDelta(role, event.delta, None, start, end)
