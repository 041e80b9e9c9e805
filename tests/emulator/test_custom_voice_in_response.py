"""Every event the emulator sends is a valid server event of the openai SDK's types.

docs/emulator.md: "Every event the emulator sends in its tests is checked against the openai
SDK's types." With a custom voice (``{"id": "voice_1234"}``, which the SDK's
``RealtimeAudioConfigOutputParam`` documents and the emulator accepts in ``session.update``
and ``response.create``), the emulator copies the voice object into the response resource of
``response.created`` and ``response.done``. The SDK's ``RealtimeResponse.audio.output.voice``
is a string (``Union[str, Literal[...]]``) only, so both events fail the SDK's validation: an
SDK client reading them strictly (``RealtimeServerEvent`` via a ``TypeAdapter``) rejects the
two events every response of such a session starts and ends with.
"""

from __future__ import annotations

import pytest
from openai.types.realtime import RealtimeServerEvent
from pydantic import TypeAdapter, ValidationError

from rtagents.emulator.actions import AskModel, Send
from rtagents.emulator.core import ServerCore
from rtagents.emulator.models import Say

ORACLE = TypeAdapter(RealtimeServerEvent)


def _events(core: ServerCore) -> list[dict]:
    out = []
    while (action := core.next_action()) is not None:
        if isinstance(action, AskModel):
            core.resolve(action.ticket, [Say("Hi")])
        elif isinstance(action, Send):
            out.append(action.event.model_dump(mode="json", by_alias=True, exclude_unset=True))
    return out


@pytest.mark.parametrize("where", ["session", "response"])
def test_response_events_with_a_custom_voice_are_valid_sdk_events(where: str) -> None:
    core = ServerCore()
    core.start()
    _events(core)
    voice = {"id": "voice_1234"}
    if where == "session":
        core.receive(
            '{"type": "session.update", "session": {"type": "realtime",'
            ' "audio": {"output": {"voice": {"id": "voice_1234"}}}}}'
        )
        assert [e["type"] for e in _events(core)] == ["session.updated"]
        core.receive('{"type": "response.create"}')
    else:
        core.receive(
            '{"type": "response.create", "response": {"audio": {"output":'
            ' {"voice": {"id": "voice_1234"}}}}}'
        )
    events = _events(core)
    kinds = [e["type"] for e in events]
    assert "response.created" in kinds and "response.done" in kinds
    rejected = []
    for event in events:
        try:
            ORACLE.validate_python(event)
        except ValidationError:
            rejected.append((event["type"], event.get("response", {}).get("audio")))
    assert rejected == [], f"the SDK rejects: {rejected} (voice {voice})"
