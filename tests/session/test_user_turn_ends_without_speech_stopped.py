"""The user's turn (``Batches.user_turn``: nothing is asked for while it lasts) began with
server VAD's ``speech_started`` and ended only with its ``speech_stopped`` or a response's
start. A turn the server never stops (the app clears the input buffer mid-speech, or commits
it by hand) left it on: a batch finished meanwhile, a background result, was never asked for.
The buffer's clearing and its commit end the turn too."""

from __future__ import annotations

import pytest

from rtagents import protocol as p
from rtagents.session.actions import ToolTraits
from rtagents.session.realtime import RealtimeCore


@pytest.mark.parametrize(
    "end",
    [
        p.InputAudioBufferCleared(event_id="e2"),
        p.InputAudioBufferCommitted(event_id="e2", item_id="item_1"),
        p.InputAudioBufferSpeechStopped(event_id="e2", audio_end_ms=900, item_id="item_1"),
    ],
    ids=["cleared", "committed", "speech_stopped"],
)
def test_the_users_turn_ends_with_the_buffer_however_it_ends(end: object) -> None:
    core = RealtimeCore(lambda name, response_id: ToolTraits())
    core.receive(p.InputAudioBufferSpeechStarted(event_id="e1", audio_start_ms=0, item_id="i"))
    assert core.orchestrator.batches.user_turn
    core.receive(end)
    assert not core.orchestrator.batches.user_turn
