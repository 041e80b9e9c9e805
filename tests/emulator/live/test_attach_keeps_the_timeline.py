"""A connection that attaches to a dropped Live session continues that session's timeline
and its usage: the SDK's ``SessionUsage.seconds`` is "the cumulative billable duration"
("do not sum values across usage events"), and every ``start_ms``/``end_ms``/``offset_ms``
is "the position on the Live session timeline, from the beginning of the session".

An attach once gave the connection a fresh ``InputAudio`` and ``Voice``, so its timeline
(and so its usage) started again from 0: the running total went backwards after an attach,
and a client's meter (which keeps the highest total) stopped counting the session until it
passed the old total again. Its time cap started again too: a session attached to again and
again never expired."""

from __future__ import annotations

from rtagents.emulator import Say
from tests.emulator.live.sansio import Live


def usage(events: list[dict]) -> list[float]:
    return [e["usage"]["seconds"] for e in events if e["type"] == "session.usage.updated"]


def test_an_attached_connection_continues_the_sessions_timeline_and_usage() -> None:
    first = Live([[Say("Hello there, how can I help you today?")], [Say("Sure.")]])
    first.start()
    before = first.turn(3000)
    before += first.run(until_ms=60_000)
    assert usage(before) and usage(before)[-1] >= 3
    # The input's own time: where the user's audio so far ends (the model's speech is
    # after it on the timeline, and the next turn's audio after that audio).
    heard_until = max(e["end_ms"] for e in before if e["type"] == "session.input_transcript.delta")

    # The primary connection drops; a new one attaches to the same session.
    first.core.drop()
    assert first.run() == [] and first.disconnect is not None
    first.core.close()
    first.core.reattach(first.core.created_at_s + 5)
    after = first.turn(600)
    after += first.run(until_ms=120_000)

    assert usage(after) and usage(after)[-1] >= usage(before)[-1], (usage(before), usage(after))
    heard = [e for e in after if e["type"] == "session.input_transcript.delta"]
    assert heard and heard[0]["start_ms"] >= heard_until, (heard[0]["start_ms"], heard_until)


def test_an_attached_connection_keeps_the_sessions_time_cap() -> None:
    first = Live([], max_session_s=60)
    first.start()
    first.run(until_ms=10_000)
    first.core.advance(10_000)
    first.core.drop()
    first.run()
    first.core.close()
    # A new connection attaches 40 s after the session began: 20 s of it are left, from
    # the session's clock as the attach finds it (10 s).
    first.core.reattach(first.core.created_at_s + 40)
    first.disconnect = None
    assert first.run(until_ms=29_000) == [] and first.disconnect is None
    events = first.run(until_ms=31_000)
    assert [e["type"] for e in events] == ["session.closed"], events
    assert events[0]["reason"] == "expired"
