"""``fit_note``: a GPT-Live append holds at most 500 tokens; with no tokenizer, text is cut
so as to err short, whatever its script."""

from __future__ import annotations

import pytest

from rtagents.protocol import live as lp


def test_a_short_note_fits_as_it_is() -> None:
    assert lp.fit_note("The table is booked.") is None
    assert lp.fit_note("") is None


@pytest.mark.parametrize(
    "unit,most",
    [("finding ", 1440), ('{"id": 12, "ok": true}, ', 1200), ("予約", 240), ("🙂", 240)],
    ids=["english", "json", "japanese", "emoji"],
)
def test_a_long_note_is_cut_within_the_limit(unit: str, most: int) -> None:
    text = unit * 5000
    cut = lp.fit_note(text)
    assert cut is not None and cut.endswith(" [...]")
    kept = cut.removesuffix(" [...]")
    assert text.startswith(kept)
    assert len(kept) <= most
    # Counted as fit_note errs (two tokens a character outside ASCII; inside, half a token
    # a punctuation mark, a third a letter, digit or space), it is within the limit.
    marks = sum(1 for c in kept if not (c.isalnum() or c == " "))
    worst = 2 * len(kept) if not unit.isascii() else (len(kept) - marks) / 3 + marks / 2
    assert worst <= lp.NOTE_TOKENS
