"""A second barge-in makes the player forget an item the first one cut
before any of it was sent, and that item's audio is then played after both clears.

``TwilioPlayer.clear`` *replaces* ``_cut`` with the items sent so far
(``self._cut = frozenset(self._sent)``); ``cut(item_id)`` then adds the session's latest
item. Barge-in 1 cuts answer B while the app's loop has read none of B yet (``_sent`` is
still A's): ``_cut = {A, B}``. Barge-in 2 comes before the loop caught up, over answer C:
``_cut = {A} | {C}``: B is no longer cut. The loop then reads B's deltas, which came before
the first barge-in, and the player sends them to Twilio after both ``clear`` messages.
docs/twilio.md: "Chunks of the cut answer that your loop reads after the barge-in (they came
before it) are not sent." (A bounded union of the cut items would keep B.)"""

from __future__ import annotations

import base64
from typing import Any

from rtagents.audio.player import GuardedPlayer
from rtagents.calls.twilio import TwilioPlayer

CHUNK = base64.b64encode(b"\xff" * 160).decode()


def test_an_item_cut_before_it_was_sent_stays_cut_after_a_later_barge_in() -> None:
    sent: list[dict[str, Any]] = []
    player = TwilioPlayer("MZ" + "0" * 32, sent.append)
    session_side = GuardedPlayer(player)  # as the session's runner calls it

    player.play("item_A", CHUNK)  # the loop read A
    session_side.clear("item_B")  # barge-in 1: the session's latest item is B, unread yet
    session_side.clear("item_C")  # barge-in 2: over C, the loop still behind
    after_clears = len(sent)
    player.play("item_B", CHUNK)  # the loop now reads B's deltas (they came before barge-in 1)

    late = [m for m in sent[after_clears:] if m["event"] == "media"]
    assert not late, f"{len(late)} chunk(s) of the answer barge-in 1 cut were sent after it"
