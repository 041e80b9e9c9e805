"""``keep_latest``: the one bounded, ordered record the session's parts keep."""

from __future__ import annotations

import gc

from rtagents._latest import keep_latest


def test_the_oldest_go_past_the_bound_and_a_key_given_again_keeps_its_place() -> None:
    kept: dict[str, None] = {}
    for key in "abcde":
        keep_latest(kept, key, None, 3)
    assert list(kept) == ["c", "d", "e"]
    keep_latest(kept, "c", None, 3)  # (an update, not a new entry: nothing goes)
    assert list(kept) == ["c", "d", "e"]
    keep_latest(kept, "f", None, 3)
    assert list(kept) == ["d", "e", "f"]
    assert not gc.is_tracked(kept)  # strings only: nothing for the collector
