"""Playback-accurate barge-in: the session asks the app's player what it played, truncates
the assistant's audio there (none when nothing played), and tells the player to stop."""

from __future__ import annotations

import base64
from typing import Any

import anyio
import pytest

import rtagents
from rtagents import protocol as p
from rtagents.emulator import Emulator, ScriptedModel
from rtagents.emulator import audio as pcm
from rtagents.session.actions import Send, StopPlayback
from rtagents.session.realtime import RealtimeCore

from .frames import audio_delta, ev

pytestmark = pytest.mark.anyio


class FakePlayer:
    """A player with no device: it says it played ``ms`` of whatever it was given."""

    def __init__(self, ms: int | None) -> None:
        self.ms = ms
        self.cleared = 0

    def played_ms(self, item_id: str) -> int | None:
        return self.ms

    def clear(self) -> None:
        self.cleared += 1


def streamed(fmt: str, seconds: float) -> RealtimeCore:
    """A core that received ``seconds`` of assistant audio in ``fmt``."""
    core = RealtimeCore(lambda name, response_id: None)
    session = {"type": "realtime", "audio": {"output": {"format": {"type": fmt}}}}
    core.receive(ev("session.updated", session=session))
    core.receive(ev("response.created", response={"id": "r1", "status": "in_progress"}))
    per_ms = 48 if fmt == "audio/pcm" else 8
    chunk = base64.b64encode(b"\0" * per_ms * 100).decode()  # 100 ms a delta
    for _ in range(int(seconds * 10)):
        core.receive(audio_delta("r1", "a1", chunk))
    return core


def truncates(actions: list[Any]) -> list[int]:
    return [
        a.event.audio_end_ms
        for a in actions
        if isinstance(a, Send) and isinstance(a.event, p.ConversationItemTruncate)
    ]


@pytest.mark.parametrize("fmt", ["audio/pcm", "audio/pcmu"])
def test_a_barge_in_truncates_at_what_was_played(fmt: str) -> None:
    core = streamed(fmt, 2.0)
    player = FakePlayer(400)
    actions = core.receive(ev("input_audio_buffer.speech_started", audio_start_ms=0, item_id="u1"))
    # The core asks the runner to measure the player (and then stop it); it never calls it.
    [stop] = [a for a in actions if isinstance(a, StopPlayback)]
    assert (stop.item_id, stop.played_ms, stop.heard_only) == ("a1", None, True)
    actions = measured(core, stop, player)
    assert truncates(actions) == [400]
    stopped = [
        a.event
        for a in actions
        if getattr(a, "event", None) and a.event.type == "audio.interrupted"
    ]
    assert stopped[0].played_ms == 400


def measured(core: RealtimeCore, stop: StopPlayback, player: FakePlayer) -> list[Any]:
    """What the runner does with a ``StopPlayback``: measure the player unless the figure
    is known, and give it to the core."""
    played = stop.played_ms
    if played is None and stop.item_id is not None:
        played = player.played_ms(stop.item_id)
    return core.playback_stopped(stop.item_id, played, stop.heard_only)


def stop_of(actions: list[Any]) -> StopPlayback:
    [stop] = [a for a in actions if isinstance(a, StopPlayback)]
    return stop


def test_nothing_played_means_no_truncate() -> None:
    core = streamed("audio/pcm", 2.0)
    actions = core.receive(ev("input_audio_buffer.speech_started", audio_start_ms=0, item_id="u1"))
    assert truncates(measured(core, stop_of(actions), FakePlayer(0))) == []
    assert truncates(measured(core, stop_of(core.interrupt(None)), FakePlayer(None))) == []


def test_interrupt_asks_the_player_and_never_cuts_past_what_arrived() -> None:
    core = streamed("audio/pcm", 1.0)
    assert truncates(measured(core, stop_of(core.interrupt(None)), FakePlayer(5000))) == [1000]
    # The app's own figure wins.
    assert truncates(measured(core, stop_of(core.interrupt(250)), FakePlayer(5000))) == [250]


async def test_over_the_emulator_the_heard_part_is_what_the_conversation_keeps() -> None:
    player = FakePlayer(400)
    agent = rtagents.Agent(name="v", turn_detection=p.ServerVad(silence_duration_ms=300))
    long = "one two three four five six seven eight nine ten eleven twelve"
    async with Emulator(model=ScriptedModel([long]), realtime=True, audio_chunk_ms=100) as emu:
        async with rtagents.connect(agent, transport=emu.transport, player=player) as session:
            await session.create_response()
            deltas = 0
            with anyio.fail_after(10):
                async for event in session:
                    deltas += event.type == "response.output_audio.delta"
                    if deltas == 6:  # 600 ms arrived; the player says 400 were heard
                        break
                else:
                    pytest.fail("the session ended before the event this loop waits for")
                await session.send_audio(pcm.tone(300).tobytes())
                async for event in session:
                    if event.type == "conversation.item.truncated":
                        break
                else:
                    pytest.fail("the session ended before the event this loop waits for")
            item = emu.last.conversation.get(event.item_id)
    assert event.audio_end_ms == 400 and player.cleared == 1
    assert len(item["_pcm"]) == 400 * 48 and item["content"][0]["transcript"] == ""
