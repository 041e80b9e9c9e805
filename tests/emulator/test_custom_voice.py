"""The emulator crashes (server_error) on a custom voice in session.update.

The SDK documents custom voices: ``openai.types.realtime.realtime_audio_config_output_param``
``Voice = Union[str, Literal[...], VoiceID]`` with ``VoiceID = {"id": "voice_1234"}``
("You may also provide a custom voice object with an `id`, for example
`{ "id": "voice_1234" }`"), and our own ``rtagents.protocol.Voice = str | VoiceId`` accepts it.
The right answer is a ``session.updated`` carrying the voice (or, at worst, an
``invalid_request_error`` naming ``session.audio.output.voice``), never an internal
``server_error`` from ``voice not in KNOWN_VOICES`` hashing a dict.
"""

from __future__ import annotations

from tests.emulator.sansio import Core, types


def test_custom_voice_object_is_accepted() -> None:
    core = Core()
    events = core.send(
        {
            "type": "session.update",
            "session": {"type": "realtime", "audio": {"output": {"voice": {"id": "voice_1234"}}}},
        }
    )
    errors = [e["error"] for e in events if e["type"] == "error"]
    assert not any(e["type"] == "server_error" for e in errors), errors
    assert types(events) == ["session.updated"], errors
    assert events[0]["session"]["audio"]["output"]["voice"] == {"id": "voice_1234"}
