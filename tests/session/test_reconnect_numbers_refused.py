"""Rule broken: "Reconnect refuses NaN and infinite numbers" (commit 3acc88e), and no
unbounded memory in long sessions (the journal is bounded by ``Reconnect(max_items=,
max_tokens=)``, docs/session.md).

Only backoff, max_backoff, jitter and healthy_after are checked for NaN and infinity.
``attempts=nan`` is taken (``nan < 1`` is False) and then no reconnect is ever tried
(``streak < nan`` is False too: "0 connections in a row failed"); ``max_items``/``max_tokens``
of NaN pass the journal's own ``< 1`` check, and a journal whose bounds are NaN never
trims (``len > nan`` is False): it grows without end. ``handover_before_s=inf`` passes
``check_seconds`` (``inf > 0``).
"""

from __future__ import annotations

from typing import Any

import pytest

from rtagents import Reconnect
from rtagents.session.journal import Journal
from rtagents.session.journal_items import assistant_text


@pytest.mark.parametrize(
    "options",
    [
        {"attempts": float("nan")},
        {"attempts": float("inf")},
        {"max_items": float("nan")},
        {"max_tokens": float("nan")},
        {"handover_before_s": float("inf")},
    ],
)
def test_nan_and_infinite_settings_are_refused(options: dict[str, Any]) -> None:
    with pytest.raises((ValueError, TypeError)):
        Reconnect(**options)


def test_a_journal_of_nan_bounds_stays_bounded() -> None:
    try:
        settings = Reconnect(max_items=float("nan"), max_tokens=float("nan"))  # type: ignore[arg-type]
        journal = Journal(max_items=settings.max_items, max_tokens=settings.max_tokens)
    except (ValueError, TypeError):
        return  # refused: fine
    for n in range(2000):
        journal.heard(assistant_text(f"item_{n}", "word " * 10))
    assert len(journal) <= 400, f"the journal kept {len(journal)} items: it never trims"
