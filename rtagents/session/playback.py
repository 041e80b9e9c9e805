"""The assistant audio a session has received, sans I/O: which item it belongs to and how
long it is, so that a barge-in can cut it where the user stopped hearing it."""

from __future__ import annotations

from typing import Any

from .. import protocol as p
from ..protocol.audio_formats import audio_ms, base64_bytes, output_format
from .actions import StopPlayback

_BEFORE_KEPT = 2  # the items before the latest that may still be playing


class Playback:
    """The latest assistant audio item, and its length in milliseconds so far."""

    # Class attributes until set (performance.md, "Density").
    item_id: str | None = None
    bytes = 0  # of the latest item (in milliseconds: ``ms``)
    left_over = False
    """Audio may be playing that is not ours to cut: an earlier connection's, or an
    out-of-band response's."""
    format = "audio/pcm"
    """The session's output audio format (how long a delta is), from its config."""
    complete = False
    """Whether all of the latest item's audio has arrived (its output item is done)."""
    cut_ms: int | None = None
    """Where a truncate of ours cut the latest item (a later barge-in cuts no further)."""
    _before: tuple[tuple[str, int, bool], ...] = ()  # the items before it: id, bytes, complete
    _stopped = False  # a barge-in stopped the latest item's audio: it never plays again
    _outside: tuple[str, ...] = ()  # out-of-band responses under way (a few at most)
    _outside_over: tuple[str, ...] = ()  # the last of them that ended

    @property
    def ms(self) -> int:
        """How long the latest item's audio is so far."""
        return audio_ms(self.bytes, self.format)

    interrupts = True
    """Whether the user's speech interrupts the answer (the turn detection's
    ``interrupt_response``, true unless set false): if not, the server goes on with it, and
    so does what plays it."""

    def configured(self, session: Any) -> None:
        """``session.created`` or ``session.updated``: the output format may have changed, and
        whether speech interrupts."""
        self.format = output_format(session)
        detection = _field(_field(_field(session, "audio"), "input"), "turn_detection")
        self.interrupts = _field(detection, "interrupt_response") is not False

    def outside(self, response_id: str) -> None:
        """An out-of-band response began (an aside of ours, the app's own): the audio it
        sends is not followed (a barge-in truncates conversation items only)."""
        self._outside = (*self._outside[-7:], response_id)

    @property
    def out_of_band(self) -> bool:
        """Whether an out-of-band response is under way."""
        return bool(self._outside)

    def is_outside(self, response_id: str | None) -> bool:
        """Whether ``response_id`` is an out-of-band response, under way or among the last
        ended (the server may announce one's call after its ``response.done``)."""
        return response_id in self._outside or response_id in self._outside_over

    def outside_done(self, response_id: str | None) -> None:
        if response_id in self._outside:
            self._outside = tuple(r for r in self._outside if r != response_id)
            self._outside_over = (*self._outside_over[-7:], response_id)

    def delta(self, event: p.ResponseOutputAudioDelta) -> None:
        if self._outside and event.response_id in self._outside:
            self.left_over = True  # playing, and none of it ours to cut: stopped all the same
            return
        size = base64_bytes(event.delta)
        if self.item_id == event.item_id:
            self.bytes += size
            return
        if self.item_id is not None and not self._stopped:  # (it may still be playing, the
            self._before = (*self._before[-(_BEFORE_KEPT - 1) :], self._latest())  # new queued)
        self.item_id, self.bytes, self.complete, self.cut_ms = event.item_id, size, False, None
        if self._stopped:
            self._stopped = False

    def _latest(self) -> tuple[str, int, bool]:
        return (self.item_id or "", self.bytes, self.complete)

    def item_done(self, item_id: str | None) -> None:
        """An output item is done: if it is the latest audio's, all of its audio arrived."""
        if item_id is not None and item_id == self.item_id:
            self.complete = True
        elif self._before:
            self._before = tuple((i, n, done or i == item_id) for i, n, done in self._before)

    def playing(self, item_id: str | None) -> None:
        """The player was found playing ``item_id``, an item before the latest (whose audio
        was queued behind it): that one is the latest now, to be cut (the later, unheard,
        is let go: the barge-in stops its response)."""
        for index, (earlier, size, complete) in enumerate(self._before):
            if earlier == item_id:
                self._before = self._before[:index]
                self.item_id, self.bytes, self.complete, self.cut_ms = earlier, size, complete, None
                return

    def stopped(self) -> None:
        """A barge-in stopped the player (and cut the item it played): nothing received so
        far plays again, so no later barge-in may cut it (only audio from here on)."""
        self._before = ()
        self._stopped = True

    def forget(self, *, session_lost: bool) -> tuple[str, ...]:
        """A new connection: the audio of the old one is nobody's to cut any more (but the
        player may still be playing it). With ``session_lost`` (a new server session, not a
        sideband's re-attach, where they go on), returns the out-of-band responses it cut
        off, no longer under way."""
        self.left_over = self.left_over or self.item_id is not None
        self.item_id, self.bytes, self.complete, self.cut_ms = None, 0, False, None
        self._before = ()
        cut = self._outside if session_lost else ()
        self._outside = () if session_lost else self._outside
        return cut

    def interrupted(self) -> StopPlayback | None:
        """The user started speaking: if assistant audio may be playing, the player stops and
        what it did not play of the latest item is cut (of an earlier connection's audio,
        nothing is cut: the player stops all the same)."""
        if self.item_id is None and not self.left_over:
            return None
        self.left_over = False
        earlier = tuple(item_id for item_id, _, _ in reversed(self._before))
        return StopPlayback(self.item_id, None, heard_only=True, earlier=earlier)

    def heard_fraction(self, item_id: str, audio_end_ms: int) -> float:
        """How much of an assistant item's audio (received so far) was heard."""
        if self.item_id != item_id or self.ms <= 0:
            return 1.0
        return min(1.0, audio_end_ms / self.ms)

    def truncate(self, played_ms: int, event_id: str) -> p.ConversationItemTruncate | None:
        """The truncate that cuts the latest item at ``played_ms`` (within what arrived);
        none when all of it arrived and was heard (the user spoke after it: nothing to cut)."""
        if self.item_id is None or (self.complete and played_ms >= self.ms):
            return None
        if self.cut_ms is not None and played_ms >= self.cut_ms:
            return None  # cut there already (a second barge-in): the server has no more of it
        self.cut_ms = max(0, min(played_ms, self.ms))
        return p.ConversationItemTruncate(
            event_id=event_id,
            item_id=self.item_id,
            content_index=0,
            audio_end_ms=self.cut_ms,
        )


def _field(value: Any, name: str) -> Any:
    """``value``'s ``name``, of a model or of its JSON dict (``None`` when it has none)."""
    return value.get(name) if isinstance(value, dict) else getattr(value, name, None)


def heard_item(player: Any, stop: StopPlayback) -> tuple[str | None, int | None]:
    """The item a barge-in cuts and what of it ``player`` played: ``stop``'s item, or, when
    nothing of it was played (queued behind), the latest of its ``earlier`` items played."""
    item_id, played = stop.item_id, stop.played_ms
    if played is None and item_id is not None and player is not None:
        played = player.played_ms(item_id)
        for earlier in stop.earlier if not played else ():
            heard = player.played_ms(earlier)
            if isinstance(heard, int) and heard > 0:
                return earlier, heard
    return item_id, played
