"""Regression (e4887e9): ``Playback`` now ignores the audio of out-of-band responses, so
when the only assistant audio so far is an aside's (a filler after a response that only
called a tool: the common first turn), a server-VAD barge-in finds ``item_id is None`` and
makes no ``StopPlayback`` at all: the player is never cleared and ``audio.interrupted`` is
never emitted, so the aside audio already buffered in the player plays on over the user.
Before the change the aside's deltas were followed and the player was stopped.

Right behaviour: assistant audio of any response (in band or not) that may be playing makes
the barge-in stop the player (``StopPlayback``); only the truncate is for conversation
items."""

from __future__ import annotations

import base64

from rtagents.session.actions import StopPlayback
from rtagents.session.realtime import RealtimeCore
from rtagents.session.realtime_out import ASIDE
from tests.session.frames import audio_delta, ev


def test_barge_in_over_an_aside_stops_the_player() -> None:
    core = RealtimeCore(lambda name, response_id: None)
    core.receive(
        ev(
            "response.created",
            response={
                "id": "r_aside",
                "status": "in_progress",
                "conversation_id": None,
                "metadata": {ASIDE: "filler"},
            },
        )
    )
    chunk = base64.b64encode(b"\0" * 48 * 100).decode()  # 100 ms of pcm16 24 kHz
    for _ in range(20):  # 2 s of aside audio handed to the player
        core.receive(audio_delta("r_aside", "item_aside", chunk))
    actions = core.receive(ev("input_audio_buffer.speech_started", audio_start_ms=0, item_id="u1"))
    stops = [a for a in actions if isinstance(a, StopPlayback)]
    assert stops, f"no StopPlayback: the aside keeps playing over the user: {actions!r}"
