"""A drop during a barge-in: the app's ``interrupt(played_ms=...)`` sent the truncate that
cuts the assistant's answer where the user stopped hearing, and the connection dropped
before the server's ``conversation.item.truncated`` came back.

docs/session.md (What is preserved): "the assistant's answers: ... when truncated by a
barge-in, the part that was heard". The journal cuts an answer only when the server's
``conversation.item.truncated`` arrives (``RealtimeCore._on_item_truncated``); the truncate
we sent is not journaled (``realtime_out.journal_sent`` keeps item creates only). So the
new connection is given the whole answer, words the user never heard included, and the
model goes on as if the user had heard them.

Right behaviour: the cut we asked for is kept in the journal when we send it (as the
items we create are), so the replay gives back the heard part only."""

from __future__ import annotations

from typing import Any

from rtagents import protocol as p
from rtagents.session.actions import Send, StopPlayback
from rtagents.session.realtime import RealtimeCore
from tests.session.frames import audio_delta, ev


def test_a_truncate_lost_in_a_drop_still_cuts_the_replayed_answer() -> None:
    core = RealtimeCore(lambda name, rid: None)
    core.receive(ev("response.created", response={"id": "r1", "status": "in_progress"}))
    words = "one two three four five six seven eight nine ten"
    core.receive(
        ev(
            "response.output_audio_transcript.delta",
            response_id="r1",
            item_id="a1",
            output_index=0,
            content_index=0,
            delta=words,
        )
    )
    core.receive(audio_delta("r1", "a1", "A" * 64000))  # 1000 ms of pcm16 at 24 kHz
    sent: list[Any] = []
    for action in core.interrupt(played_ms=200):  # the user heard a fifth of it
        if isinstance(action, StopPlayback):
            sent += core.playback_stopped(action.item_id, action.played_ms, action.heard_only)
        else:
            sent.append(action)
    for action in sent:  # what the runner does before it sends each
        if isinstance(action, Send):
            core.sent(action.event)
    truncates = [
        a.event
        for a in sent
        if isinstance(a, Send) and a.event.type == "conversation.item.truncate"
    ]
    assert truncates and truncates[0].audio_end_ms == 200
    core.disconnected()  # the connection drops before conversation.item.truncated arrives
    [item] = [
        i.item for i in (a.event for a in core.replay()) if isinstance(i, p.ConversationItemCreate)
    ]
    replayed = item.content[0].text
    # Right: only what was heard (about "one two") is given back.
    assert replayed != words, replayed
