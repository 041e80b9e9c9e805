"""A long GPT-Live session holds bounded memory (no unbounded memory in long sessions).

``live_transcript.Transcript`` keeps "what was said since the last delegation" for the next
client delegation (``Delegation.transcript``) in ``_since``: every transcript delta is
appended there and only a delegation empties it. A session whose model does not delegate
(small talk, a long story, an agent with no tools and no ``on_delegation`` work to hand
over) keeps the whole conversation there, beyond the journal's bound: the journal lets old
items go, ``_since`` never does."""

from __future__ import annotations

import json
import tracemalloc

from rtagents.session.journal import Journal
from rtagents.session.live import LiveCore

LINE = "word " * 40  # 200 characters a turn


def said(kind: str) -> str:
    # One event id for all: pydantic's (bounded) string cache is not what is measured.
    return json.dumps(
        {
            "type": f"session.{kind}_transcript.delta",
            "event_id": "e",
            "delta": LINE,
            "start_ms": 0,
            "end_ms": 100,
        }
    )


def test_what_was_said_since_the_last_delegation_is_bounded() -> None:
    core = LiveCore(lambda name, response_id: None, Journal(max_items=20, max_tokens=2_000))
    for _ in range(50):  # warm up: the journal reaches its bound
        core.receive_frame(said("input"))
        core.receive_frame(said("output"))
    tracemalloc.start()
    try:
        for _ in range(2_000):  # 800 KB of transcript, no delegation
            core.receive_frame(said("input"))
            core.receive_frame(said("output"))
        core.journal.settle()
        snapshot = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    ours = snapshot.filter_traces([tracemalloc.Filter(True, "*/rtagents/*")])
    kept = sum(stat.size for stat in ours.statistics("filename"))
    assert kept < 100_000, f"{kept} bytes kept for 800 KB of transcript, past the journal's bound"


def test_the_next_delegation_is_given_the_latest_words() -> None:
    from rtagents.session.live_transcript import Transcript

    transcript = Transcript(Journal(max_items=20, max_tokens=100))  # about 400 characters
    for n in range(50):
        transcript.heard("user", f"user {n}. ")
        transcript.heard("assistant", f"answer {n}. ")
    given = transcript.taken()
    assert sum(len(text) for _, text in given) <= 400
    assert given[-1] == ("assistant", "answer 49.") and given[-2] == ("user", "user 49.")
    transcript.heard("user", "again")
    assert transcript.taken() == (("user", "again"),)
