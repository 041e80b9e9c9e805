"""A ``session.update`` with an explicit ``null`` field is merged into the emulator's session
as-is, and breaks it: an internal ``server_error`` now, and failed responses / failed updates
afterwards.

Our ``SessionConfig`` (which the emulator validates updates with) admits ``null`` for every
field, and so do the SDK's models (``RealtimeSessionCreateRequest.tools: Optional[...]``,
``output_modalities: Optional[...]``, ``audio: Optional[RealtimeAudioConfig]``). A real server
answers an update either with ``session.updated`` (null = unset / default) or with an
``invalid_request_error`` naming the ``param``; the session must keep working either way. The
emulator instead stores ``None`` (config.py ``_merge``) and later code iterates / ``.get``s it.
"""

from __future__ import annotations

import pytest

from tests.emulator.sansio import Core, types

USER = {
    "type": "conversation.item.create",
    "item": {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]},
}


@pytest.mark.parametrize(
    "session",
    [
        {"type": "realtime", "tools": None},
        {"type": "realtime", "output_modalities": None},
        {"type": "realtime", "audio": None},
        {"type": "realtime", "audio": {"output": None}},
    ],
    ids=["tools", "output_modalities", "audio", "audio.output"],
)
def test_null_field_in_session_update_does_not_break_the_session(session: dict) -> None:
    core = Core(["hello there"])
    first = core.send({"type": "session.update", "session": session})
    errors = [e["error"] for e in first if e["type"] == "error"]
    # Either accepted, or refused as the client's error naming the param: not a server crash.
    assert not any(e["type"] == "server_error" for e in errors), errors
    # And the session still works: a later update and a response succeed.
    later = core.send(
        {"type": "session.update", "session": {"type": "realtime", "instructions": "x"}}
    )
    assert types(later) == ["session.updated"], [e.get("error") for e in later]
    core.send(USER)
    done = [e for e in core.send({"type": "response.create"}) if e["type"] == "response.done"]
    assert done and done[0]["response"]["status"] == "completed", done


def test_null_audio_output_in_response_create_is_not_a_server_error() -> None:
    # Same family: responses.py builds ``{**session_output, **params["audio"].get("output", {})}``
    # and ``{**None}`` raises. The SDK's ``RealtimeResponseCreateAudioOutput.output`` is Optional.
    core = Core(["hello there"])
    events = core.send({"type": "response.create", "response": {"audio": {"output": None}}})
    errors = [e["error"] for e in events if e["type"] == "error"]
    assert not any(e["type"] == "server_error" for e in errors), errors
